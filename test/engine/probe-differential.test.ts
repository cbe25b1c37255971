// The probe must change nothing but the port (issue 8, section 2). Each program
// of test/fixtures/differential/ runs twice: under plain `node`, and under
// `node --import <probe>` with the probe's channel open, exactly as
// LearnerProcess starts it. The two runs must agree on the exit code, on what
// the program printed (the order of its own events; port numbers masked), and
// on the errors Node printed to stderr (headline and code; stacks differ by
// the probe's own frames only). The probed run must also still report every
// TCP listen on the channel, on a loopback port the program saw.
//
// The probe is transpiled from its sources for this test (no build needed, and
// no tsx in the program's process: tsx's loader hooks would be a difference of
// their own). Ports the programs ask for are found free first, so that plain
// node's behaviour (a real bind of that port) is deterministic.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'differential');
/** A program that has not exited by then hangs; every fixture ends on its own well within a second. */
const RUN_MS = 8_000;

let dir = '';
let probeUrl = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hdj-differential-'));
  // Every file of the probe's folder, in a folder of its own (marked ESM) apart
  // from the programs' working directory; its imports name './x.js'.
  const probeDir = join(dir, 'probe');
  mkdirSync(probeDir);
  writeFileSync(join(probeDir, 'package.json'), '{ "type": "module" }\n');
  const sourceDir = join(ROOT, 'src', 'engine', 'probe');
  for (const name of readdirSync(sourceDir).filter((entry) => entry.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(sourceDir, name), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(probeDir, name.replace(/\.ts$/, '.js')), outputText);
  }
  probeUrl = pathToFileURL(join(probeDir, 'probe.js')).href;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  hung: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  events: Array<Record<string, unknown>>;
}

function runProgram(fixture: string, args: string[], probed: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(probed ? ['--import', probeUrl] : []), join(FIXTURES, fixture), ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe', probed ? 'pipe' : 'ignore'],
      env: { ...process.env, HTTPDOJO_PROBE_FD: probed ? '3' : undefined, NODE_OPTIONS: undefined, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const channel: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    if (probed) (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => channel.push(chunk));
    // A program still running at the deadline is killed; the comparison then shows
    // it as `hung` (a difference like any other, with what it printed until then).
    let hung = false;
    const deadline = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, RUN_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(deadline);
      const events = Buffer.concat(channel).toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ hung, code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), events });
    });
  });
}

/** A port nobody listens on right now, on any address (found the way plain node binds: the unspecified address). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Port numbers (the requested ones and any the kernel chose) are the one permitted difference. */
function mask(text: string, ports: number[]): string {
  let masked = text;
  for (const port of ports) masked = masked.split(String(port)).join('PORT');
  return masked.replace(/\b\d{4,5}\b/g, 'N');
}

/** What Node printed about an error: the headline, the "Emitted 'error' event" line and the error's properties. */
function stderrSummary(stderr: string, ports: number[]): string[] {
  const wanted = /^(\w*Error\b|Emitted 'error' event|\s+(code|errno|syscall|address|port): |Node\.js v)/;
  return mask(stderr, ports).split('\n').filter((line) => wanted.test(line)).map((line) => line.trimEnd());
}

interface Case {
  fixture: string;
  /** Requested ports handed to the program (found free first). */
  ports: number;
  /**
   * TCP listens the probe must report (the successful ones); by default, as many
   * as the program printed "listening" under plain node (which ones succeed can
   * depend on the machine: '::1' exists only where IPv6 does).
   */
  reports?: number;
}

const CASES: Case[] = [
  { fixture: 'listen-twice-same-server.mjs', ports: 1, reports: 1 },
  { fixture: 'listen-twice-caught.mjs', ports: 1, reports: 1 },
  { fixture: 'busy-port-unhandled.mjs', ports: 1, reports: 1 },
  { fixture: 'busy-port-handled.mjs', ports: 1, reports: 1 },
  { fixture: 'busy-port-same-tick.mjs', ports: 1, reports: 1 },
  { fixture: 'busy-port-specific-then-any.mjs', ports: 1, reports: 1 },
  { fixture: 'busy-port-retry.cjs', ports: 2, reports: 2 },
  { fixture: 'busy-port-addresses.mjs', ports: 1 },
  { fixture: 'listen-options.mjs', ports: 1, reports: 1 },
  { fixture: 'listen-zero.mjs', ports: 0, reports: 1 },
  { fixture: 'listen-no-port.mjs', ports: 0, reports: 1 },
  { fixture: 'unix-socket.mjs', ports: 0, reports: 0 },
  { fixture: 'close-then-listen.mjs', ports: 1, reports: 2 },
  { fixture: 'close-before-listening.mjs', ports: 1, reports: 1 },
  { fixture: 'listen-in-handler.mjs', ports: 2, reports: 2 },
  { fixture: 'throw-in-listen-callback.mjs', ports: 1, reports: 1 },
  { fixture: 'listen-localhost.mjs', ports: 1, reports: 1 },
  { fixture: 'two-ports.mjs', ports: 2, reports: 2 },
  { fixture: 'backlog.mjs', ports: 2, reports: 2 },
  { fixture: 'callback-and-listener.mjs', ports: 1, reports: 1 },
  { fixture: 'bad-port.mjs', ports: 0, reports: 0 },
  { fixture: 'connect-to-own-port.mjs', ports: 2, reports: 1 },
  { fixture: 'patched-shapes.mjs', ports: 0, reports: 0 },
  // HTTP/2 (probe/http2.ts): the compatibility API with allowHTTP1, and the core API ending on an uncaught stream error.
  { fixture: 'h2-compat.mjs', ports: 1, reports: 1 },
  { fixture: 'h2-core.mjs', ports: 1, reports: 1 },
];

describe('the probe changes nothing but the port', () => {
  it.each(CASES)('$fixture behaves the same under the probe', async ({ fixture, ports: portCount, reports }) => {
    const ports: number[] = [];
    for (let i = 0; i < portCount; i++) {
      let port = await freePort();
      for (let tries = 0; ports.includes(port) && tries < 10; tries++) port = await freePort();
      ports.push(port);
    }
    const args = [...ports.map(String), ...(portCount === 0 ? ['0', '0'] : portCount === 1 ? ['0'] : []), dir];
    const plain = await runProgram(fixture, args, false);
    const probed = await runProgram(fixture, args, true);
    const listens = probed.events.filter((event) => event.t === 'listen');
    const allPorts = [...ports, ...listens.map((event) => Number(event.port))];
    const summary = (run: Run) => ({
      exit: { hung: run.hung, code: run.code, signal: run.signal },
      stdout: mask(run.stdout, allPorts),
      stderr: stderrSummary(run.stderr, allPorts),
    });
    expect(summary(probed), `plain node's stderr:\n${plain.stderr}\nprobed stderr:\n${probed.stderr}`).toEqual(summary(plain));
    // The report other code depends on: one per successful TCP listen, on loopback.
    expect(listens).toHaveLength(reports ?? plain.stdout.match(/\blistening\b/g)?.length ?? 0);
    for (const listen of listens) {
      expect(listen).toMatchObject({ t: 'listen', http: expect.any(Boolean), host: '127.0.0.1', server: expect.any(Number) });
      expect(listen.port).toEqual(expect.any(Number));
      expect(ports).not.toContain(listen.port);
      expect(listen).toHaveProperty('requested');
      expect(listen).toHaveProperty('at');
    }
  });
});
