// The numbers behind the README's performance table: medians of several runs of
// the built CLI on this machine. Run with `npm run bench` (after `npm run build`).
// The machine is noisy; a median of 7 is the number to quote, min/max show spread.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
