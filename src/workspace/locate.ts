// Where the learner's file for a lesson is, when no --file is given.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Lesson } from '../course/lessons.js';

export const LEARNER_EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'];

/** `<dir>/<lesson-id>/<stem>.<ext>`, then `<dir>/<stem>.<ext>`; null when neither exists. */
export function findLearnerFile(lesson: Lesson, dir: string): string | null {
  for (const folder of [join(dir, lesson.id), dir]) {
    for (const extension of LEARNER_EXTENSIONS) {
      const candidate = resolve(folder, lesson.fileStem + extension);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}
