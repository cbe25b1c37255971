// httpdojo as a library: `import { verifyLesson } from 'httpdojo'` gives an editor
// plugin or a CI script the engine behind `httpdojo verify`, without the terminal.
// The command line and its JSON (VERDICT.md) stay the stable contract; this module
// returns the same Verdict object that `verify --json` prints.

import { fileURLToPath } from 'node:url';
import { defaultLessonsDir, loadCourse, resolveLesson } from '../course/lessons.js';
import type { Verdict } from './verdict.js';
import { verify, type VerifyOptions } from './verify.js';

export { verify, type VerifyOptions } from './verify.js';
export { loadCourse, resolveLesson, CourseError, type Lesson, type LessonKind } from '../course/lessons.js';
export { VERDICT_SCHEMA, VerifyError, type CheckResult, type CheckStatus, type Verdict } from './verdict.js';

export interface VerifyLessonOptions extends Omit<VerifyOptions, 'compiledChecksDir'> {
  /** An instructor's course folder instead of the built-in one (as `--lessons`). */
  lessons?: string;
}

/**
 * Verifies `file` against lesson `name` (a number, slug or id, as on the command
 * line). Throws CourseError for an unknown lesson and VerifyError for a missing file.
 */
export async function verifyLesson(name: string, file: string, options: VerifyLessonOptions = {}): Promise<Verdict> {
  const { lessons = defaultLessonsDir(), ...rest } = options;
  const lesson = resolveLesson(loadCourse(lessons), name);
  // The built-in course's checks were compiled at build time (dist/lessons); an
  // instructor's are loaded from their check.ts.
  const compiled = lessons === defaultLessonsDir() ? fileURLToPath(new URL('../lessons', import.meta.url)) : undefined;
  return verify(lesson, file, { ...rest, compiledChecksDir: compiled });
}
