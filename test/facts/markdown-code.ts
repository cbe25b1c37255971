// The fenced code blocks of the course's Markdown (lessons/<id>/*.md and
// lessons/pitfalls/*.md), so fact tests can check the code a learner reads.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LESSONS_DIR = fileURLToPath(new URL('../../lessons/', import.meta.url));

export interface CodeBlock {
  /** Path relative to lessons/, e.g. "10-http-get/lesson.md". */
  file: string;
  /** 1-based line of the first code line (after the opening fence). */
  line: number;
  /** The fence's language, lowercased: "js", "ts", "" ... */
  language: string;
  /** Words after the language on the fence line, e.g. ["runnable"]. */
  tags: string[];
  code: string;
}

/** Every fenced block of one Markdown text, in order. */
export function codeBlocks(markdown: string, file = ''): CodeBlock[] {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```\s*([\w-]*)(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^\s*```/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({
      file,
      line: start + 1,
      language: fence[1].toLowerCase(),
      tags: fence[2].trim().split(/\s+/).filter(Boolean),
      code: body.join('\n'),
    });
  }
  return blocks;
}

/** The Markdown files of the course: every lesson's .md files and the pitfall pages. */
export function courseMarkdownFiles(): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(LESSONS_DIR).sort()) {
    const dir = path.join(LESSONS_DIR, entry);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.md')) files.push(path.join(entry, name));
    }
  }
  return files;
}

/** Every fenced block in the course. */
export function courseCodeBlocks(): CodeBlock[] {
  return courseMarkdownFiles().flatMap((file) => codeBlocks(readFileSync(path.join(LESSONS_DIR, file), 'utf8'), file));
}

/** The one block of `file` whose first line starts with `firstLine`; throws if not exactly one. */
export function blockStartingWith(file: string, firstLine: string): CodeBlock {
  const found = codeBlocks(readFileSync(path.join(LESSONS_DIR, file), 'utf8'), file).filter((block) =>
    block.code.split('\n')[0].startsWith(firstLine),
  );
  if (found.length !== 1) throw new Error(`${file}: expected one block starting with ${JSON.stringify(firstLine)}, found ${found.length}`);
  return found[0];
}
