// httpdojo dev check [--lessons dir] [--only 1,4]
// Proves a course sound: every solution passes, every starter fails, every
// mistake fails with exactly its declared pitfall, on its // BUG: line.

import { relative } from 'node:path';
import { loadCourse, resolveLesson } from '../../course/lessons.js';
import { killAllLearnerProcesses } from '../../engine/learner-process.js';
import { selfCheckCourse } from '../../engine/self-check.js';
import { style } from '../../report/style.js';
import { compiledChecksDir, lessonsDirFrom } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';

export async function run([task]: string[], flags: { lessons?: string; only?: string; jobs?: string }): Promise<number> {
  if (task !== 'check') throw new CliError(`unknown dev task "${task}" (the only one is: check)`);
  const lessonsDir = lessonsDirFrom(flags);
  const course = loadCourse(lessonsDir);
  const lessons = flags.only ? flags.only.split(',').map((name) => resolveLesson(course, name)) : course;
  const onInterrupt = () => {
    killAllLearnerProcesses();
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onInterrupt);
  const started = performance.now();
  const jobs = flags.jobs === undefined ? 2 : Number(flags.jobs);
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
  const bad = all.filter((item) => !item.ok).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\n${bad ? style.red.bold(`${bad} problem${bad === 1 ? '' : 's'}`) : style.green.bold('The course is sound')} ${style.dim(`(${all.length} items, ${seconds} s)`)}\n`);
  return bad ? EXIT.failed : EXIT.ok;
}
