// The pitfall catalog: lessons/pitfalls/<id>.md, shared by every lesson that
// teaches a pitfall and by `httpdojo explain`.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, sections } from './front-matter.js';
import { GENERIC_PITFALLS } from '../engine/verdict.js';
import { CourseError, defaultLessonsDir } from './lessons.js';

export interface Pitfall {
  id: string;
  title: string;
  docs: string | null;
  symptom: string;
  why: string;
  fix: string;
  example: string;
  /** The whole page body (Markdown). */
  body: string;
}

export function pitfallsDir(lessonsDir: string): string {
  return join(lessonsDir, 'pitfalls');
}

export function listPitfalls(lessonsDir: string): string[] {
  const dir = pitfallsDir(lessonsDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.slice(0, -3))
    .sort();
}

export function loadPitfall(lessonsDir: string, id: string): Pitfall | null {
  if (!/^[a-z0-9-]+$/.test(id)) return null;
  let file = join(pitfallsDir(lessonsDir), `${id}.md`);
  // The engine's own ids (wrong-status, crash, ...) need no page in an instructor's
  // course (dev check does not ask for one): httpdojo's own page explains them.
  if (!existsSync(file) && GENERIC_PITFALLS.has(id)) file = join(pitfallsDir(defaultLessonsDir()), `${id}.md`);
  if (!existsSync(file)) return null;
  const document = parseDocument(readFileSync(file, 'utf8'));
  const parts = sections(document.body);
  const section = (...names: string[]) => names.map((name) => parts.get(name)).find((text) => text !== undefined) ?? '';
  return {
    id,
    title: String(document.data.title ?? id),
    docs: document.data.docs ? String(document.data.docs) : null,
    symptom: section('Symptom'),
    why: section('Why Node does this', 'Why'),
    fix: section('Fix', 'The fix'),
    example: section('Example'),
    body: document.body,
  };
}

export function requirePitfall(lessonsDir: string, id: string): Pitfall {
  const pitfall = loadPitfall(lessonsDir, id);
  if (!pitfall) {
    const known = listPitfalls(lessonsDir);
    throw new CourseError(`no pitfall "${id}"${known.length ? ` (try one of: ${known.slice(0, 8).join(', ')}, …)` : ''}`, 'unknown-pitfall');
  }
  return pitfall;
}
