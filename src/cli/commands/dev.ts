// httpdojo dev check [--lessons dir] [--only 1,4]
// First the structure (src/engine/course-structure.ts: one line per problem, the
// file to open first), running nothing; then the behaviour of the sound lessons.
// Proves a course sound: every solution passes, every starter fails, every
// mistake fails with exactly its declared pitfall, on its // BUG: line.

import { relative } from 'node:path';
import { CourseError, loadCourse, resolveLesson, type Lesson } from '../../course/lessons.js';
import { courseStructureProblems, courseStubs, type StructureProblem } from '../../engine/course-structure.js';
import { killAllLearnerProcesses } from '../../engine/learner-process.js';
import { DEV_CHECK_JOBS, selfCheckCourse } from '../../engine/self-check.js';
import { style } from '../../report/style.js';
import { compiledChecksDir, lessonsDirFrom } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { STUB_MARKER as STUB_NOTE } from '../../course/scaffold/stub.js';
import type { OptionsOf } from '../options.js';

export async function run([task, name]: string[], flags: OptionsOf<'dev'>): Promise<number> {
  if (task === 'new') return (await import('./dev-new.js')).run(name, flags);
  if (task !== 'check') throw new CliError(`unknown dev task "${task}" (the tasks are: check, new)`);
  // Mutation testing runs the solutions' mutants, not the course's own programs (src/engine/mutate/).
  if (flags.mutate) return (await import('./dev-mutate.js')).run(flags);
  const lessonsDir = lessonsDirFrom(flags);
  const started = performance.now();
  // Structure first: it reads files and runs nothing, so it answers in about a second.
  const structure = courseStructureProblems(lessonsDir);
  let course: Lesson[];
  try {
    course = loadCourse(lessonsDir);
  } catch (error) {
    // A lesson.md that does not parse, or a bad kind: the course cannot load at all,
    // and the structure lines above name the file to fix.
    if (!(error instanceof CourseError) || structure.length === 0) throw error;
    printStructure(structure, lessonsDir);
    process.stdout.write(`\n${style.red.bold(`${structure.length} structural problem${structure.length === 1 ? '' : 's'}`)}: the course does not load until ${structure.length === 1 ? 'it is' : 'they are'} fixed; nothing was run\n`);
    return EXIT.failed;
  }
  const selected = flags.only ? flags.only.split(',').map((name) => resolveLesson(course, name)) : course;
  const shown = flags.only ? structure.filter((problem) => !course.some((lesson) => lesson.id === problem.lesson) || selected.some((lesson) => lesson.id === problem.lesson)) : structure;
  printStructure(shown, lessonsDir);
  // What `dev new` left for the author: notes, not problems (the lesson still runs).
  const stubs = courseStubs(lessonsDir).filter((stub) => !flags.only || !course.some((lesson) => lesson.id === stub.lesson) || selected.some((lesson) => lesson.id === stub.lesson));
  if (stubs.length) process.stdout.write(`  ${style.yellow('…')} still to write (the ${STUB_NOTE} lines):\n${stubs.map((stub) => `      ${style.yellow(stub.line)}\n`).join('')}`);
  // A lesson with structural problems is not run: its programs' verdicts would only
  // repeat them (an undeclared pitfall, a missing page) at the cost of a verify each.
  // The other lessons still run, so an author fixing one lesson still learns whether
  // the rest of the course is sound.
  const broken = new Set(shown.map((problem) => problem.lesson));
  const lessons = selected.filter((lesson) => !broken.has(lesson.id));
  for (const lesson of selected) if (broken.has(lesson.id)) process.stdout.write(style.dim(`  - ${lesson.id}: not run until its structure is fixed\n`));
  const onInterrupt = () => {
    killAllLearnerProcesses();
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onInterrupt);
  const jobs = flags.jobs === undefined ? DEV_CHECK_JOBS : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) throw new CliError('--jobs takes a whole number from 1 to 8');
  // Items finish in any order when several verifies run at once: each line names its lesson.
  const all = await selfCheckCourse(lessons, {
    lessonsDir,
    jobs,
    compiledChecksDir: compiledChecksDir(lessonsDir),
    onItem: (item) => {
      const name = item.role === 'content' ? `${item.lesson} (lesson files)` : relative(lessonsDir, item.file);
      const expected = item.role === 'content' ? '' : style.dim(` (expect ${item.expected})`);
      process.stdout.write(`  ${item.ok ? style.green('✓') : style.red('✗')} ${name}${expected}${item.problem ? item.problem.split('\n').map((line) => `\n      ${style.red(line)}`).join('') : ''}\n`);
    },
  });
  process.off('SIGINT', onInterrupt);
  const bad = all.filter((item) => !item.ok).length + shown.length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // A stub left fails the run too: a course is not done while a hint or a pitfall page is a placeholder.
  const left = stubs.length ? `${stubs.length} file${stubs.length === 1 ? '' : 's'} with stubs still to write` : '';
  const verdict = bad ? style.red.bold(`${bad} problem${bad === 1 ? '' : 's'}${left ? `, ${left}` : ''}`) : left ? style.yellow.bold(`Every program is diagnosed as expected; ${left}`) : style.green.bold('The course is sound');
  process.stdout.write(`\n${verdict} ${style.dim(`(${all.length + shown.length} items, ${seconds} s)`)}\n`);
  return bad || stubs.length ? EXIT.failed : EXIT.ok;
}

function printStructure(problems: StructureProblem[], lessonsDir: string): void {
  if (problems.length === 0) return;
  const shown = relative(process.cwd(), lessonsDir);
  process.stdout.write(`  ${style.red('✗')} the course's structure (${shown.startsWith('..') ? lessonsDir : shown || '.'}):\n`);
  for (const problem of problems) process.stdout.write(`      ${style.red(problem.line)}\n`);
}
