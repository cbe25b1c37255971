// The per-lesson table of issue 9: the median `verify` of each lesson's own
// solution (the built CLI, as a learner runs it), next to the floor the lesson's
// contract imposes, and why. A lesson with no such wait has a 1 s budget; one
// with a floor must come within 0.5 s of it. Used by bench/run.js; on its own:
//
//   node bench/lessons.js [--runs 5] [--only 6,14]
//
// The floors are read off the contract (CURRICULUM.md) and the checks' own
// constants (lessons/NN/check.ts): time the lesson makes a correct program
// spend, not time the engine spends. Keep them in step when a check changes.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Lesson number → the wait its contract imposes on a correct solution (ms) and where it comes from. */
export const FLOORS = {
  '01': { ms: 0, why: 'none' },
  '02': { ms: 0, why: 'none' },
  '03': { ms: 0, why: 'none' },
  '04': { ms: 0, why: 'none (bodies sent in pieces 15–50 ms apart: ~0.2 s in all)' },
  '05': { ms: 0, why: 'none (a 1 MiB body in 64 KiB pieces 2 ms apart)' },
  '06': { ms: 900, why: 'two 300 ms countdowns at once (countdown-from is concurrent: true), then the 150 ms look for a write after end(); 400 ms watching a countdown the client left (4 steps), ended by the probe’s next report' },
  '07': { ms: 0, why: 'none' },
  '08': { ms: 400, why: 'no wait: a 128 MiB file must cross the loopback (contract: at least 128 MiB), ~0.4 s of I/O' },
  '09': { ms: 1350, why: '/slow?ms=300, eight /slow?ms=400 at once, the learner\'s own pbkdf2: one hash (~0.2 s), then four at once on two cores (~0.45 s)' },
  '10': { ms: 500, why: 'no timer: 8 runs of the client (a node start, ~0.1 s of CPU with the fast start; non-2xx starts its 3 at once), two checks at a time on two cores; 30–150 ms pauses in the bodies' },
  '11': { ms: 400, why: 'no timer: 6 runs of the client (~0.1 s of CPU each; non-2xx starts its 2 at once), two checks at a time on two cores; 40 ms pauses in the answers' },
  '12': { ms: 1400, why: 'three client runs, one per check (two at a time; the third needs the second passed): 20 items answered after 50–200 ms, at most 4 in flight (~0.6 s), plus a start (~0.1 s), twice in a row' },
  '13': { ms: 0, why: 'none (slow upload and slow response pieces: ~0.2 s in all)' },
  '14': { ms: 3300, why: 'the learner\'s own timeouts, the first three at once (concurrent: true): /work?ms=2500 beside the slow-header clients cut by headersTimeout 2 s and an idle keep-alive closed after keepAliveTimeout 1 s + the 1 s Node 20 adds (~2.5 s); then a /work?ms=800 in flight at SIGTERM' },
  '15': { ms: 500, why: 'four uploads one after the other, each predicting the id the one before left: post-creates-user (2 pauses of 30 ms), the two "Zoë 😀" uploads cut in four places 50 ms apart (2 × 200 ms), small-bodies-as-before (2 × 20 ms); 04\'s 400/405 and 05\'s 413 checks run beside them (concurrent: true)' },
  '16': { ms: 0, why: 'none (two servers, a handful of HTTPS handshakes and redirects)' },
  '17': { ms: 700, why: 'no timer: 11 runs of the client (a node start, ~0.1 s of CPU each with the fast start), two checks at a time on two cores; the body comes in pieces with pauses' },
  '18': { ms: 950, why: '/events writes its parts 100 ms apart (200 ms), beside the route checks; then 100 × /slow?ms=300 beside the survival check, whose cancel of /slow?ms=500 at 100 ms and reset of /events at 150 ms wait for those answers (~0.7 s)' },
  '19': { ms: 800, why: 'no timer of its own: 8 runs of the client (~0.1 s of CPU each, two at a time on two cores: ~0.4 s), each waiting for the test server\'s slowest seeded answer (20–200 ms) and the greeting\'s two 40 ms pauses' },
};

/**
 * CPU time (ms) of this process's reaped children and theirs (Linux: cutime +
 * cstime of /proc/self/stat, in clock ticks of 10 ms), or null elsewhere. On a
 * machine shared with other work the wall time swings with the load; the CPU a
 * verify spends (the CLI, the learner processes, tsx) does not.
 */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5), counted from the state field (3).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

function runOnce(lessonNumber, solution) {
  const started = performance.now();
  const cpuBefore = childrenCpuMs();
  const result = spawnSync(process.execPath, ['bin/httpdojo.js', 'verify', lessonNumber, '--file', solution], { cwd: root, stdio: 'ignore', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  const cpuAfter = childrenCpuMs();
  return { ms: performance.now() - started, cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore, passed: result.status === 0 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Prints the table (markdown); returns its rows. */
export function lessonTable({ runs = 5, only = null, log = console.log } = {}) {
  const rows = [];
  log('| lesson | median | min – max | CPU (median) | floor | budget | why the floor |\n|---|---|---|---|---|---|---|');
  for (const dir of readdirSync(join(root, 'lessons')).filter((name) => /^\d\d-/.test(name)).sort()) {
    const number = dir.slice(0, 2);
    if (only && !only.includes(number)) continue;
    const solution = readdirSync(join(root, 'lessons', dir)).find((name) => /^solution\.(m|c)?(t|j)s$/.test(name));
    if (!solution) continue;
    const path = join('lessons', dir, solution);
    runOnce(number, path); // warm the file cache and tsx's transform cache
    const samples = Array.from({ length: runs }, () => runOnce(number, path));
    const times = samples.map((sample) => sample.ms);
    const floor = FLOORS[number] ?? { ms: 0, why: 'not stated' };
    const budget = floor.ms === 0 ? 1000 : floor.ms + 500;
    const ok = samples.every((sample) => sample.passed) ? '' : ' (a run FAILED)';
    const cpu = samples.every((sample) => sample.cpuMs !== null) ? Math.round(median(samples.map((sample) => sample.cpuMs))) : null;
    const row = { lesson: dir, medianMs: Math.round(median(times)), minMs: Math.round(Math.min(...times)), maxMs: Math.round(Math.max(...times)), cpuMs: cpu, floorMs: floor.ms, budgetMs: budget, why: floor.why };
    rows.push(row);
    log(`| ${dir} | ${seconds(row.medianMs)}${ok} | ${seconds(row.minMs)} – ${seconds(row.maxMs)} | ${cpu === null ? '?' : seconds(cpu)} | ${floor.ms ? seconds(floor.ms) : '–'} | ${seconds(budget)} ${row.medianMs <= budget ? '✓' : '✗'} | ${floor.why} |`);
  }
  return rows;
}

/** `httpdojo dev check` of the whole course at its default jobs (DEV_CHECK_JOBS, three): wall time, CPU time and exit code. */
export function timeDevCheck() {
  const started = performance.now();
  const cpuBefore = childrenCpuMs();
  const result = spawnSync(process.execPath, ['bin/httpdojo.js', 'dev', 'check'], { cwd: root, stdio: 'ignore', timeout: 600_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  const cpuAfter = childrenCpuMs();
  return { ms: Math.round(performance.now() - started), cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore, code: result.status };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string' } } });
  const only = values.only ? values.only.split(',').map((n) => n.padStart(2, '0')) : null;
  lessonTable({ runs: Number(values.runs), only });
}
