// httpdojo dev new <slug> [--kind server|client|proxy] [--pitfall id] [--lessons dir]
// Scaffolds a lesson with the next free number (src/course/scaffold/): its
// example programs pass `dev check` from the start, and what the author still has
// to write carries the stub marker, which `dev check` lists until it is gone.

import { relative } from 'node:path';
import { defaultLessonsDir } from '../../course/lessons.js';
import { planLesson, writeLesson } from '../../course/scaffold/index.js';
import { STUB_MARKER } from '../../course/scaffold/stub.js';
import { style } from '../../report/style.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { OptionsOf } from '../options.js';

export async function run(slug: string | undefined, flags: OptionsOf<'dev'>): Promise<number> {
  if (!slug) throw new CliError('dev new needs a slug: httpdojo dev new cookie-parsing --lessons ./my-course');
  // The built-in course inside an installed package is not the author's to edit
  // (npm replaces it on the next install); in a clone of httpdojo it is.
  if (!flags.lessons && defaultLessonsDir().split(/[\\/]/).includes('node_modules')) {
    throw new CliError('dev new writes into your course: name its folder with --lessons ./my-course (it is created if missing)');
  }
  const lessonsDir = flags.lessons ?? defaultLessonsDir();
  const plan = planLesson(lessonsDir, slug, flags.kind ?? 'server', flags.pitfall);
  writeLesson(lessonsDir, plan);
  const shown = relative(process.cwd(), lessonsDir) || '.';
  const course = shown.startsWith('..') ? lessonsDir : shown;
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${style.green('✓')} ${style.bold(`${plan.id}/`)}, a ${plan.kind} lesson, in ${course}:`);
  for (const file of plan.files) out(`    ${file.path}`);
  for (const page of plan.copiedPages) out(`    ${page}  ${style.dim("(httpdojo's page: the client harness can report this id)")}`);
  for (const page of plan.keptPages) out(`    ${page}  ${style.dim('(already there, kept)')}`);
  out();
  out(`Its example programs already pass dev check: the solution passes, the starter fails, and`);
  out(`mistakes/${plan.pitfall}.ts is diagnosed with ${plan.pitfall} on its // BUG: line.`);
  out(`Replace every ${STUB_MARKER} line with your lesson${flags.pitfall ? '' : ` (--pitfall <id> names the pitfall; rename ${plan.pitfall} everywhere it appears)`}.`);
  out(`dev check lists what is left, one line per file, and exits 1 until nothing is:`);
  out(`  httpdojo dev check --lessons ${course.includes(' ') ? JSON.stringify(course) : course} --only ${Number(plan.id.slice(0, 2))}`);
  return EXIT.ok;
}
