// The workspace's state file, `.httpdojo/state.json`: the language, the current
// lesson, and per lesson whether it passed, how many attempts, how many hints.
//
// Written atomically: a temp file beside it, fsync, rename over the old one,
// fsync the folder. A kill -9 at any moment leaves either the old file or the
// new one, never half of one. Read defensively: a missing, unreadable or
// malformed file is reported and rebuilt from what is on disk, never a crash.

import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { removeOrphanEntries } from '../engine/platform.js';

export const STATE_SCHEMA = 'httpdojo.state/1';
export const DATA_DIR = '.httpdojo';
export const STATE_FILE = 'state.json';

export type Language = 'js' | 'ts';

export interface LessonProgress {
  /** When the lesson's file was created (the lesson was opened). */
  openedAt: string | null;
  /** Verifies of the workspace's file. */
  attempts: number;
  passed: boolean;
  passedAt: string | null;
  lastVerifiedAt: string | null;
  lastResult: 'passed' | 'failed' | null;
  hintsShown: number;
  /** The last quiz taken on this lesson (issue 14); absent until one is. */
  quiz?: QuizScore | null;
}

export interface QuizScore {
  correct: number;
  total: number;
  /** The best `correct` over every attempt. */
  best: number;
  attempts: number;
  /** 1-based numbers of the questions the last attempt got wrong. */
  missed: number[];
  takenAt: string;
}

export interface WorkspaceState {
  schema: typeof STATE_SCHEMA;
  lang: Language;
  /** An instructor's course (absolute path), or null for the built-in one. */
  lessonsDir: string | null;
  /** The lesson id the learner is on. */
  current: string | null;
  createdAt: string;
  updatedAt: string;
  lessons: Record<string, LessonProgress>;
}

export function statePath(root: string): string {
  return join(root, DATA_DIR, STATE_FILE);
}

export function now(): string {
  return new Date().toISOString();
}

export function emptyProgress(): LessonProgress {
  return { openedAt: null, attempts: 0, passed: false, passedAt: null, lastVerifiedAt: null, lastResult: null, hintsShown: 0 };
}

export function newState(lang: Language, lessonsDir: string | null = null): WorkspaceState {
  const at = now();
  return { schema: STATE_SCHEMA, lang, lessonsDir, current: null, createdAt: at, updatedAt: at, lessons: {} };
}

export function progressOf(state: WorkspaceState, lessonId: string): LessonProgress {
  return state.lessons[lessonId] ?? emptyProgress();
}

export type StateRead =
  | { ok: true; state: WorkspaceState }
  | { ok: false; reason: 'missing' | 'corrupt'; detail: string };

/** Reads and validates the state file. Never throws. */
export function readStateFile(root: string): StateRead {
  const file = statePath(root);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { ok: false, reason: 'missing', detail: 'no state file' } : { ok: false, reason: 'corrupt', detail: `cannot read it (${code ?? String(error)})` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/\s+/g, ' ');
    return { ok: false, reason: 'corrupt', detail: text.trim() === '' ? 'it is empty' : `it is not JSON: ${reason.length > 60 ? `${reason.slice(0, 59)}…` : reason}` };
  }
  const state = validate(data);
  return state ? { ok: true, state } : { ok: false, reason: 'corrupt', detail: `it is not an httpdojo state (${STATE_SCHEMA})` };
}

/** The state, coerced field by field; null when it is not recognisably ours. */
export function validate(data: unknown): WorkspaceState | null {
  if (!isObject(data) || data.schema !== STATE_SCHEMA) return null;
  if (data.lang !== 'js' && data.lang !== 'ts') return null;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0);
  const lessons: Record<string, LessonProgress> = {};
  if (isObject(data.lessons)) {
    for (const [id, entry] of Object.entries(data.lessons)) {
      if (!isObject(entry)) continue;
      lessons[id] = {
        openedAt: text(entry.openedAt),
        attempts: count(entry.attempts),
        passed: entry.passed === true,
        passedAt: text(entry.passedAt),
        lastVerifiedAt: text(entry.lastVerifiedAt),
        lastResult: entry.lastResult === 'passed' || entry.lastResult === 'failed' ? entry.lastResult : null,
        hintsShown: Math.min(count(entry.hintsShown), 99),
        ...(isObject(entry.quiz) ? { quiz: validQuiz(entry.quiz) } : {}),
      };
    }
  }
  return {
    schema: STATE_SCHEMA,
    lang: data.lang,
    lessonsDir: text(data.lessonsDir),
    current: text(data.current),
    createdAt: text(data.createdAt) ?? now(),
    updatedAt: text(data.updatedAt) ?? now(),
    lessons,
  };
}

function validQuiz(data: Record<string, unknown>): QuizScore | null {
  const count = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, 999) : -1);
  const [correct, total, best, attempts] = [count(data.correct), count(data.total), count(data.best), count(data.attempts)];
  if (correct < 0 || total < 1 || correct > total || typeof data.takenAt !== 'string') return null;
  const missed = Array.isArray(data.missed) ? data.missed.filter((n): n is number => count(n) >= 1 && (n as number) <= total) : [];
  return { correct, total, best: Math.max(best, correct), attempts: Math.max(attempts, 1), missed, takenAt: data.takenAt };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** temp file + fsync + rename + fsync of the folder. */
export function writeStateFile(root: string, state: WorkspaceState): void {
  const dir = join(root, DATA_DIR);
  mkdirSync(dir, { recursive: true });
  state.updatedAt = now();
  writeFileAtomic(statePath(root), JSON.stringify(state, null, 2) + '\n');
}

/**
 * Replaces `file` with `content` so that a crash at any moment leaves either the
 * old content or the new, complete one.
 */
export function writeFileAtomic(file: string, content: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    const bytes = Buffer.from(content, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    tryUnlink(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameWithRetry(temp, file);
  } catch (error) {
    tryUnlink(temp);
    throw error;
  }
  syncDirectory(join(file, '..'));
}

/**
 * Creates `file` with `content` only if it does not exist yet, atomically: the
 * file appears complete or not at all, and an existing file is never replaced.
 * Returns false when the file already existed.
 */
export function createFileAtomic(file: string, content: string): boolean {
  if (existsSync(file)) return false;
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // A hard link fails if the name exists: no race with an editor creating it.
    linkSync(temp, file);
    tryUnlink(temp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      tryUnlink(temp);
      return false;
    }
    // File systems without hard links: rename, after checking once more.
    if (existsSync(file)) {
      tryUnlink(temp);
      return false;
    }
    renameWithRetry(temp, file);
  }
  syncDirectory(join(file, '..'));
  return true;
}

function renameWithRetry(from: string, to: string): void {
  // Windows refuses to replace a file another process has open for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      const until = Date.now() + 20 * (attempt + 1);
      while (Date.now() < until) {
        // A short synchronous wait; this path is Windows-only in practice.
      }
    }
  }
}

function syncDirectory(dir: string): void {
  // Makes the rename itself durable. Not possible on Windows; harmless to skip.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

/** Temp files left by a process killed mid-write (their pid is gone). */
export function removeStaleTempFiles(dir: string): void {
  removeOrphanEntries(dir, /\.(\d+)\.[a-z0-9]+\.tmp$/);
}
