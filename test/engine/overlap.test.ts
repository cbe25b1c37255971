// A server lesson's `concurrent` checks run beside the check before them
// (src/engine/verify/overlap.ts), each seeing only the requests of its own
// connections; a window that does not pass whole is dropped and the run goes
// on one check at a time from a fresh program that replayed the checks before
// it, so the verdict is the one-at-a-time verdict.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import { verify } from '../../src/engine/verify.ts';

const dir = mkdtempSync(join(tmpdir(), 'httpdojo-overlap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// /hit counts (state a one-at-a-time run relies on), /slow?ms=N answers after N ms,
// /fail answers 500, /crash throws inside the handler.
writeFileSync(join(dir, 'server.mjs'), `import http from 'node:http';
let hits = 0;
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/hit') return res.end(String(++hits));
  if (url.pathname === '/slow') return setTimeout(() => res.end('slow'), Number(url.searchParams.get('ms')));
  if (url.pathname === '/crash') throw new Error('boom');
  res.statusCode = url.pathname === '/fail' ? 500 : 200;
  res.end(url.pathname);
}).listen(3000);
`);

// Each check notes what its ctx.server saw; the test reads the log (same process).
const checks = `
const log = globalThis.__overlapLog;
const slow = (id, ms, extra = {}) => ({ id, title: id, ...extra, async run(ctx) {
  const res = await ctx.http.request('GET', '/slow?ms=' + ms);
  if (res.status !== 200) ctx.fail('wrong-status', id + ' got ' + res.status);
  log.push(id + ' saw ' + ctx.server.requests().map((r) => r.url).join(','));
} });
const hitOnce = { id: 'hit-once', title: 'the first hit', async run(ctx) {
  const res = await ctx.http.request('GET', '/hit');
  log.push('hit-once got ' + res.body.toString());
  if (res.body.toString() !== '1') ctx.fail('wrong-body', 'hit ' + res.body.toString());
} };
const get = (id, target, extra = {}) => ({ id, title: id, ...extra, async run(ctx) {
  const res = await ctx.http.request('GET', target);
  if (res.status !== 200) ctx.fail('wrong-status', target + ' got ' + res.status);
} });
// The connection closes before the exit is reported: wait for it, as the lessons' crash checks do.
const crashes = (extra = {}) => ({ id: 'crashes', title: 'crashes', ...extra, async run(ctx) {
  await ctx.http.request('GET', '/crash').catch(async (error) => {
    await ctx.program.waitForExit(2000);
    throw error;
  });
} });
const lessons = {
  pass: [slow('a', 400), slow('b', 400, { concurrent: true }), slow('c', 400, { concurrent: true }), slow('d', 100)],
  fail: [hitOnce, get('fails', '/fail', { concurrent: true }), slow('beside', 200, { concurrent: true }), get('after', '/after')],
  crash: [hitOnce, crashes({ concurrent: true }), slow('survives', 300, { concurrent: true })],
  'crash-one-at-a-time': [hitOnce, crashes(), slow('survives', 300)],
};
export default { checks: lessons[globalThis.__overlapLesson] };
`;

const lesson: Lesson = {
  id: '03-overlap', number: 3, slug: 'overlap', title: 'overlap', kind: 'server', fileStem: 'server', args: [], deadlineMs: 60_000,
  pitfalls: [], dir, checkFile: join(dir, 'check-pass.mjs'), reruns: [], certs: false,
};

async function run(name: string): Promise<{ log: string[]; verdict: Awaited<ReturnType<typeof verify>> }> {
  const log: string[] = [];
  Object.assign(globalThis, { __overlapLog: log, __overlapLesson: name });
  // A module of its own per case: it reads the globals when it loads.
  const checkFile = join(dir, `check-${name}.mjs`);
  writeFileSync(checkFile, checks);
  const verdict = await verify({ ...lesson, checkFile }, join(dir, 'server.mjs'));
  return { log, verdict };
}

const statuses = (verdict: Awaited<ReturnType<typeof verify>>) => verdict.checks.map((check) => [check.id, check.status, check.pitfall]);

it('runs concurrent checks beside the one before them, each seeing only its own requests', { timeout: 60_000 }, async () => {
  const { log, verdict } = await run('pass');
  expect(statuses(verdict)).toEqual([['listens', 'passed', null], ['a', 'passed', null], ['b', 'passed', null], ['c', 'passed', null], ['d', 'passed', null]]);
  // Three 400 ms checks at once, then d: well under the 1.3 s of one at a time.
  const [a, b, c, d] = verdict.checks.slice(1).map((check) => check.durationMs);
  expect(verdict.checks.slice(1).reduce((sum, check) => sum + check.durationMs, 0)).toBeGreaterThan(1200);
  expect(Math.max(a, b, c) + d).toBeLessThan(1150);
  for (const id of ['a', 'b', 'c', 'd']) expect(log).toContain(`${id} saw /slow?ms=${id === 'd' ? 100 : 400}`);
  // Each timeline holds its own request only: one "request GET" on the server side.
  for (const check of verdict.checks.slice(1)) {
    const requests = (check.timeline ?? []).filter((event) => event.side === 'server' && /^request [A-Z]+ \//.test(event.note));
    expect(requests.map((event) => event.note), check.id).toHaveLength(1);
  }
});

it('drops a window with a failure and gives the one-at-a-time verdict from a fresh program', { timeout: 60_000 }, async () => {
  const { log, verdict } = await run('fail');
  expect(statuses(verdict)).toEqual([
    ['listens', 'passed', null], ['hit-once', 'passed', null], ['fails', 'failed', 'wrong-status'], ['beside', 'passed', null], ['after', 'passed', null],
  ]);
  // hit-once ran twice, each time on a program of its own (a second hit on the same one is 2).
  expect(log.filter((line) => line.startsWith('hit-once got'))).toEqual(['hit-once got 1', 'hit-once got 1']);
});

it('a crash in a window is the crashing check\'s alone, as one at a time', { timeout: 60_000 }, async () => {
  const { verdict } = await run('crash');
  const { verdict: alone } = await run('crash-one-at-a-time');
  expect(statuses(verdict)).toEqual([['listens', 'passed', null], ['hit-once', 'passed', null], ['crashes', 'failed', 'crash'], ['survives', 'passed', null]]);
  expect(statuses(verdict)).toEqual(statuses(alone));
});
