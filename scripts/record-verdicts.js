// The refactor's safety net: the verdict of every program the repository holds
// (each lesson's solution, starter and mistakes, and every program in
// test/fixtures that names its lesson), reduced to what a learner acts on: per
// check its status, pitfall and the line it points at. Record before moving
// engine or check code, compare after; any difference is printed.
//
//   node scripts/record-verdicts.js --out verdicts.json [--jobs 2] [--lessons 3,4]
//   node scripts/record-verdicts.js --compare verdicts.json [--jobs 2]
//
// Needs `npm run build`. Exit 0 when recording, or when comparing found no
// difference; 1 when a verdict changed.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const isProgram = (name) => /\.(m|c)?(t|j)s$/.test(name) && !name.endsWith('.d.ts');

/** Fixtures outside the per-lesson folders, with the lesson(s) their tests run them against. */
const LOOSE = [
  ['hangs/client-retries-refused.mjs', '10'],
  ['hangs/client-never-exits.mjs', '10'],
  ['hangs/client-never-requests.mjs', '10'],
  ['hangs/client-never-ends-request.mjs', '11'],
  ['hangs/client-never-consumes.mjs', '12'],
  ['hangs/server-endless-padding.mjs', '01'],
  ['hangs/server-never-ends.mjs', '01'],
  ['hangs/server-never-ends.mjs', '03'],
  ['hangs/server-post-never-answers.ts', '04'],
  ['hangs/server-one-route-hangs.ts', '03'],
  ['hangs/proxy-never-answers.mjs', '13'],
  ['robustness/busy-handler.mjs', '03'],
  ['robustness/correct.mjs', '01'],
  ['robustness/correct.cjs', '01'],
  ['robustness/correct.ts', '01'],
  ['robustness/never-listens-exits.mjs', '01'],
  ['robustness/exit-3.mjs', '01'],
  ['robustness/syntax-error.mjs', '01'],
  ['robustness/listen-twice.mjs', '01'],
  ['robustness/listen-localhost.mjs', '01'],
];

function programsOf(lessons) {
  const list = [];
  const add = (lesson, file) => list.push({ lesson, file });
  const inDir = (lesson, dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).filter(isProgram).sort()) add(lesson, join(dir, name));
  };
  for (const lesson of lessons) {
    for (const name of readdirSync(lesson.dir).filter((n) => /^(solution|starter)\./.test(n)).sort()) add(lesson, join(lesson.dir, name));
    inDir(lesson, join(lesson.dir, 'mistakes'));
    inDir(lesson, join(root, 'test', 'fixtures', 'mistake-shapes', lesson.id));
    inDir(lesson, join(root, 'test', 'fixtures', 'correct', lesson.id));
  }
  for (const [fixture, number] of LOOSE) {
    const lesson = lessons.find((l) => l.id.startsWith(number));
    if (lesson) add(lesson, join(root, 'test', 'fixtures', fixture));
  }
  return list;
}

/** What a learner acts on, per check: `status pitfall file:line`. */
function summarize(verdict) {
  return verdict.checks.map((check) => {
    const where = check.location ? `${basename(check.location.file)}:${check.location.line}` : '-';
    return `${check.id} ${check.status}${check.pitfall ? ` ${check.pitfall} ${where}` : ''}`;
  });
}

async function recordAll({ wanted, jobs }) {
  const { loadCourse } = await import('../dist/course/lessons.js');
  const { verify } = await import('../dist/engine/verify.js');
  const lessons = loadCourse(join(root, 'lessons')).filter((l) => l.checkFile && (!wanted || wanted.some((n) => l.id.startsWith(n.padStart(2, '0')))));
  const queue = programsOf(lessons);
  const out = {};
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const key = `${item.lesson.id} ${relative(root, item.file)}`;
      try {
        const verdict = await verify(item.lesson, item.file, { compiledChecksDir: join(root, 'dist', 'lessons') });
        out[key] = summarize(verdict);
      } catch (error) {
        out[key] = [`verify threw: ${error.message}`];
      }
      process.stderr.write('.');
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  process.stderr.write('\n');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, compare: { type: 'string' }, jobs: { type: 'string', default: '2' }, lessons: { type: 'string' } } });
  const wanted = values.lessons?.split(',');
  const now = await recordAll({ wanted, jobs: Number(values.jobs) });
  if (values.out) {
    writeFileSync(values.out, `${JSON.stringify(now, null, 1)}\n`);
    console.log(`${Object.keys(now).length} programs recorded in ${values.out}`);
  }
  if (values.compare) {
    const before = JSON.parse(readFileSync(values.compare, 'utf8'));
    let changed = 0;
    for (const key of Object.keys(now)) {
      if (!(key in before)) continue;
      const a = before[key].join('\n');
      const b = now[key].join('\n');
      if (a !== b) {
        changed++;
        console.log(`changed: ${key}\n  before: ${before[key].join('\n          ')}\n  after:  ${now[key].join('\n          ')}`);
      }
    }
    console.log(`${Object.keys(now).length} programs compared, ${changed} changed`);
    process.exitCode = changed ? 1 : 0;
  }
}
