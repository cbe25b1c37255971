// A survivor the author explained in the lesson's check.ts header
// (`// mutant <id>: why`) is reported as documented; the same text below the
// header (in code, after the first import) is not an explanation.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import { documentedSurvivors } from '../../src/engine/mutate/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'hdj-mutate-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lessonWithCheck(text: string | null): Lesson {
  const checkFile = text === null ? null : join(dir, `check-${Math.random().toString(36).slice(2)}.ts`);
  if (checkFile && text !== null) writeFileSync(checkFile, text);
  return { id: '99-test', checkFile } as Lesson;
}

describe('documentedSurvivors', () => {
  const CASES: Array<[string, string | null, Record<string, string>]> = [
    ['no check file', null, {}],
    ['line comments in the header', "// Lesson 99.\n//\n// mutant drop-end#1: every body is ASCII\n// mutant drop-guard#2: out of contract\nimport x from 'y';\n", { 'drop-end#1': 'every body is ASCII', 'drop-guard#2': 'out of contract' }],
    ['a block comment header', "/*\n * mutant drop-clear-timer#1: cleared by 'close' anyway */\nexport default {};\n", { 'drop-clear-timer#1': "cleared by 'close' anyway" }],
    ['below the header: not an explanation', "import x from 'y';\n// mutant drop-end#1: too late\n", {}],
  ];
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(Object.fromEntries(documentedSurvivors(lessonWithCheck(text)))).toEqual(expected);
  });
});
