// Lessons on disk -> Lesson objects, and the ways a learner names a lesson.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, type FrontMatterValue } from './front-matter.js';

export type LessonKind = 'server' | 'client' | 'proxy';

export interface Lesson {
  /** The folder name: `04-post-body`. */
  id: string;
  number: number;
  slug: string;
  title: string;
  kind: LessonKind;
  /** The learner's file without extension: `server`, `client`, `proxy`. */
  fileStem: string;
  args: string[];
  deadlineMs: number;
  pitfalls: string[];
  dir: string;
  /** Path of check.ts (or .js/.mts). */
  checkFile: string | null;
  /**
   * Earlier lessons whose checks this one runs again (front matter `reruns:`), as
   * folder names in the order written; an entry naming no earlier lesson stays as
   * written, and loading the checks refuses it (dev check reports it first).
   */
  reruns: string[];
  /**
   * Front matter `certs: true` (lessons 16-19): the program needs the course's TLS
   * files; opening the lesson copies them into the workspace's `certs/`, and
   * `run` hands a server that folder as argv[2].
   */
  certs: boolean;
}

export class CourseError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown-lesson' | 'bad-course' | 'unknown-pitfall',
  ) {
    super(message);
  }
}

/** httpdojo's own course: `lessons/` at the package root (beside dist/ and src/). */
export function defaultLessonsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lessons');
}

/** A lesson folder: two digits, a dash, a slug (`04-post-body`). */
export const LESSON_DIR = /^(\d{2})-([a-z0-9-]+)$/;

export function loadCourse(lessonsDir = defaultLessonsDir()): Lesson[] {
  if (!existsSync(lessonsDir)) throw new CourseError(`no lessons folder at ${lessonsDir}`, 'bad-course');
  const lessons: Lesson[] = [];
  for (const entry of readdirSync(lessonsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const match = LESSON_DIR.exec(entry.name);
    if (!match) continue;
    const dir = join(lessonsDir, entry.name);
    const lessonFile = join(dir, 'lesson.md');
    if (!existsSync(lessonFile)) continue;
    lessons.push(readLesson(dir, entry.name, Number(match[1]), match[2], lessonFile));
  }
  lessons.sort((a, b) => a.number - b.number);
  for (const lesson of lessons) lesson.reruns = lesson.reruns.map((name) => rerunId(lessons, lesson, name));
  return lessons;
}

/** `3`, `json-routing` or `03-json-routing` -> `03-json-routing` when that is an earlier lesson; otherwise the name as written. */
function rerunId(lessons: Lesson[], lesson: Lesson, name: string): string {
  const found = /^\d+$/.test(name) ? lessons.find((other) => other.number === Number(name)) : lessons.find((other) => other.id === name || other.slug === name);
  return found && found.number < lesson.number ? found.id : name;
}

/** The lesson folder's check module, if any. */
export function findCheckFile(dir: string): string | null {
  return ['check.ts', 'check.mts', 'check.js', 'check.mjs'].map((name) => join(dir, name)).find(existsSync) ?? null;
}

function readLesson(dir: string, id: string, number: number, slug: string, lessonFile: string): Lesson {
  let data: Record<string, FrontMatterValue>;
  try {
    data = parseDocument(readFileSync(lessonFile, 'utf8')).data;
  } catch (error) {
    throw new CourseError(`${lessonFile}: ${(error as Error).message}`, 'bad-course');
  }
  const kind = String(data.kind ?? 'server');
  if (kind !== 'server' && kind !== 'client' && kind !== 'proxy') {
    throw new CourseError(`${lessonFile}: kind must be server, client or proxy, not ${JSON.stringify(kind)}`, 'bad-course');
  }
  const list = (value: FrontMatterValue | undefined) => (Array.isArray(value) ? value.map(String) : []);
  const checkFile = findCheckFile(dir);
  return {
    id,
    number,
    slug,
    title: String(data.title ?? slug),
    kind,
    fileStem: String(data.file ?? (kind === 'client' ? 'client' : kind === 'proxy' ? 'proxy' : 'server')),
    args: list(data.args),
    deadlineMs: typeof data.deadline === 'number' ? data.deadline : 20_000,
    pitfalls: list(data.pitfalls),
    dir,
    checkFile,
    reruns: list(data.reruns),
    certs: data.certs === true,
  };
}

/** `4`, `04`, `post-body` or `04-post-body` -> the lesson. */
export function resolveLesson(lessons: Lesson[], name: string): Lesson {
  const wanted = name.trim().toLowerCase();
  const found = /^\d+$/.test(wanted)
    ? lessons.find((lesson) => lesson.number === Number(wanted))
    : lessons.find((lesson) => lesson.id === wanted || lesson.slug === wanted);
  if (found) return found;
  const known = lessons.map((lesson) => lesson.id).join(', ');
  throw new CourseError(`no lesson "${name}" (known: ${known || 'none'})`, 'unknown-lesson');
}
