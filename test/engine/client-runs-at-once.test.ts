// One check of a client lesson may run the program several times at once (lesson
// 10's three non-2xx answers): each run is judged on its own process — its stdout,
// stderr and probe events — not on the check's latest run. Run "a" never exits
// (the harness stops waiting once it has been idle, and reads its output live);
// run "b", started after it, prints something else and exits. Before each run had
// its own view, "a"'s result carried "b"'s output and events (ctx.server followed
// the latest run). focus() then points ctx.server at the run being judged.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import { verify } from '../../src/engine/verify.ts';

const dir = mkdtempSync(join(tmpdir(), 'httpdojo-at-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// client.mjs <name> <url> <hang|exit>: prints its name on stdout and stderr, GETs the URL, then hangs or exits.
writeFileSync(join(dir, 'client.mjs'), `import http from 'node:http';
const [name, url, mode] = process.argv.slice(2);
console.log('out ' + name);
console.error('err ' + name);
http.get(url, (res) => {
  res.resume();
  res.on('end', () => {
    if (mode === 'hang') setInterval(() => {}, 1000);
    else setTimeout(() => process.exit(0), 300);
  });
});
`);

writeFileSync(join(dir, 'check.mjs'), `
const log = globalThis.__atOnceLog;
const paths = (result) => result.events.filter((event) => event.t === 'client-create' || event.t === 'client-req').map((event) => event.path);
export default { checks: [{
  id: 'two-at-once', title: 'two runs of one check at once', timeoutMs: 20000,
  async run(ctx) {
    const [serverA, serverB] = await Promise.all([
      ctx.client.server((_req, res) => res.end('for a')),
      ctx.client.server((_req, res) => res.end('for b')),
    ]);
    const [a, b] = await Promise.all([
      ctx.client.run(serverA, ['a', serverA.origin + '/a', 'hang']),
      ctx.client.run(serverB, ['b', serverB.origin + '/b', 'exit']),
    ]);
    log.push({ name: 'a', exited: a.exited, stdout: a.stdout, stderr: a.stderr, paths: [...new Set(paths(a))] });
    log.push({ name: 'b', exited: b.exited, stdout: b.stdout, stderr: b.stderr, paths: [...new Set(paths(b))] });
    log.push({ name: 'latest', stdout: ctx.server.stdout() });
    // The live view of a run under way is its own too.
    const first = ctx.program.start(['c', serverA.origin + '/c', 'exit'], { timeoutMs: 8000 });
    const second = ctx.program.start(['d', serverB.origin + '/d', 'exit']);
    const [c, d] = await Promise.all([first.result, second.result]);
    log.push({ name: 'c', stdout: c.stdout, live: first.stdout(), paths: [...new Set(paths(c))] });
    log.push({ name: 'd', stdout: d.stdout, live: second.stdout(), paths: [...new Set(paths(d))] });
    first.focus();
    log.push({ name: 'focused c', stdout: ctx.server.stdout() });
    // Judging "a" points ctx.server at it; "a" never exited after its response, so this fails.
    try {
      ctx.client.failCommon(a, serverA, 'we served a');
    } finally {
      log.push({ name: 'focused', stdout: ctx.server.stdout() });
    }
  },
}] };
`);

const lesson: Lesson = {
  id: '01-at-once', number: 1, slug: 'at-once', title: 'at once', kind: 'client', fileStem: 'client', args: [], deadlineMs: 60_000,
  pitfalls: [], dir, checkFile: join(dir, 'check.mjs'), reruns: [], certs: false,
};

it('two runs of one check at once each see only their own output and events', { timeout: 90_000 }, async () => {
  const log: Array<Record<string, unknown>> = [];
  (globalThis as { __atOnceLog?: unknown[] }).__atOnceLog = log;
  const verdict = await verify(lesson, join(dir, 'client.mjs'), {});
  const entry = (name: string) => log.find((line) => line.name === name);

  // "a" never exits: failCommon calls it lingering after its response (a failure,
  // not an engine error), after the look-ups the test is about were logged.
  expect([verdict.checks[0].status, verdict.checks[0].pitfall], JSON.stringify(verdict.checks[0])).toEqual(['failed', 'timeout']);
  expect(entry('a')).toEqual({ name: 'a', exited: false, stdout: 'out a\n', stderr: 'err a\n', paths: ['/a'] });
  expect(entry('b')).toEqual({ name: 'b', exited: true, stdout: 'out b\n', stderr: 'err b\n', paths: ['/b'] });
  expect(entry('latest')).toEqual({ name: 'latest', stdout: 'out b\n' });
  expect(entry('focused')).toEqual({ name: 'focused', stdout: 'out a\n' });
  expect(entry('c')).toEqual({ name: 'c', stdout: 'out c\n', live: 'out c\n', paths: ['/c'] });
  expect(entry('d')).toEqual({ name: 'd', stdout: 'out d\n', live: 'out d\n', paths: ['/d'] });
  expect(entry('focused c')).toEqual({ name: 'focused c', stdout: 'out c\n' });
});
