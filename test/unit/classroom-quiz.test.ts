// The classroom's quiz events (issue 14): strict validation, the room's quiz
// figures (takers, median score, hardest questions with the learners behind
// them), the export rows, and the question titles read from the board's course.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRow, toCsv } from '../../src/classroom/export.ts';
import { medianOf } from '../../src/classroom/quiz-state.ts';
import { courseQuestionTitles } from '../../src/classroom/quiz-titles.ts';
import { validateBody, validateLearnerEvent, type Stored } from '../../src/classroom/schema.ts';
import { apply, createRoom, viewOf } from '../../src/classroom/state.ts';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function quiz(learner: string, lesson: string, correct: number, total: number, missed: number[]): Stored {
  counter += 1;
  return { id: `quiz-${String(counter).padStart(6, '0')}`, type: 'quiz', learner, name: `name-${learner}`, at: '', version: '0.1.0', lesson, correct, total, missed, t: counter, seq: counter } as Stored;
}

describe('quiz event validation', () => {
  const good = { id: 'abcdefgh1', type: 'quiz', learner: 'learner-1', name: 'Ada', lesson: '01-hello', correct: 1, total: 3, missed: [3, 2] };

  it('accepts a quiz event, keeps only its fields, and sorts the missed questions', () => {
    const checked = validateLearnerEvent({ ...good, answers: [1, 2, 3], code: 'x' });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(Object.keys(checked.value).sort()).toEqual(['at', 'correct', 'id', 'learner', 'lesson', 'missed', 'name', 'total', 'type', 'version']);
    expect(checked.value).toMatchObject({ type: 'quiz', correct: 1, total: 3, missed: [2, 3] });
    expect(validateLearnerEvent({ ...good, correct: 3, missed: [] }).ok).toBe(true);
  });

  it.each([
    [{ ...good, lesson: '../x' }, '"lesson" has an invalid format'],
    [{ ...good, lesson: undefined }, '"lesson" must be a string'],
    [{ ...good, total: 0, correct: 0, missed: [] }, '"total" must be between 1 and 50'],
    [{ ...good, total: 51, correct: 51, missed: [] }, '"total" must be between 1 and 50'],
    [{ ...good, total: '3' }, '"total" must be a whole number'],
    [{ ...good, correct: 1.5 }, '"correct" must be a whole number'],
    [{ ...good, correct: -1 }, '"correct" must be a whole number'],
    [{ ...good, correct: 4 }, '"correct" must not be more than "total"'],
    [{ ...good, missed: '2,3' }, '"missed" must be an array of question numbers'],
    [{ ...good, missed: [0, 2] }, '"missed" must be an array of question numbers'],
    [{ ...good, missed: [2, 4] }, '"missed" must be an array of question numbers'],
    [{ ...good, missed: [2, '3'] }, '"missed" must be an array of question numbers'],
    [{ ...good, missed: [2, 2] }, '"missed" must not repeat a question'],
    [{ ...good, missed: [2] }, '"missed" must list exactly the total - correct'],
    [{ ...good, correct: 3, missed: [1] }, '"missed" must list exactly the total - correct'],
    [{ ...good, type: 'quizz' }, '"type" must be one of verify, hand, join, leave, quiz'],
  ])('refuses %j with a one-line reason', (input, reason) => {
    const checked = validateBody(input);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.reason).toContain(reason);
    expect(!checked.ok && checked.reason).not.toContain('\n');
  });
});

describe('the room\'s quiz figures', () => {
  it('counts takers and the median of their latest scores, and ranks the hardest questions by learners, then misses', () => {
    const room = createRoom();
    apply(room, quiz('ada', '01-hello', 1, 4, [2, 3, 4]));
    apply(room, quiz('ada', '01-hello', 3, 4, [3])); // a retake: her latest score counts; Q2 and Q4 she missed once
    apply(room, quiz('bob', '01-hello', 2, 4, [3, 4]));
    apply(room, quiz('cy', '01-hello', 4, 4, []));
    apply(room, quiz('cy', '02-read', 2, 3, [1]));
    const view = viewOf(room, 100, ['01-hello', '02-read', '03-json']);
    expect(view.quizzes.map((figures) => figures.lesson)).toEqual(['01-hello', '02-read']);
    const [hello, read] = view.quizzes;
    expect(hello).toMatchObject({ lesson: '01-hello', learners: 3, attempts: 4, medianCorrect: 3, total: 4, perfect: 1 });
    expect(hello.hardest).toEqual([
      { question: 3, title: null, count: 2, learners: ['name-ada', 'name-bob'], misses: 3, still: 2 },
      { question: 4, title: null, count: 2, learners: ['name-ada', 'name-bob'], misses: 2, still: 1 },
      { question: 2, title: null, count: 1, learners: ['name-ada'], misses: 1, still: 0 },
    ]);
    expect(read).toMatchObject({ learners: 1, medianCorrect: 2, total: 3, hardest: [{ question: 1, count: 1, learners: ['name-cy'] }] });
    // A quiz alone puts no cell on the grid and leaves the lesson figures as they were.
    expect(view.learners.find((learner) => learner.id === 'cy')!.cells).toEqual({});
    // Each learner's summary carries their latest score, best and tries per lesson.
    expect(view.learners.find((learner) => learner.id === 'ada')!.quizzes).toEqual({ '01-hello': { correct: 3, total: 4, best: 3, attempts: 2 } });
    expect(view.learners.find((learner) => learner.id === 'cy')!.quizzes).toEqual({ '01-hello': { correct: 4, total: 4, best: 4, attempts: 1 }, '02-read': { correct: 2, total: 3, best: 2, attempts: 1 } });
    expect(view.figures.find((row) => row.lesson === '01-hello')).toMatchObject({ learners: 0, passed: 0 });
  });

  it('names the questions through the board\'s resolver, and a resolver that throws leaves "Q3" to the page', () => {
    const room = createRoom();
    apply(room, quiz('ada', '01-hello', 2, 3, [3]));
    expect(viewOf(room, 1, [], (lesson, n) => `${lesson} question ${n}`).quizzes[0].hardest[0].title).toBe('01-hello question 3');
    expect(viewOf(room, 1, [], () => { throw new Error('EACCES'); }).quizzes[0].hardest[0].title).toBeNull();
  });

  it('keeps medians to halves and drops a duplicate event', () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([2, 3])).toBe(2.5);
    expect(medianOf([4, 1, 3])).toBe(3);
    const room = createRoom();
    const event = quiz('ada', '01-hello', 0, 3, [1, 2, 3]);
    apply(room, event);
    expect(apply(room, event)).toBe(false);
    expect(viewOf(room, 1).quizzes[0]).toMatchObject({ attempts: 1, hardest: [{ misses: 1 }, { misses: 1 }, { misses: 1 }] });
  });
});

describe('quiz export rows', () => {
  it('keeps the fixed columns and adds the score and the missed questions', () => {
    const event = quiz('ada', '01-hello', 1, 3, [2, 3]);
    expect(exportRow(event)).toMatchObject({ type: 'quiz', learner: 'ada', name: 'name-ada', lesson: '01-hello', passed: null, pitfalls: [], correct: 1, total: 3, missed: [2, 3] });
    const [header, row] = toCsv([event]).trim().split('\r\n');
    const columns = header.split(',');
    expect(columns.slice(0, 8)).toEqual(['time', 'type', 'id', 'learner', 'name', 'lesson', 'passed', 'pitfalls']);
    const cells = row.split(',');
    expect([cells[columns.indexOf('correct')], cells[columns.indexOf('total')], cells[columns.indexOf('missed')]]).toEqual(['1', '3', '2 3']);
  });
});

describe('question titles from the board\'s course', () => {
  it('reads a lesson\'s quiz.md once, titles are the one-line headings, and anything unreadable is null', () => {
    const root = mkdtempSync(join(tmpdir(), 'hdj-quiztitles-'));
    temps.push(root);
    const dir = join(root, '01-hello');
    mkdirSync(dir);
    const question = (title: string) => `## ${title}\n\nMore text.\n\n- [x] yes\n- [ ] no\n\nBecause.\n\nfact: x.test.ts\nfact-test: x\n`;
    writeFileSync(join(dir, 'quiz.md'), `# Quiz\n\n${question('What does `res.end()` send?')}\n${question('Second?')}`);
    const broken = join(root, '02-broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'quiz.md'), '## Only a heading\n\n```js\nnever closed\n');
    const titleOf = courseQuestionTitles([{ id: '01-hello', dir }, { id: '02-broken', dir: broken }, { id: '03-none', dir: join(root, 'nope') }]);
    expect(titleOf('01-hello', 1)).toBe('What does `res.end()` send?');
    expect(titleOf('01-hello', 2)).toBe('Second?');
    expect(titleOf('01-hello', 3)).toBeNull();
    expect(titleOf('02-broken', 1)).toBeNull();
    expect(titleOf('03-none', 1)).toBeNull();
    expect(titleOf('99-elsewhere', 1)).toBeNull();
    // Cached for the board's life: a changed file is not read again on every push.
    writeFileSync(join(dir, 'quiz.md'), question('Changed'));
    expect(titleOf('01-hello', 1)).toBe('What does `res.end()` send?');
  });
});
