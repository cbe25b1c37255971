// The probe's 'settled' event (src/engine/probe/settle.ts) ends the engine's
// look for a crash just after a listen (src/engine/verify/start.ts). It may
// only come when waiting longer could not catch more: never before an error
// that a later tick, a timer or a dns lookup of the start-up still throws.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LearnerProcess } from '../../src/engine/learner-process.ts';
import { settled } from '../../src/engine/probe/settle.ts';

const START_MS = 15_000;

const dir = mkdtempSync(join(tmpdir(), 'hdj-settle-'));
const programs: LearnerProcess[] = [];
// afterAll, not afterEach: the tests run concurrently, and one test's afterEach would stop the others' programs.
afterAll(async () => {
  await Promise.all(programs.splice(0).map((program) => program.stop()));
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function start(lines: string[]): LearnerProcess {
  const file = join(dir, `program-${counter++}.mjs`);
  writeFileSync(file, lines.join('\n') + '\n');
  const program = new LearnerProcess({ file });
  programs.push(program);
  return program;
}

/** The kinds of the events after the first listen, until the program settled, exited or 3 s passed. */
async function afterListen(program: LearnerProcess): Promise<string[]> {
  const listen = await program.waitForEvent('listen', { timeoutMs: START_MS });
  if (!listen) throw new Error(`the program never listened; stderr: ${program.stderr.text()}`);
  const since = program.events.indexOf(listen);
  await program.waitForEvent('settled', { timeoutMs: 3000, since });
  return program.events.slice(since).map((event) => (event.t === 'uncaught' ? `uncaught ${event.code ?? event.message}` : event.t)).filter((t) => t !== 'tick');
}

const SERVER = `import http from 'node:http';\nconst handler = (_req, res) => res.end('ok');`;

describe('settled() from the resource names', () => {
  it('is true with servers only, or stdio that is the process own', () => {
    expect(settled(['TCPServerWrap'])).toBe(true);
    expect(settled(['TCPServerWrap', 'PipeServerWrap'])).toBe(true);
    expect(settled(['PipeWrap', 'PipeWrap', 'TCPServerWrap'], () => 2)).toBe(true);
    expect(settled([])).toBe(true);
  });
  it('is false while anything could still call the program back', () => {
    for (const pending of ['Timeout', 'Immediate', 'FSReqCallback', 'FSReqPromise', 'GetAddrInfoReqWrap', 'TCPSocketWrap', 'TCPConnectWrap', 'ProcessWrap', 'FSEventWrap', 'CloseReq']) {
      expect(settled(['TCPServerWrap', pending]), pending).toBe(false);
    }
    // A third pipe is not stdout or stderr: a socket or a child's pipe.
    expect(settled(['PipeWrap', 'PipeWrap', 'PipeWrap', 'TCPServerWrap'], () => 2)).toBe(false);
    expect(settled(['PipeWrap', 'TCPServerWrap'], () => 0)).toBe(false);
  });
});

describe.concurrent('the probe reports the start-up settled', () => {
  it('after a plain listen, and after the program printed', { timeout: 30_000 }, async () => {
    const program = start([SERVER, `console.log('listening');`, `http.createServer(handler).listen(3000, () => console.log('up'));`]);
    const kinds = await afterListen(program);
    expect(kinds).toEqual(['listen', 'settled']);
    expect(program.events.find((event) => event.t === 'settled')).toMatchObject({ listens: 1 });
  });

  it('not before a second server on the same port fails (EADDRINUSE, a later tick)', { timeout: 30_000 }, async () => {
    const program = start([SERVER, `for (const server of [http.createServer(handler), http.createServer(handler)]) server.listen(3000);`]);
    expect(await afterListen(program)).toEqual(['listen', 'uncaught EADDRINUSE', 'exit']);
  });

  it('not before a second listen that binds after a dns lookup fails', { timeout: 30_000 }, async () => {
    const program = start([SERVER, `http.createServer(handler).listen(3000);`, `http.createServer(handler).listen(3000, 'localhost');`]);
    const kinds = await afterListen(program);
    expect(kinds).not.toContain('settled');
    expect(kinds).toContain('uncaught EADDRINUSE');
  });

  it('not before a throw in the listen callback', { timeout: 30_000 }, async () => {
    const program = start([SERVER, `http.createServer(handler).listen(3000, () => { throw new Error('boom in listening'); });`]);
    expect(await afterListen(program)).toEqual(['listen', 'uncaught boom in listening', 'exit']);
  });

  it('not while a timer of the start-up is pending: a throw 40 ms later is still seen first', { timeout: 30_000 }, async () => {
    const program = start([SERVER, `http.createServer(handler).listen(3000);`, `setTimeout(() => { throw new Error('late'); }, 40);`]);
    expect(await afterListen(program)).toEqual(['listen', 'uncaught late', 'exit']);
  });

  it('not while a file read of the start-up is pending', { timeout: 30_000 }, async () => {
    const program = start([SERVER, `import { readFile } from 'node:fs';`, `http.createServer(handler).listen(3000);`, `readFile(import.meta.filename, () => { throw new Error('after read'); });`]);
    expect((await afterListen(program)).filter((kind) => kind !== 'read-file')).toEqual(['listen', 'uncaught after read', 'exit']);
  });

  it('after the last of two listens, once a long-running timer is cleared', { timeout: 30_000 }, async () => {
    const program = start([
      SERVER,
      `http.createServer(handler).listen(3000);`,
      `const timer = setTimeout(() => {}, 60_000);`,
      `setTimeout(() => { http.createServer(handler).listen(3001); clearTimeout(timer); }, 30);`,
    ]);
    const kinds = await afterListen(program);
    expect(kinds).toEqual(['listen', 'listen', 'settled']);
    expect(program.events.find((event) => event.t === 'settled')).toMatchObject({ listens: 2 });
  });
});
