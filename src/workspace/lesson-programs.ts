// The course's programs as a workspace receives them: a lesson's starter and
// solution in the learner's language (TypeScript as written, or with the types
// stripped), and the reference solution written beside the learner's file once
// the lesson passes.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lesson } from '../course/lessons.js';
import { lessonDir } from './locate.js';
import { createFileAtomic, type Language } from './state.js';
import type { Workspace } from './workspace.js';

export function referenceSolutionPath(root: string, lesson: Lesson, lang: Language): string {
  return join(lessonDir(root, lesson), `solution.${lang}`);
}

/** A lesson's program in the learner's language: the TypeScript source, or it with the types stripped. */
export async function lessonSource(lesson: Lesson, which: 'starter' | 'solution', lang: Language): Promise<string | null> {
  const file = join(lesson.dir, `${which}.ts`);
  if (!existsSync(file)) {
    const javascript = join(lesson.dir, `${which}.js`);
    return existsSync(javascript) ? readFileSync(javascript, 'utf8') : null;
  }
  const source = readFileSync(file, 'utf8');
  if (lang === 'ts') return source;
  const { stripTypes } = await import('./strip-types.js');
  return (await stripTypes(source, file)).code;
}

/** The file a lesson without a starter opens with. */
export function placeholder(lesson: Lesson): string {
  return `// ${lesson.title}: write your ${lesson.kind} here (httpdojo read ${lesson.number} shows the task).\nimport http from 'node:http';\n`;
}

/** Writes the reference solution beside the learner's file (once passed). Returns its path. */
export async function writeReferenceSolution(workspace: Workspace, lesson: Lesson): Promise<string | null> {
  const file = referenceSolutionPath(workspace.root, lesson, workspace.state.lang);
  if (existsSync(file)) return file;
  const source = await lessonSource(lesson, 'solution', workspace.state.lang);
  if (source === null) return null;
  mkdirSync(dirname(file), { recursive: true });
  createFileAtomic(file, source);
  return file;
}
