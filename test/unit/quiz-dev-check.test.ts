// dev check validates quiz.md: one clear line per problem (src/engine/self-check.ts contentProblems).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { contentProblems } from '../../src/engine/self-check.ts';

const root = mkdtempSync(join(tmpdir(), 'httpdojo-quiz-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const question = (n: number, extra = 'fact: a.test.ts\nfact-test: a title') => `## Question ${n}?\n- [x] yes\n- [ ] no\nBecause.\n${extra}\n`;

/** A one-lesson course in a fresh repo folder (lessons/), with test/facts/a.test.ts beside it when `facts` is given. */
function problemsFor(quiz: string | null, facts?: string): string[] {
  const repo = mkdtempSync(join(root, 'repo-'));
  const dir = join(repo, 'lessons');
  if (facts !== undefined) {
    mkdirSync(join(repo, 'test', 'facts'), { recursive: true });
    writeFileSync(join(repo, 'test', 'facts', 'a.test.ts'), facts);
  }
  const lessonDir = join(dir, '01-hello');
  mkdirSync(join(lessonDir, 'mistakes'), { recursive: true });
  mkdirSync(join(dir, 'pitfalls'), { recursive: true });
  writeFileSync(join(dir, 'pitfalls', 'known.md'), '---\ntitle: Known\n---\n\n## Why Node does this\nx\n');
  writeFileSync(join(lessonDir, 'lesson.md'), '---\ntitle: Hello\nfile: server\ndeadline: 20000\n---\n\n# Hello\n\n## Your task\n\nDo it.\n');
  writeFileSync(join(lessonDir, 'hints.md'), '## Hint 1\na\n## Hint 2\nb\n## Hint 3\nc\n');
  for (const name of ['check.ts', 'solution.ts', 'starter.ts']) writeFileSync(join(lessonDir, name), 'export {};\n');
  if (quiz !== null) writeFileSync(join(lessonDir, 'quiz.md'), quiz);
  const [lesson] = loadCourse(dir);
  return contentProblems(lesson, dir);
}

describe('dev check and quiz.md', () => {
  const CASES: Array<[name: string, quiz: string | null, expected: string[]]> = [
    ['no quiz.md: nothing to say (quizzes are optional)', null, []],
    ['a sound quiz', [1, 2, 3].map((n) => question(n)).join('\n'), []],
    ['a sound quiz with a known pitfall', [1, 2, 3].map((n) => question(n, 'pitfall: known\nfact: a.test.ts\nfact-test: t')).join('\n'), []],
    ['fewer than 3 questions', question(1) + question(2), ['quiz.md has 2 questions, expected at least 3']],
    ['a question without a fact test', question(1) + question(2, '') + question(3), ['quiz.md question 2 (line 7) names no fact test (fact: <file in test/facts> and fact-test: <title>)']],
    ['an unknown pitfall', question(1) + question(2) + question(3, 'pitfall: nowhere\nfact: a.test.ts\nfact-test: t'), ['quiz.md question 3 (line 13): no pitfall page pitfalls/nowhere.md']],
    ['no correct choice: does not parse', question(1).replace('[x]', '[ ]') + question(2) + question(3), ['quiz.md does not parse: line 1: question 1 ("Question 1?") must mark exactly one choice correct with [x], not 0']],
  ];
  it.each(CASES)('%s', (_name, quiz, expected) => {
    expect(problemsFor(quiz)).toEqual(expected);
  });

  const sound = [1, 2, 3].map((n) => question(n, `fact: a.test.ts\nfact-test: title ${n}`)).join('\n');
  const FACTS: Array<[name: string, quiz: string, facts: string, expected: string[]]> = [
    ['every named test exists in test/facts beside the course', sound, "it('title 1', () => {});\nit(\"title 2\", () => {});\nfor (const n of ['3']) it(`title ${n}`, () => {});", []],
    ['a title that is not there', sound, "it('title 1', () => {});\nit('title 2', () => {});", ['quiz.md question 3 (line 15): no test titled "title 3" in test/facts/a.test.ts']],
    ['a fact file that is not there', sound.replace('fact: a.test.ts\nfact-test: title 2', 'fact: b.test.ts\nfact-test: title 2'), "it('title 1', () => {});\nit('title 3', () => {});", ['quiz.md question 2 (line 8): its fact test file test/facts/b.test.ts does not exist']],
  ];
  it.each(FACTS)('%s', (_name, quiz, facts, expected) => {
    expect(problemsFor(quiz, facts)).toEqual(expected);
  });
});
