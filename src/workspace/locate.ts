// Where the learner's file for a lesson is: the one place that decides it, for
// every command (verify, run, watch, list, read, reset, progress, start) and for
// the reproduce commands, which leave out --file when `run` would pick the same file.
//
// In a workspace: `<root>/<lesson-id>/<stem>.<ext>`, the workspace's language
// first; when none exists yet, where the starter will be created. Outside one:
// `<cwd>/<lesson-id>/<stem>.<ext>`, then `<cwd>/<stem>.<ext>`. `--file` wins over both.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Lesson } from '../course/lessons.js';
import type { Language } from './state.js';
import type { Workspace } from './workspace.js';

export const LEARNER_EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'];

/** A lesson's folder in a workspace. */
export function lessonDir(root: string, lesson: Lesson): string {
  return join(root, lesson.id);
}

/** The learner's file for a lesson in a workspace, if it exists (any learner extension, `lang` first). */
export function existingLessonFile(root: string, lesson: Lesson, lang?: Language): string | null {
  const dir = lessonDir(root, lesson);
  const order = lang ? [`.${lang}`, ...LEARNER_EXTENSIONS.filter((extension) => extension !== `.${lang}`)] : LEARNER_EXTENSIONS;
  for (const extension of order) {
    const candidate = join(dir, lesson.fileStem + extension);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The learner's file in a workspace: the existing one, else where it will be created. */
export function lessonFile(workspace: Workspace, lesson: Lesson): string {
  return existingLessonFile(workspace.root, lesson, workspace.state.lang) ?? join(lessonDir(workspace.root, lesson), `${lesson.fileStem}.${workspace.state.lang}`);
}

/** Outside a workspace: `<dir>/<lesson-id>/<stem>.<ext>`, then `<dir>/<stem>.<ext>`; null when neither exists. */
export function findLearnerFile(lesson: Lesson, dir: string): string | null {
  for (const folder of [join(dir, lesson.id), dir]) {
    for (const extension of LEARNER_EXTENSIONS) {
      const candidate = resolve(folder, lesson.fileStem + extension);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

export interface LearnerFile {
  /** The file to check or run: --file, else the workspace's (it may not exist yet), else one found here; null when none. */
  file: string | null;
  /** The file picked without --file (what `httpdojo run <lesson>` runs by itself here), or null. */
  byDefault: string | null;
  /** `file` is the workspace's own file for the lesson: a verdict on it is recorded. */
  inWorkspace: boolean;
  /** Where the file is or would be: `file`, else `<cwd>/<lesson-id>/<stem>.js` (what `list` shows). */
  expected: string;
}

/** The learner's file for `lesson`: given with --file (`file`), in `workspace`, or found in `cwd`. */
export function learnerFile(lesson: Lesson, where: { workspace: Workspace | null; file?: string; cwd?: string }): LearnerFile {
  const cwd = where.cwd ?? process.cwd();
  const workspaceFile = where.workspace ? lessonFile(where.workspace, lesson) : null;
  const byDefault = workspaceFile ?? findLearnerFile(lesson, cwd);
  const file = where.file ? resolve(cwd, where.file) : byDefault;
  return {
    file,
    byDefault,
    inWorkspace: workspaceFile !== null && file === workspaceFile,
    expected: file ?? resolve(join(cwd, lesson.id, `${lesson.fileStem}.js`)),
  };
}
