// The Markdown parts of a lesson a learner reads: the text, the task, the
// "after you pass" note and the graduated hints.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '../course/front-matter.js';
import type { Lesson } from '../course/lessons.js';
import { section } from './markdown.js';

export function lessonBody(lesson: Lesson): string {
  const file = join(lesson.dir, 'lesson.md');
  return existsSync(file) ? parseDocument(readFileSync(file, 'utf8')).body : '';
}

export function lessonTask(lesson: Lesson): string | null {
  return section(lessonBody(lesson), 'Your task');
}

export function afterYouPass(lesson: Lesson): string | null {
  return section(lessonBody(lesson), 'After you pass');
}

/** The hints in order ("## Hint 1", "## Hint 2", ...). */
export function lessonHints(lesson: Lesson): string[] {
  const file = join(lesson.dir, 'hints.md');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const hints: string[] = [];
  for (let n = 1; n <= 20; n++) {
    const hint = section(text, `Hint ${n}`);
    if (hint === null) break;
    hints.push(hint);
  }
  return hints;
}

/** The lesson text without the sections shown elsewhere (after-pass note). */
export function lessonReadable(lesson: Lesson): string {
  const body = lessonBody(lesson);
  const cut = body.search(/^##\s+After you pass\s*$/im);
  return (cut >= 0 ? body.slice(0, cut) : body).trim();
}
