// Identical programs must get identical verdicts, even on a loaded machine.
// For each lesson: verify its solution and each mistake N times in a row while
// another verify (the lesson's own solution, in a loop) runs beside it, and
// report every program whose verdict (passed + pitfalls + first failed check)
// was not the same every time.
//
//   node scripts/repeat-verdicts.js --times 20 --lessons 4,5,6
//
// Exit code 0 when every verdict was stable, 1 otherwise. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { times: { type: 'string', default: '20' }, lessons: { type: 'string' }, quiet: { type: 'boolean' } } });
const times = Number(values.times);
const lessonDirs = readdirSync(join(root, 'lessons')).filter((name) => /^\d{2}-/.test(name) && existsSync(join(root, 'lessons', name, 'check.ts')));
const wanted = values.lessons ? values.lessons.split(',').map((n) => n.padStart(2, '0')) : null;
const chosen = lessonDirs.filter((name) => !wanted || wanted.some((n) => name.startsWith(n)));

function verify(lesson, file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/httpdojo.js'), 'verify', lesson, '--file', file, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        const verdict = JSON.parse(out);
        const first = verdict.checks?.find((check) => check.status === 'failed');
        resolve(`${verdict.passed ? 'pass' : 'fail'} [${(verdict.pitfalls ?? []).join(',')}] first=${first?.id ?? '-'}@${first?.location?.line ?? '-'}`);
      } catch {
        resolve(`no verdict (exit ${code})`);
      }
    });
  });
}

let unstable = 0;
for (const lesson of chosen) {
  const dir = join(root, 'lessons', lesson);
  const solution = ['solution.ts', 'solution.js'].map((name) => join(dir, name)).find(existsSync);
  const mistakes = existsSync(join(dir, 'mistakes')) ? readdirSync(join(dir, 'mistakes')).map((name) => join(dir, 'mistakes', name)) : [];
  // The neighbour: another verify of the same lesson, running the whole time.
  let stop = false;
  const neighbour = (async () => {
    for (let i = 0; !stop && i < 10_000; i++) await verify(lesson, solution);
  })();
  for (const file of [solution, ...mistakes]) {
    const seen = new Map();
    for (let i = 0; i < times; i++) {
      const key = await verify(lesson, file);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const name = file.slice(root.length);
    if (seen.size === 1) {
      if (!values.quiet) console.log(`stable    ${name}: ${[...seen.keys()][0]} ×${times}`);
    } else {
      unstable++;
      console.log(`UNSTABLE  ${name}: ${[...seen].map(([key, count]) => `${key} ×${count}`).join(' | ')}`);
    }
  }
  stop = true;
  await neighbour;
}
console.log(unstable ? `${unstable} program(s) with unstable verdicts` : `all verdicts stable (${times} runs each, with a parallel verify)`);
process.exitCode = unstable ? 1 : 0;
