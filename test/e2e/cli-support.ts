// Helpers for the CLI end-to-end tests: run bin/httpdojo.js as a child process
// (always bounded, always killed), copy fixtures to a temp folder per test, and
// find what a run may have left behind (processes, listening ports, temp files).
//
// Rules: only 127.0.0.1; every wait has a deadline; every child started here is
// tracked and killed by `killStartedClis()` (call it in afterEach).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'httpdojo.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const isLinux = process.platform === 'linux';

/** The e2e tests run the built CLI: fail loudly (not mysteriously) when it is missing. */
export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** True when the test's own deadline killed it. */
  killed: boolean;
}

export interface CliOptions {
  cwd?: string;
  /** Replaces the environment entries given; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** The test's deadline for the whole run; the child is SIGKILLed after it. */
  timeoutMs?: number;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
}

const started = new Set<ChildProcess>();

/** The environment a CLI child gets: ours minus colour settings (tests set them explicitly). */
function cliEnv(extra: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const began = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 40_000);
  const result = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      started.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - began), killed });
    });
    child.once('error', () => {
      clearTimeout(timer);
      started.delete(child);
      resolve({ code: null, signal: null, stdout, stderr, ms: Math.round(performance.now() - began), killed });
    });
  });
  return { child, result };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** Kill every CLI child a test started and did not see exit (afterEach). */
export function killStartedClis(): void {
  for (const child of started) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Gone already.
    }
  }
  started.clear();
}

/** A per-test folder: the program under `prog/`, a private TMPDIR under `tmp/`, and a unique marker. */
export interface Workspace {
  dir: string;
  programDir: string;
  tmp: string;
  marker: string;
  /** Absolute path of the copied fixture. */
  file: string;
  /** Environment for the CLI child: the marker (inherited by the learner and its children) and TMPDIR. */
  env: Record<string, string>;
  remove(): void;
}

export function workspaceWith(fixture: string, as?: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'hdj-e2e-'));
  const programDir = join(dir, 'prog');
  const tmp = join(dir, 'tmp');
  mkdirSync(programDir);
  mkdirSync(tmp);
  const file = join(programDir, as ?? fixture.split('/').pop()!);
  copyFileSync(join(FIXTURES, fixture), file);
  const marker = `hdj-marker-${randomUUID()}`;
  return {
    dir,
    programDir,
    tmp,
    marker,
    file,
    env: { HTTPDOJO_TEST_MARKER: marker, TMPDIR: tmp },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

export interface FoundProcess {
  pid: number;
  cmdline: string;
}

/**
 * Linux: live processes (zombies excluded: they run nothing and hold no port)
 * whose command line mentions `needle` or whose environment carries the marker.
 */
export function processesMatching(needle: string, marker: string): FoundProcess[] {
  if (!isLinux) return [];
  const found: FoundProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const status = readProc(`/proc/${entry}/status`);
    if (!status || /^State:\s+[ZX]/m.test(status)) continue;
    const cmdline = readProc(`/proc/${entry}/cmdline`)?.replace(/\0/g, ' ').trim() ?? '';
    const environ = readProc(`/proc/${entry}/environ`) ?? '';
    if (cmdline.includes(needle) || environ.includes(`HTTPDOJO_TEST_MARKER=${marker}\0`)) found.push({ pid: Number(entry), cmdline });
  }
  return found;
}

/** Leftover processes of a workspace, after up to `graceMs` for SIGKILLs already sent to land. */
export async function leftoverProcesses(workspace: Workspace, graceMs = 1000): Promise<FoundProcess[]> {
  const deadline = performance.now() + graceMs;
  for (;;) {
    const found = processesMatching(workspace.programDir, workspace.marker);
    if (found.length === 0 || performance.now() >= deadline) return found;
    await sleep(50);
  }
}

export function killProcesses(found: FoundProcess[]): void {
  for (const { pid } of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** Ports the fixture wrote to ports.txt as it started listening. */
export function portsOf(workspace: Workspace): number[] {
  const text = readProc(join(workspace.programDir, 'ports.txt')) ?? '';
  return text.split('\n').filter(Boolean).map(Number);
}

/** Whether something accepts a TCP connection on 127.0.0.1:port (bounded). */
export function isListening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const finish = (value: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** What the run left in its private TMPDIR (tsx's transform cache is a cache, not a leftover). */
export function tempLeftovers(workspace: Workspace): string[] {
  return readdirSync(workspace.tmp).filter((name) => !name.startsWith('tsx-'));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 25 ms until it is true or `timeoutMs` passes; returns its last value. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (performance.now() >= deadline) return false;
    await sleep(25);
  }
}

/** A tiny semaphore: at most `size` bodies run at once (the machine has 2 cores). */
export function limiter(size: number): <T>(body: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (body) => {
    // A finishing body hands its slot straight to the next waiter, so `active` never exceeds `size`.
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await body();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Lines that look like a JavaScript stack frame: httpdojo never shows its own. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

/** The verdict document's shape (VERDICT.md), as the tests read it. */
export interface VerdictDoc {
  schema: string;
  lesson: string;
  file: string;
  passed: boolean;
  pitfalls: string[];
  checks: Array<{
    id: string;
    title: string;
    status: 'passed' | 'failed' | 'skipped';
    pitfall: string | null;
    message: string | null;
    location: { file: string; line: number; column: number } | null;
    durationMs: number;
    error?: { name: string; message: string; code?: string };
    stderrTail?: string;
    wire?: unknown[];
  }>;
  durationMs: number;
  node: string;
  version: string;
}

/** stdout must be exactly one JSON document: JSON.parse of the whole of it. */
export function parseOneDocument<T = VerdictDoc>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

/** A loopback port free right now (for a program run unprobed, which binds what it asks for). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
