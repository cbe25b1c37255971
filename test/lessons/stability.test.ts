// CI's reduced form of the 20-in-a-row rule (scripts/repeat-verdicts.js): every
// solution and mistake of the most timing-sensitive lessons (06 streams on a
// 100 ms clock, 09 measures the event loop) gets the same verdict twice while
// another verify runs beside it. The full rule, run before a lesson lands:
//   node scripts/repeat-verdicts.js --times 20 --lessons <n>
// (HTTPDOJO_STABILITY_LESSONS / _TIMES widen this test the same way.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lessons = process.env.HTTPDOJO_STABILITY_LESSONS ?? '6,9';
const times = process.env.HTTPDOJO_STABILITY_TIMES ?? '2';

it(`verdicts are stable (${times} runs each, lessons ${lessons}, with a parallel verify)`, { timeout: 1_200_000 }, () => {
  const run = spawnSync(process.execPath, ['scripts/repeat-verdicts.js', '--times', times, '--lessons', lessons, '--quiet'], { cwd: root, encoding: 'utf8', timeout: 1_150_000 });
  expect(run.stdout).toMatch(/all verdicts stable/);
  expect(run.status).toBe(0);
});
