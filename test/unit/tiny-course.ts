// A minimal valid two-lesson course (lessons 01 and 10 and the pitfall pages they
// need), copied to a temp folder for tests that break one thing in it.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '../../src/course/front-matter.ts';
import { defaultLessonsDir } from '../../src/course/lessons.ts';

export const LESSONS = defaultLessonsDir();

/** Ids lesson 10's check.ts reports without listing them (they still need a page). */
const REPORTED_ONLY = ['client-missing-end', 'unconsumed-response'];

/** A fresh copy of the tiny course: 01-hello-server, 10-http-get and the pitfall pages they need. */
export function tinyCourse(parent: string, lessons = ['01-hello-server', '10-http-get']): string {
  const dir = mkdtempSync(join(parent, 'course-'));
  const pages = new Set(REPORTED_ONLY);
  for (const lesson of lessons) {
    cpSync(join(LESSONS, lesson), join(dir, lesson), { recursive: true });
    const listed = parseDocument(readFileSync(join(LESSONS, lesson, 'lesson.md'), 'utf8')).data.pitfalls as string[];
    for (const id of listed) pages.add(id);
    const quiz = join(LESSONS, lesson, 'quiz.md');
    if (existsSync(quiz)) for (const match of readFileSync(quiz, 'utf8').matchAll(/^pitfall:\s*([a-z0-9-]+)/gm)) pages.add(match[1]);
  }
  mkdirSync(join(dir, 'pitfalls'));
  for (const id of pages) cpSync(join(LESSONS, 'pitfalls', `${id}.md`), join(dir, 'pitfalls', `${id}.md`));
  return dir;
}

