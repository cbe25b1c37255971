// httpdojo dev check [--lessons dir] [--only 1,4]
// Proves a course sound: every solution passes, every starter fails, every
// mistake fails with exactly its declared pitfall, on its // BUG: line.

import { relative } from 'node:path';
import { loadCourse, resolveLesson } from '../../course/lessons.js';
import { killAllLearnerProcesses } from '../../engine/learner-process.js';
import { selfCheckLesson, type SelfCheckItem } from '../../engine/self-check.js';
import { style } from '../../report/style.js';
import { compiledChecksDir, lessonsDirFrom } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';

export async function run([task]: string[], flags: { lessons?: string; only?: string }): Promise<number> {
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
  const all: SelfCheckItem[] = [];
  for (const lesson of lessons) {
    process.stdout.write(style.bold(`${lesson.id}\n`));
    await selfCheckLesson(lesson, {
      lessonsDir,
      compiledChecksDir: compiledChecksDir(lessonsDir),
      onItem: (item) => {
        all.push(item);
        const name = item.role === 'content' ? 'lesson files' : relative(lesson.dir, item.file);
        const expected = item.role === 'content' ? '' : style.dim(` (expect ${item.expected})`);
        process.stdout.write(`  ${item.ok ? style.green('✓') : style.red('✗')} ${name}${expected}${item.problem ? `\n      ${style.red(item.problem)}` : ''}\n`);
      },
    });
  }
  process.off('SIGINT', onInterrupt);
  const bad = all.filter((item) => !item.ok).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\n${bad ? style.red.bold(`${bad} problem${bad === 1 ? '' : 's'}`) : style.green.bold('The course is sound')} ${style.dim(`(${all.length} items, ${seconds} s)`)}\n`);
  return bad ? EXIT.failed : EXIT.ok;
}
