// Issue 12 §3, end to end, one lesson each: a failing mistake fixture in a fresh
// workspace (its listen port made a free one), `verify --json` prints a reproduce
// command for the failed check, `httpdojo run` starts the program as a learner
// would, the printed command runs verbatim in sh (curl, node -e, httpdojo
// replay), and the check's symptom shows up again: a hang (curl exit 28), U+FFFD
// in the body, a crash of the program, a reset (exit 56), a missing header.

import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, isListening, killStartedClis, limiter, parseOneDocument, requireBuild, ROOT, runCli, sleep, startCli, type CliResult } from './cli-support.js';

requireBuild();
const hasCurl = await new Promise<boolean>((resolve) => execFile('curl', ['--version'], (error) => resolve(!error)));

interface Outcome {
  kind: string;
  command: string;
  /** The printed command's exit code, stdout and stderr. */
  code: number;
  stdout: string;
  stderr: string;
  /** What `httpdojo run` printed (the program's own output included), and whether the program had exited. */
  runOutput: string;
  runExited: boolean;
}

interface Case {
  lesson: string;
  mistake: string;
  check: string;
  kind: 'curl' | 'node' | 'replay' | 'run';
  symptom: (outcome: Outcome) => void;
}

const REPLACEMENT = '\uFFFD';

const CASES: Case[] = [
  { lesson: '01-hello-server', mistake: 'missing-res-end', check: 'get-root', kind: 'curl', symptom: (o) => expect(o.code, 'curl gave up at --max-time').toBe(28) },
  {
    lesson: '02-reading-requests', mistake: 'host-header-url-base', check: 'empty-host', kind: 'curl',
    symptom: (o) => {
      expect(o.runExited, 'the program crashed').toBe(true);
      expect(o.runOutput).toMatch(/ERR_INVALID_URL/);
    },
  },
  {
    lesson: '03-json-routing', mistake: 'missing-allow-header', check: 'method-not-allowed', kind: 'curl',
    symptom: (o) => {
      expect(o.stdout).toMatch(/^HTTP\/1\.1 405 /m);
      expect(o.stdout).not.toMatch(/^Allow:/im);
    },
  },
  { lesson: '04-post-body', mistake: 'string-concat-chunks', check: 'post-multibyte-split', kind: 'node', symptom: (o) => expect(o.stdout).toMatch(new RegExp(`"name":"Zo[^"]*${REPLACEMENT}`)) },
  // (Which split character comes back replaced depends on the server's reads: a server
  // stalled for one 50 ms gap reads two pieces as one chunk and decodes that character
  // whole; 'Zoë ����' is the same failure as 'Zo�� 😀'.)
  {
    // The 413 is lost: the connection is cut while the body is still arriving. Reset (56) when unread
    // bytes were in the server's buffer, a plain close otherwise (a loaded machine sends slower): a race
    // in the pitfall itself (RFC 9112 §9.6), so either ending counts, the 413 never does.
    lesson: '05-body-limit', mistake: 'body-limit-reset', check: 'chunked-over-limit-413', kind: 'replay',
    symptom: (o) => {
      expect(o.stdout).not.toMatch(/^HTTP\/1\.1 413/m);
      expect(o.stderr).toMatch(/\[1\] (ECONNRESET|EPIPE|closed)/);
    },
  },
  {
    lesson: '06-streaming-and-disconnects', mistake: 'upload-abort-crash', check: 'upload-abort', kind: 'replay',
    symptom: (o) => {
      expect(o.runExited, 'the program crashed').toBe(true);
      expect(o.runOutput).toMatch(/aborted|ECONNRESET/);
    },
  },
  {
    lesson: '07-headers-and-status', mistake: 'content-length-string-length', check: 'greeting-content-length', kind: 'curl',
    symptom: (o) => {
      // Content-Length counted characters: fewer than the body's bytes, so the body is cut short.
      const length = Number(/^Content-Length: (\d+)/im.exec(o.stdout)?.[1]);
      const body = o.stdout.split('\r\n\r\n')[1] ?? '';
      expect(Buffer.byteLength(body)).toBe(length);
      expect(body).not.toMatch(/!$/);
    },
  },
  {
    lesson: '08-static-files', mistake: 'stream-error-crash', check: 'missing-file-404', kind: 'curl',
    symptom: (o) => {
      expect(o.runExited, 'the program crashed').toBe(true);
      expect(o.runOutput).toMatch(/ENOENT/);
    },
  },
  {
    lesson: '09-event-loop', mistake: 'blocking-event-loop', check: 'health-while-hashing', kind: 'node',
    symptom: (o) => {
      // /health (sent last, 11 bytes of JSON) waited behind every hash: its answer arrives after all four of theirs.
      const health = o.stdout.indexOf('Content-Length: 11');
      expect(health).toBeGreaterThan(-1);
      expect(o.stdout.split('Content-Length: 75').length - 1).toBe(4);
      expect(health).toBeGreaterThan(o.stdout.lastIndexOf('Content-Length: 75'));
    },
  },
  { lesson: '10-http-get', mistake: 'string-concat-chunks', check: 'body-in-pieces', kind: 'run', symptom: (o) => expect(o.runOutput).toContain(REPLACEMENT) },
  {
    lesson: '11-http-post', mistake: 'client-missing-end', check: 'post-json', kind: 'run',
    symptom: (o) => {
      // The request is never ended: the program never exits (the check's hang), whatever the demo server answered.
      expect(o.runExited, 'still running after 4 s').toBe(false);
    },
  },
  { lesson: '12-keep-alive', mistake: 'unconsumed-response', check: 'prints-items-in-order', kind: 'run', symptom: (o) => expect(o.runExited).toBe(false) },
  {
    // The check's unreachable upstream: `httpdojo run 13 -- http://127.0.0.1:1` (the note says so).
    lesson: '13-reverse-proxy', mistake: 'proxy-no-upstream-error', check: 'upstream-unreachable-502', kind: 'curl',
    symptom: (o) => {
      // Its 'error' listener runs and never answers: a hang, as in the check.
      expect(o.code, 'curl gave up at --max-time').toBe(28);
      expect(o.runOutput).toMatch(/-> http:\/\/127\.0\.0\.1:1\b/);
    },
  },
  // The server never cut the slow connection: the one-liner had to close it itself, as the check did.
  { lesson: '14-timeouts-and-shutdown', mistake: 'slowloris-unbounded', check: 'slow-headers-cut', kind: 'node', symptom: (o) => expect(o.stderr).toMatch(/\[1\] we close it/) },
  {
    // The check's SIGTERM: replay sends it to the program listening on the port, at the recorded moment.
    lesson: '14-timeouts-and-shutdown', mistake: 'abrupt-shutdown', check: 'sigterm-graceful', kind: 'replay',
    symptom: (o) => {
      expect(o.stderr).toMatch(/SIGTERM sent to pid \d+/);
      expect(o.stderr, 'the request in flight got no answer').toMatch(/\[2\] closed at \+\d+ ms without a byte of answer/);
      expect(o.runExited, 'the program exited at once').toBe(true);
    },
  },
  {
    lesson: '15-mini-framework', mistake: 'sync-throw-crash', check: 'boom-500', kind: 'curl',
    symptom: (o) => {
      expect(o.runExited, 'the program crashed').toBe(true);
      expect(o.runOutput).toMatch(/Error/);
    },
  },
];

const folders: string[] = [];
afterAll(() => {
  killStartedClis();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A port free right now on 127.0.0.1 (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `httpdojo` on the PATH of the printed command: the built CLI. */
function shimDir(root: string): string {
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'httpdojo'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'httpdojo'), 0o755);
  return bin;
}

function sh(command: string, cwd: string, path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd, timeout: 15_000, encoding: 'utf8', env: { ...process.env, PATH: path } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0, stdout, stderr });
    });
  });
}

async function reproduceCase(testCase: Case): Promise<Outcome> {
  const root = mkdtempSync(join(tmpdir(), 'httpdojo-reproduce-'));
  folders.push(root);
  const workspace = join(root, 'ws');
  const init = await runCli(['init', workspace, '--lang', 'ts'], { timeoutMs: 20_000 });
  expect(init.code, init.stderr).toBe(0);
  const lessonNumber = testCase.lesson.slice(0, 2);
  const stem = Number(lessonNumber) >= 10 && Number(lessonNumber) <= 12 ? 'client' : lessonNumber === '13' ? 'proxy' : 'server';
  const port = await freePort();
  // The program's own listen port, made a free one: `httpdojo run` binds what the program asks for.
  const source = readFileSync(join(ROOT, 'lessons', testCase.lesson, 'mistakes', `${testCase.mistake}.ts`), 'utf8').replace(/\.listen\(\s*3000\b/g, `.listen(${port}`);
  mkdirSync(join(workspace, testCase.lesson), { recursive: true });
  writeFileSync(join(workspace, testCase.lesson, `${stem}.ts`), source);

  // Not under npm exec (vitest via npx): the commands name plain `httpdojo`, the shim on PATH.
  const verify = await runCli(['verify', lessonNumber, '--json'], { cwd: workspace, timeoutMs: 60_000, env: { npm_command: undefined, npm_lifecycle_event: undefined } });
  const verdict = parseOneDocument<{ checks: Array<{ id: string; status: string; reproduce?: { kind: string; command: string; note: string } }> }>(verify.stdout);
  const check = verdict.checks.find((candidate) => candidate.id === testCase.check);
  expect(check?.status, `${testCase.check} fails`).toBe('failed');
  const reproduction = check!.reproduce!;
  expect(reproduction.kind).toBe(testCase.kind);
  if (testCase.kind !== 'run') expect(reproduction.command).toContain(testCase.kind === 'replay' ? '' : String(port));

  const path = `${shimDir(root)}:${process.env.PATH}`;
  if (testCase.kind === 'run') {
    // Client lessons: the command *is* the run, against httpdojo's demo server.
    const running = startCli(reproduction.command.replace(/^httpdojo /, '').split(' '), { cwd: workspace, timeoutMs: 20_000 });
    const exited = await Promise.race([running.result.then(() => true), sleep(4000).then(() => false)]);
    if (!exited) running.child.kill('SIGINT');
    const result = await running.result;
    return { kind: reproduction.kind, command: reproduction.command, code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr, runOutput: result.stdout + result.stderr, runExited: exited };
  }
  // `httpdojo run <n>` as the note says, with the arguments it names.
  const runArgs = /`httpdojo (run [^`]+)`/.exec(reproduction.note)?.[1].split(' ') ?? ['run', lessonNumber];
  expect(runArgs.slice(0, 2)).toEqual(['run', String(Number(lessonNumber))]);
  const running = startCli(runArgs, { cwd: workspace, timeoutMs: 30_000 });
  const deadline = Date.now() + 10_000;
  while (!(await isListening(port, 300)) && Date.now() < deadline) await sleep(100);
  const outcome = await sh(reproduction.command, workspace, path);
  // A crash shows as the run's program exiting; give it a moment to be reported.
  const exited = await Promise.race([running.result.then(() => true), sleep(1000).then(() => false)]);
  if (!exited) running.child.kill('SIGINT');
  const run: CliResult = await running.result;
  expect(await isListening(port, 300), 'nothing left listening').toBe(false);
  return { kind: reproduction.kind, command: reproduction.command, ...outcome, runOutput: run.stdout + run.stderr, runExited: exited };
}

const inTurn = limiter(3);

describe.skipIf(!hasCurl)('every lesson: the printed reproduce command shows the failure again against httpdojo run (curl is installed)', () => {
  it.concurrent.each(CASES.map((testCase) => [`${testCase.lesson} ${testCase.mistake} (${testCase.check}, ${testCase.kind})`, testCase] as const))(
    '%s',
    async (_name, testCase) => {
      const outcome = await inTurn(() => reproduceCase(testCase));
      try {
        testCase.symptom(outcome);
      } catch (error) {
        (error as Error).message += `\ncommand: ${outcome.command.slice(0, 400)}\nexit ${outcome.code}\nstdout: ${outcome.stdout.slice(0, 600)}\nstderr: ${outcome.stderr.slice(0, 600)}\nrun: ${outcome.runOutput.slice(0, 800)}`;
        throw error;
      }
    },
    90_000,
  );
});
