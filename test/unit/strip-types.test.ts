// JavaScript learners get the lesson's TypeScript with the types cut out: the
// author's comments, blank lines, indentation and quotes kept, the code the same.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stripTypes } from '../../src/workspace/strip-types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const lessonsDir = join(ROOT, 'lessons');
const programs = readdirSync(lessonsDir)
  .filter((name) => /^\d{2}-/.test(name))
  .flatMap((lesson) => ['starter.ts', 'solution.ts'].map((file) => join(lesson, file)))
  .filter((file) => existsSync(join(lessonsDir, file)));

const comments = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('//'));

describe('every starter and solution of the course', () => {
  it.each(programs)('%s keeps its layout and comments', async (file) => {
    const source = readFileSync(join(lessonsDir, file), 'utf8');
    const { code, method } = await stripTypes(source, file);
    expect(method).toBe('erase');
    expect(comments(code)).toEqual(comments(source));
    // Indentation is the author's: every stripped line is a line of the source, or a shortened one.
    const sourceIndents = new Set(source.split('\n').map((line) => /^ */.exec(line)![0].length));
    for (const line of code.split('\n')) expect(sourceIndents.has(/^ */.exec(line)![0].length)).toBe(true);
    expect(code).not.toMatch(/^\s*(interface|type)\s+\w+/m);
  });
});

describe('type syntax', () => {
  it('cuts annotations, generics, assertions, type-only imports and declarations', async () => {
    const source = [
      "import http, { type IncomingMessage } from 'node:http';",
      "import type { Server } from 'node:http';",
      '',
      '// About users.',
      'interface User { id: number }',
      '',
      'type Handler = (req: IncomingMessage) => void;',
      '',
      'class Box<T> implements Iterable<T> {',
      '  private readonly items: T[] = [];',
      '  count!: number;',
      '  add(item: T, at?: number): this { return this; }',
      '  *[Symbol.iterator](): Iterator<T> { yield* this.items; }',
      '}',
      'const pick = <T,>(value: T): T => value as T;',
      'const name = (data as { name?: string }).name!;',
      'const map = new Map<string, User[]>();',
      'function f(this: unknown, { a }: { a: string }, ...rest: number[]): { b: number } { return { b: 1 }; }',
      'const checked = { port: 3000 } satisfies { port: number };',
      'const text = `a',
      '',
      '  b: ${1 as number}`;',
      'export type { User };',
      '',
    ].join('\n');
    const { code, method } = await stripTypes(source);
    expect(method).toBe('erase');
    expect(code).toBe(
      [
        "import http from 'node:http';",
        '',
        '// About users.',
        '',
        'class Box {',
        '  items = [];',
        '  count;',
        '  add(item, at) { return this; }',
        '  *[Symbol.iterator]() { yield* this.items; }',
        '}',
        'const pick = (value) => value;',
        'const name = data.name;',
        'const map = new Map();',
        'function f({ a }, ...rest) { return { b: 1 }; }',
        'const checked = { port: 3000 };',
        'const text = `a',
        '',
        '  b: ${1}`;',
        '',
      ].join('\n'),
    );
  });

  it('falls back to the compiler for what it cannot erase (an enum), still correct JavaScript', async () => {
    const { code, method } = await stripTypes('enum Color { Red, Green }\n\nconst c: Color = Color.Red;\n');
    expect(method).toBe('transpile');
    expect(code).toContain('var Color;');
    expect(code).toContain('const c = Color.Red;');
  });
});
