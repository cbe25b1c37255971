// Every answer the quizzes call right is proven on the running Node: each question
// of lessons/*/quiz.md names a fact test (a file in test/facts/ and the exact title
// of a test in it). This test fails when a question names none, or one that does
// not exist. The fact tests themselves run with the rest of test/facts/.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { listPitfalls } from '../../src/course/pitfalls.ts';
import { loadQuiz, quizProblems, testTitles } from '../../src/course/quiz.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LESSONS = join(ROOT, 'lessons');
const FACTS = join(ROOT, 'test', 'facts');

const course = loadCourse(LESSONS);
const pitfalls = new Set(listPitfalls(LESSONS));

describe('quiz answers are proven by fact tests', () => {
  it('lessons 01–15 each have a quiz of at least three questions, sound for dev check', () => {
    const numbered = course.filter((lesson) => lesson.number >= 1 && lesson.number <= 15);
    expect(numbered).toHaveLength(15);
    for (const lesson of numbered) {
      const quiz = loadQuiz(lesson.dir);
      expect(quiz, `${lesson.id} has no quiz.md`).not.toBeNull();
      expect(quizProblems(quiz!, FACTS), lesson.id).toEqual([]);
    }
  });

  for (const lesson of course) {
    const quiz = loadQuiz(lesson.dir);
    if (!quiz) continue;
    for (const question of quiz.questions) {
      it(`${lesson.id} question ${question.number} names a fact test that exists${question.pitfall ? ' and a known pitfall' : ''}`, () => {
        const where = `${lesson.id}/quiz.md line ${question.line}`;
        expect(question.fact, `${where} names no fact test`).not.toBeNull();
        const file = join(FACTS, question.fact!.file);
        expect(existsSync(file), `${where}: test/facts/${question.fact!.file} does not exist`).toBe(true);
        const titles = testTitles(readFileSync(file, 'utf8'));
        expect(titles.some((matches) => matches(question.fact!.test)), `${where}: no test titled "${question.fact!.test}" in test/facts/${question.fact!.file}`).toBe(true);
        if (question.pitfall) expect(pitfalls.has(question.pitfall), `${where}: no pitfall page for ${question.pitfall}`).toBe(true);
        // The snippet is the one line that shows the answer, and fits an 80-column terminal (2 spaces in).
        if (question.snippet !== null) expect(question.snippet.length <= 76 && !question.snippet.includes('\n'), `${where}: the snippet is not one line of at most 76 characters`).toBe(true);
        expect(question.explanation.length, `${where}: the explanation is 2-3 sentences, not an essay`).toBeLessThan(600);
      });
    }
  }
});

describe('testTitles', () => {
  const source = [
    "it('plain title', () => {});",
    'it("double \\"quoted\\" title", () => {});',
    "it('it\\'s escaped', () => {});",
    'it(`backticks without a hole`, () => {});',
    "for (const [label] of [['res.write() after end()']]) it(`${label} crashes`, () => {});",
    "describe('not a test title', () => {});",
  ].join('\n');
  const titles = testTitles(source);
  const CASES: Array<[string, boolean]> = [
    ['plain title', true],
    ['double "quoted" title', true],
    ["it's escaped", true],
    ['backticks without a hole', true],
    ['res.write() after end() crashes', true],
    ['anything else crashes', false],
    ['not a test title', false],
    ['plain', false],
  ];
  it.each(CASES)('%j found: %s', (title, expected) => {
    expect(titles.some((matches) => matches(title))).toBe(expected);
  });
});
