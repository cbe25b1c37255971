// `httpdojo dev new <slug>`: a complete lesson folder with the next free number,
// whose programs already prove themselves under `dev check` (the solution
// passes, the starter fails, the mistake is diagnosed with the new pitfall id on
// its // BUG: line), and whose unwritten parts carry the stub marker (stub.ts)
// that `dev check` lists, one line per file, until the author replaces them.
// This module plans and writes files; src/cli/commands/dev-new.ts prints.

import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CourseError, defaultLessonsDir, LESSON_DIR } from '../lessons.js';
import { CLIENT_HARNESS_PITFALLS } from '../../engine/client-harness/pitfalls.js';
import { GENERIC_PITFALLS } from '../../engine/verdict.js';
import { clientTemplates } from './client.js';
import { proxyTemplates } from './proxy.js';
import { serverTemplates } from './server.js';
import { stub } from './stub.js';
import type { KindTemplates, LessonKind, ScaffoldParams } from './types.js';

export type { LessonKind } from './types.js';
export const KINDS: LessonKind[] = ['server', 'client', 'proxy'];
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface ScaffoldPlan extends ScaffoldParams {
  /** The new lesson folder. */
  dir: string;
  /** Files to write, relative to the course folder, with their text. */
  files: Array<{ path: string; text: string }>;
  /** Pitfall pages copied from httpdojo's own course (the client harness's ids), relative to the course folder. */
  copiedPages: string[];
  /** Pages that already existed and are kept as they are. */
  keptPages: string[];
}

/** What `dev new` would write into `lessonsDir`; throws a CourseError for a bad slug, kind or id. */
export function planLesson(lessonsDir: string, slug: string, kind: string, pitfall?: string): ScaffoldPlan {
  if (!SLUG.test(slug)) throw new CourseError(`"${slug}" is not a lesson slug: lowercase letters, digits and single dashes, like cookie-parsing`, 'bad-course');
  if (!(KINDS as string[]).includes(kind)) throw new CourseError(`--kind must be server, client or proxy, not "${kind}"`, 'bad-course');
  const id = pitfall ?? `${slug}-mistake`;
  if (!SLUG.test(id)) throw new CourseError(`"${id}" is not a pitfall id: lowercase letters, digits and single dashes, like forgets-trailing-newline`, 'bad-course');
  if (GENERIC_PITFALLS.has(id)) throw new CourseError(`"${id}" is one of the engine's own pitfall ids; name the mistake your lesson teaches (--pitfall forgets-trailing-newline)`, 'bad-course');
  if (existsSync(lessonsDir) && !statSync(lessonsDir).isDirectory()) throw new CourseError(`${lessonsDir} is a file; --lessons takes the course folder (the one holding 01-…/ and pitfalls/)`, 'bad-course');
  const lessons = existsSync(lessonsDir) ? readdirSync(lessonsDir).flatMap((name) => {
    // flatMap would spread a match (an array) itself: wrap it.
    const match = LESSON_DIR.exec(name);
    return match ? [match] : [];
  }) : [];
  const same = lessons.find((match) => match[2] === slug);
  if (same) throw new CourseError(`the course already has a lesson called ${slug}: ${same[0]}/; choose another slug`, 'bad-course');
  const next = Math.max(0, ...lessons.map((match) => Number(match[1]))) + 1;
  if (next > 99) throw new CourseError('the course already has lesson 99; lesson numbers have two digits', 'bad-course');
  const params: ScaffoldParams = { id: `${String(next).padStart(2, '0')}-${slug}`, slug, title: titleOf(slug), kind: kind as LessonKind, pitfall: id };
  const templates = kind === 'client' ? clientTemplates(params) : kind === 'proxy' ? proxyTemplates(params) : serverTemplates(params);
  const at = (name: string) => `${params.id}/${name}`;
  const files = [
    { path: at('lesson.md'), text: lessonText(params, templates) },
    { path: at('hints.md'), text: hintsText(templates) },
    { path: at('starter.ts'), text: templates.starter },
    { path: at('solution.ts'), text: templates.solution },
    { path: at('check.ts'), text: templates.check },
    { path: at(`mistakes/${id}.ts`), text: templates.mistake },
  ];
  const pageExists = (name: string) => existsSync(join(lessonsDir, 'pitfalls', `${name}.md`));
  const keptPages = pageExists(id) ? [`pitfalls/${id}.md`] : [];
  if (!keptPages.length) files.push({ path: `pitfalls/${id}.md`, text: pageText(params) });
  // A check importing the client harness can report the harness's ids, and dev
  // check wants a page for each (a learner who hits one reads it). httpdojo's own
  // pages are complete, so they are copied, not stubbed; the author may edit them.
  const harnessIds = kind === 'client' ? CLIENT_HARNESS_PITFALLS.filter((name) => !GENERIC_PITFALLS.has(name) && name !== id && !pageExists(name)) : [];
  const copiedPages = harnessIds.filter((name) => existsSync(join(defaultLessonsDir(), 'pitfalls', `${name}.md`))).map((name) => `pitfalls/${name}.md`);
  return { ...params, dir: join(lessonsDir, params.id), files, copiedPages, keptPages };
}

/** Writes the plan; never overwrites a file (the plan only names files that do not exist). */
export function writeLesson(lessonsDir: string, plan: ScaffoldPlan): void {
  makeFolder(lessonsDir);
  for (const file of plan.files) {
    const target = join(lessonsDir, file.path);
    // Folders one level at a time: the course folder, then the lesson's, mistakes/, pitfalls/.
    for (let depth = 1; depth < file.path.split('/').length; depth++) makeFolder(join(lessonsDir, ...file.path.split('/').slice(0, depth)));
    writeFileSync(target, file.text, { flag: 'wx' });
  }
  for (const page of plan.copiedPages) copyFileSync(join(defaultLessonsDir(), page), join(lessonsDir, page));
}

/**
 * One folder, its parent required: never `mkdirSync(…, { recursive: true })`.
 * procfs answers ENOENT to a mkdir under /proc, which Node's recursive mkdir
 * reads as "make the parent first", forever (measured on Node 20.20: a spin at
 * 100 % CPU for a --lessons path mistyped there).
 */
function makeFolder(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CourseError(`${dir} is a file; --lessons takes the course folder (the one holding 01-…/ and pitfalls/)`, 'bad-course');
    return;
  }
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CourseError(code === 'ENOENT' ? `cannot create ${dir}: the folder it goes in does not exist` : `cannot create ${dir}: ${(error as Error).message}`, 'bad-course');
  }
}

/** `cookie-parsing` → `Cookie parsing`. */
export function titleOf(slug: string): string {
  const words = slug.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function lessonText(p: ScaffoldParams, t: KindTemplates): string {
  return `---
title: ${p.title}
kind: ${p.kind}
file: ${t.file}
args: []${t.argsNote}
deadline: ${t.deadline}
pitfalls: [${p.pitfall}]
---

# ${p.title}

${stub('write the explanation')}
Short sections with small runnable snippets: what goes on the wire, and what Node does.

## Your task

${stub('write the task')}
A list a learner can tick off; the one below matches the example check in check.ts.

${t.task}

## After you pass

${stub('write what was learned')}
What the learner just learned, and other ways to write it (shown after a pass).
`;
}

function hintsText(t: KindTemplates): string {
  const what = ['a nudge: where to look', 'the API and its Node docs anchor', 'nearly the answer'];
  return t.hints.map((hint, index) => `## Hint ${index + 1}\n\n${stub(`write hint ${index + 1}`)}\n${what[index]}; this one fits the example task:\n\n${hint}\n`).join('\n');
}

function pageText(p: ScaffoldParams): string {
  return `---
title: ${p.title}: ${p.pitfall.split('-').join(' ')}
docs: https://nodejs.org/docs/latest-v20.x/api/http.html
---

## Symptom

${stub('write the symptom')}
What the learner sees: curl hangs, the process exits 1, a header is missing.

## Why Node does this

${stub('write why Node does this')}
One to three sentences, true for Node 20; the docs anchor goes in docs: above.

## Fix

${stub('write the fix')}
One to three sentences and, where it helps, a short snippet.

## Example

${stub('write the example')}
A minimal wrong/right pair.
`;
}
