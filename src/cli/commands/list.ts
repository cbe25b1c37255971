// httpdojo list [--json]

import { loadCourse } from '../../course/lessons.js';
import { style } from '../../report/style.js';
import { lessonsDirFrom } from '../context.js';
import { EXIT } from '../exit-codes.js';

export async function run(_args: string[], flags: { lessons?: string; json?: boolean }): Promise<number> {
  const lessons = loadCourse(lessonsDirFrom(flags));
  if (flags.json) {
    const rows = lessons.map((lesson) => ({ id: lesson.id, number: lesson.number, title: lesson.title, kind: lesson.kind, file: lesson.fileStem }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return EXIT.ok;
  }
  for (const lesson of lessons) {
    process.stdout.write(`  ${style.bold(String(lesson.number).padStart(2, '0'))}  ${lesson.title.padEnd(34)} ${style.dim(`${lesson.kind}, ${lesson.slug}`)}\n`);
  }
  process.stdout.write(style.dim(`\n  httpdojo read <n> shows a lesson; httpdojo verify <n> checks your program.\n`));
  return EXIT.ok;
}
