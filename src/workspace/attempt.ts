// What a verdict on the learner's file leaves behind, the same for `httpdojo
// verify` and the watch screen: the attempt recorded in the workspace's state
// (only for the workspace's own file: a --file elsewhere is not the lesson's
// work), the reference solution written beside it after a pass, and the words
// that say the lesson passed. Nothing here prints: the callers show the result
// their own way (a line on stderr, a message on the screen).

import { relative } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { Lesson } from '../course/lessons.js';
import type { Verdict } from '../engine/verdict.js';
import { learnerFile } from './locate.js';
import type { LessonProgress } from './state.js';
import { recordVerdict, writeReferenceSolution, type Workspace } from './workspace.js';

export interface Attempt {
  /** The file is the workspace's own for the lesson: the attempt was recorded (or that was tried). */
  workspaceFile: boolean;
  /** The lesson's progress after this attempt; null when nothing was recorded (no workspace, or not its file). */
  progress: LessonProgress | null;
  /** The reference solution beside the learner's file, once passed (null before, or when the lesson has none). */
  reference: string | null;
  /** Why the progress or the reference solution could not be saved; null when all went well. */
  error: unknown;
}

/**
 * Records `verdict` on `file` in `workspace` and, after a pass, writes the
 * reference solution. `onRecorded` runs right after the state is saved, before
 * the reference solution is written (the classroom's summary goes out then).
 */
export async function attempt(workspace: Workspace | null, lesson: Lesson, file: string, verdict: Verdict, onRecorded?: (progress: LessonProgress) => void): Promise<Attempt> {
  const result: Attempt = { workspaceFile: workspace !== null && learnerFile(lesson, { workspace, file }).inWorkspace, progress: null, reference: null, error: null };
  if (!workspace || !result.workspaceFile) return result;
  try {
    result.progress = recordVerdict(workspace, lesson, verdict.passed);
    onRecorded?.(result.progress);
    if (verdict.passed) result.reference = await writeReferenceSolution(workspace, lesson);
  } catch (error) {
    result.error = error;
  }
  return result;
}

/** Where the "passed" words go: after `httpdojo verify`, or on the watch screen. */
export type PassedView =
  | { on: 'command'; style: ChalkInstance; self: string; cwd: string }
  | { on: 'screen'; style: ChalkInstance; following: Lesson | null; show: (file: string) => string };

export interface PassedText {
  headline: string;
  /** Where the reference solution is, when there is one. */
  reference: string | null;
  /** What to do next: a command to type, or a key to press. */
  next: string;
}

/** The lines that say `lesson` passed: the headline, the reference solution, the next step. */
export function passedText(lesson: Lesson, reference: string | null, view: PassedView): PassedText {
  const { style } = view;
  if (view.on === 'command') {
    const { self } = view;
    return {
      headline: style.green.bold(`Lesson ${lesson.number} passed.`),
      reference: reference && `The reference solution, to compare: ${style.cyan(relative(view.cwd, reference) || reference)}`,
      next: `Next: ${style.bold(`${self} next`)}  ${style.dim('(or ' + self + ' read ' + lesson.number + ' for other ways to write it)')}`,
    };
  }
  const { following } = view;
  return {
    headline: style.green.bold(`✓ Lesson ${lesson.number} passed!`),
    reference: reference && `Reference solution: ${view.show(reference)}`,
    next: following ? style.bold(`Press n for lesson ${following.number}: ${following.title}`) : style.bold('That was the last lesson. Well done!'),
  };
}
