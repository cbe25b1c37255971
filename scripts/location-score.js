// The location figure: for every mistake program (lessons/*/mistakes/ and the
// harder shapes in test/fixtures/mistake-shapes/<lesson>/), does verify give
// exactly its declared pitfall AND point at its `// BUG:` line? A mentor points
// at one line; a right pitfall on the wrong line still sends the learner hunting.
//
//   node scripts/location-score.js [--lessons 1,4] [--only lessons|shapes] [--jobs 2] [--json]
//
// Prints one line per program and the figure; exit 0 always (the vitest test
// test/lessons/location-score.test.ts holds the 95 % bar). Needs `npm run build`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every mistake program of the chosen lessons: { lesson, file, set: 'lessons' | 'shapes' }. */
export function mistakePrograms(lessons, { only } = {}) {
  const programs = [];
  const isProgram = (name) => /\.(m|c)?(t|j)s$/.test(name);
  for (const lesson of lessons) {
    const dirs = [
      ['lessons', join(lesson.dir, 'mistakes')],
      ['shapes', join(root, 'test', 'fixtures', 'mistake-shapes', lesson.id)],
    ];
    for (const [set, dir] of dirs) {
      if (only && only !== set) continue;
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).filter(isProgram).sort()) programs.push({ lesson, file: join(dir, name), set });
    }
  }
  return programs;
}

/**
 * Verifies each program (`jobs` at a time) and judges it as `dev check` does.
 * Returns one row per program: pitfall right?, line right?, what it pointed at.
 */
export async function scoreLocations({ lessons: wanted, only, jobs = 2, onRow } = {}) {
  const { loadCourse } = await import('../dist/course/lessons.js');
  const { readMistake, judgeMistake } = await import('../dist/engine/self-check.js');
  const { verify } = await import('../dist/engine/verify.js');
  const lessons = loadCourse(join(root, 'lessons')).filter((lesson) => lesson.checkFile && (!wanted || wanted.some((n) => lesson.id.startsWith(n.padStart(2, '0')))));
  const queue = mistakePrograms(lessons, { only });
  const rows = [];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const mistake = readMistake(item.file);
      const row = { lesson: item.lesson.id, set: item.set, file: item.file.replace(root, ''), expected: mistake?.pitfall ?? null, bugLines: mistake?.bugLines ?? [], pitfalls: [], line: null, pitfallOk: false, lineOk: false, problem: null };
      if (!mistake || mistake.bugLines.length === 0) {
        row.problem = 'no "// pitfall:" header or no // BUG: line';
      } else {
        try {
          const verdict = await verify(item.lesson, item.file, { compiledChecksDir: join(root, 'dist', 'lessons') });
          const first = verdict.checks.find((check) => check.status === 'failed');
          row.pitfalls = verdict.pitfalls;
          row.line = first?.location?.file === item.file ? first.location.line : null;
          row.pitfallOk = verdict.pitfalls.length === 1 && verdict.pitfalls[0] === mistake.pitfall;
          row.lineOk = row.pitfallOk && row.line !== null && mistake.bugLines.includes(row.line);
          row.problem = judgeMistake(mistake, verdict).problem;
        } catch (error) {
          row.problem = `verify could not run: ${error.message}`;
        }
      }
      rows.push(row);
      onRow?.(row);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return rows;
}

export function figure(rows) {
  const count = (list) => ({ total: list.length, pitfall: list.filter((r) => r.pitfallOk).length, line: list.filter((r) => r.lineOk).length });
  return { all: count(rows), lessons: count(rows.filter((r) => r.set === 'lessons')), shapes: count(rows.filter((r) => r.set === 'shapes')) };
}

const percent = (part, total) => (total ? ((100 * part) / total).toFixed(1) : '-');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { lessons: { type: 'string' }, only: { type: 'string' }, jobs: { type: 'string', default: '2' }, json: { type: 'boolean' } } });
  const rows = await scoreLocations({
    lessons: values.lessons?.split(','),
    only: values.only,
    jobs: Number(values.jobs),
    onRow: values.json ? undefined : (row) => console.log(`${row.lineOk ? 'ok  ' : 'MISS'} ${row.file}  ${row.lineOk ? '' : row.problem}`),
  });
  const result = figure(rows);
  if (values.json) console.log(JSON.stringify({ rows, figure: result }, null, 2));
  else {
    for (const [name, f] of Object.entries(result)) {
      console.log(`${name.padEnd(8)} ${f.line}/${f.total} on the // BUG: line (${percent(f.line, f.total)} %), ${f.pitfall}/${f.total} with exactly the pitfall`);
    }
  }
}
