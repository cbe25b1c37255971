// The course proves itself on every run (the same code as `httpdojo dev check`):
// each solution passes, each starter fails, each mistake is diagnosed with
// exactly its pitfall on its // BUG: line — and every correct program written in
// another style (test/fixtures/correct/<lesson>/) passes, because a correct
// program that fails is as serious a defect as a missed bug.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { selfCheckCourse } from '../../src/engine/self-check.ts';
import { verify } from '../../src/engine/verify.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lessonsDir = join(root, 'lessons');
const compiledChecksDir = join(root, 'dist', 'lessons');
const correctDir = join(root, 'test', 'fixtures', 'correct');

// HTTPDOJO_LESSONS=01,04 narrows the run while working on a lesson.
const only = process.env.HTTPDOJO_LESSONS?.split(',').map((name) => name.padStart(2, '0'));
const lessons = loadCourse(lessonsDir).filter((lesson) => lesson.checkFile && (!only || only.some((n) => lesson.id.startsWith(n))));

// One pool for the whole course, as `dev check` runs it (two verifies at a time).
it('every solution passes, every starter fails, every mistake has exactly its pitfall and line', { timeout: 900_000 }, async () => {
  const items = await selfCheckCourse(lessons, { lessonsDir, compiledChecksDir, jobs: 2 });
  const problems = items.filter((item) => !item.ok).map((item) => `${item.role} ${item.file.replace(root, '')}: ${item.problem}`);
  expect(problems).toEqual([]);
  expect(items.filter((item) => item.role === 'solution')).toHaveLength(lessons.length);
});

describe.each(lessons.map((lesson) => [lesson.id, lesson] as const))('%s', (_id, lesson) => {
  const fixtures = existsSync(join(correctDir, lesson.id)) ? readdirSync(join(correctDir, lesson.id)).filter((name) => /\.(m|c)?(t|j)s$/.test(name)) : [];
  it.each(fixtures)('correct program %s passes', { timeout: 120_000 }, async (name) => {
    const verdict = await verify(lesson, join(correctDir, lesson.id, name), { compiledChecksDir });
    const failed = verdict.checks.filter((check) => check.status !== 'passed').map((check) => `${check.id}: ${check.pitfall} ${check.message}`);
    expect(failed).toEqual([]);
  });
});
