// What every command gets: the course folder and the output streams.

import { fileURLToPath } from 'node:url';
import { defaultLessonsDir } from '../course/lessons.js';
import type { GlobalOptions } from './options.js';

export function lessonsDirFrom(options: GlobalOptions): string {
  return options.lessons ? options.lessons : defaultLessonsDir();
}

/** dist/lessons: the built-in course's check.ts files compiled at build time. */
export function compiledChecksDir(lessonsDir: string): string | undefined {
  return lessonsDir === defaultLessonsDir() ? fileURLToPath(new URL('../lessons', import.meta.url)) : undefined;
}
