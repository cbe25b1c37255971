// `httpdojo quiz` without a terminal, as scripts and CI run it: it never prompts;
// --json lists the questions with their choices and never the answers; --answer
// grades, prints the explanations and the score, exits 0, and the score reaches
// the state file and `progress` (text and --json).

import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { loadQuiz, type Quiz } from '../../src/course/quiz.ts';
import { readStateFile } from '../../src/workspace/state.ts';
import { killStartedClis, requireBuild, ROOT, runCli, STACK_FRAME, type CliResult } from './cli-support.ts';

requireBuild();
const [lesson1] = loadCourse(join(ROOT, 'lessons'));
const quiz: Quiz = loadQuiz(lesson1.dir)!;
const right = quiz.questions.map((question) => question.correct + 1);
const wrong = quiz.questions.map((question) => (question.correct === 0 ? 2 : 1));
const temps: string[] = [];

function cli(args: string[], cwd: string): Promise<CliResult> {
  return runCli(args, { cwd, timeoutMs: 30_000, env: { NO_COLOR: '1', npm_command: undefined } });
}

function expectNoPrompt(result: CliResult): void {
  expect(result.killed, `timed out (waiting for an answer?): ${result.stdout}`).toBe(false);
  expect(result.stdout).not.toMatch(/\u001B/);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stdout).not.toMatch(/\? Your answer/);
}

afterEach(() => killStartedClis());
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('httpdojo quiz without a terminal', () => {
  let root = '';
  beforeAll(async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hdj-quiz-'));
    temps.push(parent);
    const init = await cli(['init', 'dojo', '--lang', 'js'], parent);
    expect(init.code, init.stderr).toBe(0);
    root = join(parent, 'dojo');
  });

  it('quiz 1 --json: the questions and their choices, and no answer anywhere', async () => {
    const result = await cli(['quiz', '1', '--json'], root);
    expectNoPrompt(result);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { schema: string; lesson: { id: string }; questions: Array<Record<string, unknown>>; answerWith: string };
    expect(document.schema).toBe('httpdojo.quiz/1');
    expect(document.lesson.id).toBe(lesson1.id);
    expect(document.questions).toHaveLength(quiz.questions.length);
    for (const [index, question] of document.questions.entries()) {
      expect(Object.keys(question).sort()).toEqual(['choices', 'code', 'number', 'prompt']);
      expect(question.choices).toEqual(quiz.questions[index].choices);
    }
    // Neither the answer nor what would give it away.
    for (const question of quiz.questions) {
      expect(result.stdout).not.toContain(JSON.stringify(question.explanation).slice(1, 40));
      if (question.snippet) expect(result.stdout).not.toContain(JSON.stringify(question.snippet).slice(1, -1));
    }
    expect(result.stdout).not.toMatch(/"correct"|"explanation"|"fact/);
    expect(document.answerWith).toBe(`httpdojo quiz 1 --answer ${quiz.questions.map(() => 'N').join(',')}`);
  });

  it('quiz 1 with no flag lists the questions and says how to answer, never prompting', async () => {
    const result = await cli(['quiz', '1'], root);
    expectNoPrompt(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Question ${quiz.questions.length} of ${quiz.questions.length}`);
    expect(result.stdout).toContain(`1. ${quiz.questions[0].choices[0]}`);
    expect(result.stdout).toContain('--answer');
    expect(result.stdout).not.toMatch(/Right|Not quite|Score/);
  });

  it('quiz 1 --answer <all right>: explanations, snippets, explain <id>, the score on stdout, exit 0, saved', async () => {
    const result = await cli(['quiz', '1', '--answer', right.join(',')], root);
    expectNoPrompt(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Score: ${quiz.questions.length}/${quiz.questions.length}`);
    expect(result.stdout.match(/✓ Right:/g)).toHaveLength(quiz.questions.length);
    for (const question of quiz.questions) {
      expect(result.stdout).toContain(question.explanation.split(/\s+/).slice(0, 4).join(' '));
      if (question.snippet) expect(result.stdout).toContain(question.snippet);
      if (question.pitfall) expect(result.stdout).toContain(`httpdojo explain ${question.pitfall}`);
    }
    const state = readStateFile(root);
    expect(state.ok && state.state.lessons[lesson1.id]?.quiz).toMatchObject({ correct: quiz.questions.length, total: quiz.questions.length, attempts: 1, missed: [] });
  });

  it('quiz 1 --answer <all wrong>: each says the right answer; progress keeps the best score', async () => {
    const result = await cli(['quiz', '1', '--answer', wrong.join(',')], root);
    expectNoPrompt(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Score: 0/${quiz.questions.length}`);
    expect(result.stdout.match(/✗ Not quite:/g)).toHaveLength(quiz.questions.length);
    expect(result.stdout).toContain(`The answer is ${right[0]}. ${quiz.questions[0].choices[quiz.questions[0].correct].split(' ')[0]}`);
    const n = quiz.questions.length;
    const progress = await cli(['progress'], root);
    expect(progress.code).toBe(0);
    expect(progress.stdout).toMatch(new RegExp(`01 +Hello, server .*quiz 0/${n} \\(best ${n}/${n}\\)`));
    const json = JSON.parse((await cli(['progress', '--json'], root)).stdout) as { lessons: Array<{ id: string; quiz: unknown }> };
    expect(json.lessons[0].quiz).toMatchObject({ correct: 0, total: n, best: n, attempts: 2, missed: quiz.questions.map((q) => q.number) });
    expect(json.lessons[1].quiz).toBeNull();
  });

  it('quiz 1 --json --answer: the graded run as JSON, answers revealed', async () => {
    const result = await cli(['quiz', '1', '--json', '--answer', right.join(',')], root);
    expect(result.code).toBe(0);
    const graded = JSON.parse(result.stdout) as { correct: number; total: number; answers: Array<{ right: boolean; correct: number; explanation: string }>; saved: boolean };
    expect(graded).toMatchObject({ correct: quiz.questions.length, total: quiz.questions.length, saved: true });
    expect(graded.answers.map((answer) => answer.correct)).toEqual(right);
  });

  it('a bad --answer list: exit 2 and one line saying what is expected', async () => {
    for (const answers of ['1,2', right.map(() => '9').join(','), 'x']) {
      const result = await cli(['quiz', '1', '--answer', answers], root);
      expectNoPrompt(result);
      expect(result.code, answers).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n'), answers).toHaveLength(1);
      expect(result.stderr).toMatch(/^httpdojo: (--answer needs \d+ answers|answer 1 must be a number from 1 to \d+)/);
    }
  });

  it('outside a workspace it grades but saves nothing, and says so', async () => {
    const away = mkdtempSync(join(tmpdir(), 'hdj-quiz-away-'));
    temps.push(away);
    const result = await cli(['quiz', 'hello-server', '--answer', right.join(',')], away);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Outside a workspace the score is not saved.');
  });

  it('quiz --help names --json and --answer; a lesson without quiz.md is one clear line, exit 2', async () => {
    const help = await cli(['quiz', '--help'], root);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--answer <list>/);
    expect(help.stdout).toMatch(/--json/);
    const course = mkdtempSync(join(tmpdir(), 'hdj-quiz-course-'));
    temps.push(course);
    mkdirSync(join(course, lesson1.id));
    copyFileSync(join(lesson1.dir, 'lesson.md'), join(course, lesson1.id, 'lesson.md'));
    const none = await cli(['quiz', '1', '--lessons', course, '--answer', '1'], course);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('httpdojo: lesson 1 (Hello, server) has no quiz\n');
  });
});
