// What the learner-facing commands share: the course, the workspace around the
// current folder (if any), and how to tell the learner what to type next.

import { resolve } from 'node:path';
import { loadCourse, resolveLesson, type Lesson } from '../course/lessons.js';
import { readStateFile } from '../workspace/state.js';
import { currentLesson, findWorkspaceRoot, openWorkspace, WorkspaceError, type Workspace } from '../workspace/workspace.js';
import { lessonsDirFrom } from './context.js';
import type { GlobalOptions } from './options.js';
import { runCommandFrom } from './own-repository.js';
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export interface LearnerContext {
  lessonsDir: string;
  lessons: Lesson[];
  workspace: Workspace | null;
}

let noticeShown = false;

/**
 * The course and the workspace containing `cwd`. The course is the one given
 * with --lessons, else the one the workspace was created with, else the built-in
 * one. A rebuilt state file is reported once on stderr.
 */
export function learnerContext(flags: GlobalOptions, options: { cwd?: string; requireWorkspace?: boolean } = {}): LearnerContext {
  const cwd = options.cwd ?? process.cwd();
  const root = findWorkspaceRoot(cwd);
  if (!root && options.requireWorkspace) throw notAWorkspace();
  let lessonsDir = lessonsDirFrom(flags);
  if (root && !flags.lessons) {
    const read = readStateFile(root);
    const recorded = read.ok ? read.state.lessonsDir : packageJsonLessons(root);
    if (recorded) lessonsDir = recorded;
  }
  const lessons = loadCourse(lessonsDir);
  const workspace = root ? openWorkspace(root, lessons) : null;
  if (workspace?.notice && !noticeShown) {
    noticeShown = true;
    process.stderr.write(`httpdojo: ${workspace.notice}\n`);
  }
  return { lessonsDir, lessons, workspace };
}

function packageJsonLessons(root: string): string | null {
  try {
    const data = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { httpdojo?: { lessons?: unknown } };
    return typeof data.httpdojo?.lessons === 'string' ? resolve(root, data.httpdojo.lessons) : null;
  } catch {
    return null;
  }
}

export function notAWorkspace(): WorkspaceError {
  return new WorkspaceError(`not in an httpdojo workspace (no .httpdojo/ here or above); create one with: ${selfCommand()} init my-httpdojo --lang js`, 'no-workspace');
}

/** The named lesson, else the workspace's current one, else the first. */
export function pickLesson(context: LearnerContext, name: string | undefined): Lesson {
  if (name) return resolveLesson(context.lessons, name);
  const lesson = context.workspace ? currentLesson(context.workspace, context.lessons) : context.lessons[0];
  if (!lesson) throw new WorkspaceError(`the course in ${context.lessonsDir} has no lessons`, 'no-workspace');
  return lesson;
}

/** How the learner started us: `npx httpdojo` or `httpdojo`. */
export function selfCommand(): string {
  // The README's `npm start` in a clone: nothing named httpdojo is on the PATH;
  // the clone's bin by its full path works from the workspace, in any terminal.
  if (process.env.npm_lifecycle_event === 'start' && process.env.npm_package_name === 'httpdojo') return runCommandFrom(sep, 'httpdojo');
  return process.env.npm_command === 'exec' || /[\\/]_npx[\\/]/.test(process.argv[1] ?? '') ? 'npx httpdojo' : 'httpdojo';
}

/** Both ends are a terminal: we may ask a question or take over the screen. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}
