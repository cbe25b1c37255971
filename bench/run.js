// The numbers behind the README's performance table: medians of several runs of
// the built CLI on this machine. Run with `npm run bench` (after `npm run build`).
// The machine is noisy; a median of 7 is the number to quote, min/max show spread.
//
// Then the per-lesson table (bench/lessons.js: median of 5 `verify` of each
// lesson's solution beside the floor its contract imposes) and the wall time of
// `httpdojo dev check` for the whole course at its default three jobs.
// BENCH_LESSONS=0 or BENCH_DEV_CHECK=0 leaves either out; BENCH_ONLY=6,14 narrows the table.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lessonTable, timeDevCheck } from './lessons.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 7);

const cases = [
  { name: 'httpdojo --help', args: ['--help'], budgetMs: 150 },
  { name: 'httpdojo --version', args: ['--version'], budgetMs: 150 },
  { name: 'httpdojo list', args: ['list'], budgetMs: 150 },
  { name: 'node -e 0 (baseline)', command: process.execPath, args: ['-e', '0'] },
  { name: 'verify 1, correct program', args: ['verify', '1', '--file', 'lessons/01-hello-server/solution.ts'], budgetMs: 1000 },
  { name: 'verify 1, missing res.end()', args: ['verify', '1', '--file', 'lessons/01-hello-server/mistakes/missing-res-end.ts'] },
];

function time(command, args) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'ignore', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`| what | median | min | max | budget |\n|---|---|---|---|---|`);
for (const entry of cases) {
  const command = entry.command ?? process.execPath;
  const args = entry.command ? entry.args : ['bin/httpdojo.js', ...entry.args];
  time(command, args); // warm the file cache
  const samples = Array.from({ length: runs }, () => time(command, args));
  const fmt = (ms) => `${Math.round(ms)} ms`;
  const budget = entry.budgetMs ? `${entry.budgetMs} ms ${median(samples) <= entry.budgetMs ? '✓' : '✗'}` : '';
  console.log(`| ${entry.name} | ${fmt(median(samples))} | ${fmt(Math.min(...samples))} | ${fmt(Math.max(...samples))} | ${budget} |`);
}

if (process.env.BENCH_LESSONS !== '0') {
  console.log(`\nverify of each lesson's solution, median of ${process.env.BENCH_LESSON_RUNS ?? 5}:\n`);
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((n) => n.padStart(2, '0')) : null;
  lessonTable({ runs: Number(process.env.BENCH_LESSON_RUNS ?? 5), only });
}
if (process.env.BENCH_DEV_CHECK !== '0') {
  const { ms, cpuMs, code } = timeDevCheck();
  const cpu = cpuMs === null ? '' : `, ${(cpuMs / 1000).toFixed(1)} s of CPU`;
  console.log(`\nhttpdojo dev check (whole course, three jobs): ${(ms / 1000).toFixed(1)} s${cpu}, exit ${code} (budget 90 s ${ms <= 90_000 ? '✓' : '✗'})`);
}
