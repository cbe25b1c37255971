// A client lesson's checks run two at a time (src/engine/verify/run.ts), yet the
// verdict is the one a run one check at a time gives: a check whose `needs`
// failed, or that follows a check that called ctx.skipLaterChecks, is skipped
// with the same reason, and its run started ahead of its turn is stopped (its
// client never gets to print). Each check's ctx.server is its own client run,
// even while another check's client runs beside it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import { verify } from '../../src/engine/verify.ts';

const dir = mkdtempSync(join(tmpdir(), 'httpdojo-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The client: prints its name after the given pause, then exits.
writeFileSync(join(dir, 'client.mjs'), 'const [ms, name] = process.argv.slice(2);\nsetTimeout(() => console.log(name), Number(ms));\n');

// The checks write what happened into a log the test reads (same process).
writeFileSync(join(dir, 'check.mjs'), `
const log = globalThis.__aheadLog;
const own = async (ctx, ms, name) => {
  const run = await ctx.program.run([String(ms), name], { timeoutMs: 8000 });
  // The check's view of "the program" is its own client, not one running beside it.
  log.push(name + ' saw ' + JSON.stringify(ctx.server.stdout().trim()) + ' ran ' + JSON.stringify(run.stdout.trim()));
  return run;
};
export default { checks: [
  { id: 'first', title: 'fails', async run(ctx) { await own(ctx, 400, 'first'); ctx.fail('wrong-body', 'first fails'); } },
  { id: 'second', title: 'needs first', needs: ['first'], async run(ctx) { log.push('second started'); await own(ctx, 6000, 'second'); } },
  { id: 'third', title: 'passes', async run(ctx) { const run = await own(ctx, 300, 'third'); if (run.stdout.trim() !== 'third') ctx.fail('wrong-body', 'got ' + run.stdout); } },
  { id: 'fourth', title: 'passes beside third', async run(ctx) { await own(ctx, 50, 'fourth'); } },
  { id: 'fifth', title: 'would hang', async run(ctx) { await own(ctx, 100, 'fifth'); ctx.skipLaterChecks('not run: fifth would hang again'); ctx.fail('timeout', 'fifth hangs'); } },
  { id: 'sixth', title: 'skipped', async run(ctx) { log.push('sixth started'); await own(ctx, 6000, 'sixth'); } },
] };
`);

const lesson: Lesson = {
  id: '01-ahead', number: 1, slug: 'ahead', title: 'ahead', kind: 'client', fileStem: 'client', args: [], deadlineMs: 60_000,
  pitfalls: [], dir, checkFile: join(dir, 'check.mjs'), reruns: [], certs: false,
};

it('runs client checks ahead of their turn and still gives the one-at-a-time verdict', { timeout: 90_000 }, async () => {
  const log: string[] = [];
  (globalThis as { __aheadLog?: string[] }).__aheadLog = log;
  const order: string[] = [];
  const verdict = await verify(lesson, join(dir, 'client.mjs'), { onCheck: (result) => order.push(result.id) });

  expect(verdict.checks.map((check) => [check.id, check.status, check.status === 'skipped' ? check.message : check.pitfall])).toEqual([
    ['first', 'failed', 'wrong-body'],
    ['second', 'skipped', 'skipped because "first" did not pass'],
    ['third', 'passed', null],
    ['fourth', 'passed', null],
    ['fifth', 'failed', 'timeout'],
    ['sixth', 'skipped', 'not run: fifth would hang again'],
  ]);
  // Reported in check order, whatever finished first.
  expect(order).toEqual(['first', 'second', 'third', 'fourth', 'fifth', 'sixth']);
  // Each check saw its own client's output.
  for (const name of ['first', 'third', 'fourth', 'fifth']) expect(log).toContain(`${name} saw "${name}" ran "${name}"`);
  // On two cores or more, the check after "first" was started before "first" failed.
  if (availableParallelism() >= 2) expect(log).toContain('second started');
  // A check started ahead and then skipped was stopped before its client printed anything.
  for (const name of ['second', 'sixth']) {
    const ran = log.filter((line) => line.startsWith(`${name} saw`));
    expect(ran.every((line) => line === `${name} saw "" ran ""`), ran.join('\n')).toBe(true);
  }
  // Two 6 s clients never ran to their end.
  expect(verdict.durationMs).toBeLessThan(6000 + 5000);
});
