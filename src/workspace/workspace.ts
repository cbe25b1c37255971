// The learner's folder:
//
//   <root>/
//     package.json            "type": "module"
//     tsconfig.json           TypeScript workspaces only
//     node_modules/@types/node  TypeScript workspaces only, copied from httpdojo's install (editor types offline)
//     01-hello-server/
//       server.js             the learner's file, created from the starter when the lesson is opened
//       solution.js           the reference solution, written once the lesson passes
//     certs/                  lessons 16-19: test CA, localhost key and certificate (certs.ts)
//     .httpdojo/
//       state.json            progress (state.ts), written atomically
//       backups/<lesson>/     the learner's file before every `reset`
//
// A folder is a workspace when it holds `.httpdojo/state.json` or
// `.httpdojo/README.txt`; commands find it by walking up from the current folder.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Lesson } from '../course/lessons.js';
import { workspaceCerts } from './certs.js';
import { lessonSource, placeholder, referenceSolutionPath, writeReferenceSolution } from './lesson-programs.js';
import { existingLessonFile, lessonDir, lessonFile } from './locate.js';
import {
  createFileAtomic,
  DATA_DIR,
  emptyProgress,
  newState,
  now,
  progressOf,
  readStateFile,
  removeStaleTempFiles,
  statePath,
  writeFileAtomic,
  writeStateFile,
  type Language,
  type LessonProgress,
  type WorkspaceState,
} from './state.js';

/** An expected problem with the workspace: shown in one line (exit code 2). */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly code: 'no-workspace' | 'nested-workspace' | 'workspace-io' = 'no-workspace',
  ) {
    super(message);
  }
}

export interface Workspace {
  root: string;
  state: WorkspaceState;
  /** Set when the state file was missing or corrupt and has been rebuilt: say so once. */
  notice: string | null;
}

const MARKERS = ['state.json', 'README.txt'];

/** The workspace folder containing `from` (or `from` itself), or null. */
export function findWorkspaceRoot(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    const data = join(dir, DATA_DIR);
    if (MARKERS.some((name) => existsSync(join(data, name)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Opens the workspace at `root`: reads its state, and rebuilds it from the lesson
 * folders when it is missing or corrupt (keeping the corrupt copy beside it).
 * `lessons` is the course, used only for a rebuild.
 */
export function openWorkspace(root: string, lessons: Lesson[]): Workspace {
  removeStaleTempFiles(join(root, DATA_DIR));
  const read = readStateFile(root);
  if (read.ok) return { root, state: read.state, notice: null };
  const state = rebuildState(root, lessons);
  const shown = `${DATA_DIR}/state.json`;
  let notice =
    read.reason === 'missing'
      ? `the progress file ${shown} was missing; rebuilt it from your lesson folders (your code is untouched).`
      : `the progress file ${shown} was unreadable (${read.detail}); rebuilt it from your lesson folders (your code is untouched).`;
  try {
    if (read.reason === 'corrupt' && existsSync(statePath(root))) {
      const kept = `${statePath(root)}.corrupt-${Date.now()}`;
      renameSync(statePath(root), kept);
      notice += ` The unreadable copy is kept as ${DATA_DIR}/${basename(kept)}.`;
    }
    writeStateFile(root, state);
  } catch (error) {
    notice += ` It could not be saved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`;
  }
  return { root, state, notice };
}

/** What the lesson folders say: which files exist, which lessons have a reference solution (passed). */
export function rebuildState(root: string, lessons: Lesson[]): WorkspaceState {
  const state = newState(guessLanguage(root, lessons), packageJsonLessonsDir(root));
  for (const lesson of lessons) {
    const file = existingLessonFile(root, lesson);
    if (!file) continue;
    const progress: LessonProgress = emptyProgress();
    progress.openedAt = safeMtime(file);
    const reference = referenceSolutionPath(root, lesson, extname(file) === '.ts' ? 'ts' : 'js');
    if (existsSync(reference) || existsSync(referenceSolutionPath(root, lesson, 'js')) || existsSync(referenceSolutionPath(root, lesson, 'ts'))) {
      progress.passed = true;
      progress.lastResult = 'passed';
      progress.passedAt = safeMtime(existsSync(reference) ? reference : file);
    }
    state.lessons[lesson.id] = progress;
  }
  const opened = lessons.filter((lesson) => state.lessons[lesson.id]);
  state.current = (opened.find((lesson) => !state.lessons[lesson.id].passed) ?? opened[opened.length - 1] ?? lessons[0])?.id ?? null;
  return state;
}

function safeMtime(file: string): string {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return now();
  }
}

function guessLanguage(root: string, lessons: Lesson[]): Language {
  const fromPackage = readPackageJson(root)?.httpdojo as { lang?: unknown } | undefined;
  if (fromPackage?.lang === 'js' || fromPackage?.lang === 'ts') return fromPackage.lang;
  if (existsSync(join(root, 'tsconfig.json'))) return 'ts';
  const files = lessons.map((lesson) => existingLessonFile(root, lesson)).filter((file): file is string => file !== null);
  return files.some((file) => /\.[mc]?ts$/.test(file)) && !files.some((file) => /\.[mc]?js$/.test(file)) ? 'ts' : 'js';
}

function packageJsonLessonsDir(root: string): string | null {
  const value = (readPackageJson(root)?.httpdojo as { lessons?: unknown } | undefined)?.lessons;
  return typeof value === 'string' ? resolve(root, value) : null;
}

function readPackageJson(root: string): Record<string, unknown> | null {
  try {
    const data = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as unknown;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Changes the state and saves it. The file is read again first, so a change made
 * meanwhile by another httpdojo (a `verify` in a second terminal) is kept.
 */
export function updateState(workspace: Workspace, change: (state: WorkspaceState) => void): WorkspaceState {
  const fresh = readStateFile(workspace.root);
  const state = fresh.ok ? fresh.state : workspace.state;
  change(state);
  writeStateFile(workspace.root, state);
  workspace.state = state;
  return state;
}

export function updateProgress(workspace: Workspace, lessonId: string, change: (progress: LessonProgress) => void): LessonProgress {
  let result = emptyProgress();
  updateState(workspace, (state) => {
    const progress = progressOf(state, lessonId);
    change(progress);
    state.lessons[lessonId] = progress;
    result = progress;
  });
  return result;
}

// Where the learner's file is: src/workspace/locate.ts; the course's programs it
// starts from: lesson-programs.ts (both re-exported for the callers of this module).
export { existingLessonFile, lessonDir, lessonFile };
export { lessonSource, referenceSolutionPath, writeReferenceSolution };

export interface OpenedLesson {
  file: string;
  created: boolean;
}

/**
 * Makes `lesson` the current one and creates its file from the starter if it
 * does not exist yet. An existing file is never touched.
 */
export async function openLesson(workspace: Workspace, lesson: Lesson): Promise<OpenedLesson> {
  let file = lessonFile(workspace, lesson);
  let created = false;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const starter = (await lessonSource(lesson, 'starter', workspace.state.lang)) ?? placeholder(lesson);
    created = createFileAtomic(file, starter);
    file = lessonFile(workspace, lesson);
  }
  workspaceCerts(workspace.root, lesson);
  updateState(workspace, (state) => {
    state.current = lesson.id;
    const progress = progressOf(state, lesson.id);
    progress.openedAt ??= now();
    state.lessons[lesson.id] = progress;
  });
  return { file, created };
}

/** Records a verify of the workspace's file. */
export function recordVerdict(workspace: Workspace, lesson: Lesson, passed: boolean): LessonProgress {
  return updateProgress(workspace, lesson.id, (progress) => {
    const at = now();
    progress.attempts += 1;
    progress.lastVerifiedAt = at;
    progress.lastResult = passed ? 'passed' : 'failed';
    if (passed && !progress.passed) {
      progress.passed = true;
      progress.passedAt = at;
    }
    progress.openedAt ??= at;
  });
}

/** Copies the learner's file to `.httpdojo/backups/<lesson>/<name>.<time><ext>`; returns the copy's path. */
export function backupLearnerFile(workspace: Workspace, lesson: Lesson, file: string): string {
  const dir = join(workspace.root, DATA_DIR, 'backups', lesson.id);
  mkdirSync(dir, { recursive: true });
  const extension = extname(file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = join(dir, `${basename(file, extension)}.${stamp}${extension}`);
  for (let n = 2; existsSync(target); n++) target = join(dir, `${basename(file, extension)}.${stamp}-${n}${extension}`);
  writeFileAtomic(target, readFileSync(file, 'utf8'));
  return target;
}

export interface ResetResult {
  file: string;
  backup: string | null;
}

/** Backs the learner's file up (when it exists), then puts the starter in its place. */
export async function resetLesson(workspace: Workspace, lesson: Lesson): Promise<ResetResult> {
  const file = lessonFile(workspace, lesson);
  const starter = (await lessonSource(lesson, 'starter', workspace.state.lang)) ?? placeholder(lesson);
  mkdirSync(dirname(file), { recursive: true });
  // The backup is complete and on disk before the learner's file is replaced.
  const backup = existsSync(file) ? backupLearnerFile(workspace, lesson, file) : null;
  writeFileAtomic(file, starter);
  return { file, backup };
}

export function listBackups(workspace: Workspace, lesson: Lesson): string[] {
  const dir = join(workspace.root, DATA_DIR, 'backups', lesson.id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => !name.endsWith('.tmp')).sort().map((name) => join(dir, name));
}

export type LessonStatus = 'passed' | 'failed' | 'opened' | 'new';

export function lessonStatus(workspace: Workspace | null, lesson: Lesson): LessonStatus {
  if (!workspace) return 'new';
  const progress = workspace.state.lessons[lesson.id];
  if (progress?.passed) return 'passed';
  if (progress?.lastResult === 'failed') return 'failed';
  if (progress?.openedAt || existingLessonFile(workspace.root, lesson)) return 'opened';
  return 'new';
}

/** The lesson the learner is on: the state's current one, else the first not passed. */
export function currentLesson(workspace: Workspace, lessons: Lesson[]): Lesson | null {
  const byId = lessons.find((lesson) => lesson.id === workspace.state.current);
  if (byId) return byId;
  return lessons.find((lesson) => !workspace.state.lessons[lesson.id]?.passed) ?? lessons[0] ?? null;
}

/** The lesson after `lesson`, or null at the end of the course. */
export function lessonAfter(lessons: Lesson[], lesson: Lesson): Lesson | null {
  const index = lessons.findIndex((candidate) => candidate.id === lesson.id);
  return index >= 0 ? (lessons[index + 1] ?? null) : null;
}

export function passedCount(workspace: Workspace, lessons: Lesson[]): number {
  return lessons.filter((lesson) => workspace.state.lessons[lesson.id]?.passed).length;
}
