// quiz.md: the parser, the problems dev check reports, and grading.

import { describe, expect, it } from 'vitest';
import { grade, parseAnswerList, parseQuiz, publicQuestion, quizProblems, type Quiz } from '../../src/course/quiz.ts';

const FENCE = '```';

const ONE = [
  '# Quiz: Hello',
  '',
  'Intro text is ignored.',
  '',
  '## Which of the two calls reaches the wire?',
  '',
  `${FENCE}js`,
  "res.end('first');",
  '',
  '## not a heading inside code',
  "res.end('second');",
  FENCE,
  '',
  '- [ ] `second`',
  '- [x] `first`: the second `end()` is ignored',
  '- [ ] both, one after the other',
  '',
  'A second end() without data does nothing.',
  'Node keeps serving.',
  '',
  `${FENCE}js`,
  'res.end(); res.end(); // no error',
  FENCE,
  '',
  'pitfall: write-after-end',
  'fact: response-end.test.ts',
  'fact-test: a second res.end() without data is ignored: no error, the server keeps serving',
].join('\n');

describe('parseQuiz', () => {
  it('reads the prompt, its code, the choices, the correct one, the explanation, the snippet and the metadata', () => {
    const quiz = parseQuiz(ONE);
    expect(quiz.title).toBe('Quiz: Hello');
    expect(quiz.questions).toHaveLength(1);
    const [q] = quiz.questions;
    expect(q).toMatchObject({
      number: 1,
      prompt: 'Which of the two calls reaches the wire?',
      code: "res.end('first');\n\n## not a heading inside code\nres.end('second');",
      codeLang: 'js',
      choices: ['`second`', '`first`: the second `end()` is ignored', 'both, one after the other'],
      correct: 1,
      explanation: 'A second end() without data does nothing.\nNode keeps serving.',
      snippet: 'res.end(); res.end(); // no error',
      pitfall: 'write-after-end',
      fact: { file: 'response-end.test.ts', test: 'a second res.end() without data is ignored: no error, the server keeps serving' },
      line: 5,
    });
    expect(quizProblems(quiz)).toEqual(['quiz.md has 1 questions, expected at least 3']);
  });

  const minimal = (choices: string, after = 'Because.\nfact: a.test.ts\nfact-test: t') => `## Q?\n${choices}\n${after}\n`;

  const CASES: Array<[name: string, text: string, expected: Partial<Record<'correct' | 'prompt' | 'snippet' | 'pitfall' | 'code', unknown>> | RegExp]> = [
    ['x in capitals counts', minimal('- [ ] a\n- [X] b'), { correct: 1 }],
    ['* bullets work too', minimal('* [x] a\n* [ ] b'), { correct: 0 }],
    ['prompt text after the heading joins the prompt', '## Q?\nMore words.\n- [x] a\n- [ ] b\nWhy.\n', { prompt: 'Q?\n\nMore words.', code: null, snippet: null, pitfall: null }],
    ['no correct choice', minimal('- [ ] a\n- [ ] b'), /exactly one choice correct with \[x\], not 0/],
    ['two correct choices', minimal('- [x] a\n- [x] b'), /not 2/],
    ['one choice only', minimal('- [x] a'), /at least two choices/],
    ['no explanation', minimal('- [x] a\n- [ ] b', 'fact: a.test.ts'), /no explanation/],
    ['an unclosed code block', `## Q?\n${FENCE}js\nx\n- [x] a\n- [ ] b\nWhy.\n`, /never closed/],
    ['two code blocks before the choices', `## Q?\n${FENCE}\na\n${FENCE}\n${FENCE}\nb\n${FENCE}\n- [x] a\n- [ ] b\nWhy.\n`, /at most one code block before/],
    ['text after the metadata', minimal('- [x] a\n- [ ] b', 'Why.\npitfall: x\nstray words'), /unexpected text after/],
    ['a pitfall that is not an id', minimal('- [x] a\n- [ ] b', 'Why.\npitfall: Not An Id'), /pitfall must be an id/],
    ['a metadata line twice', minimal('- [x] a\n- [ ] b', 'Why.\nfact: a\nfact: b'), /fact: appears twice/],
    ['an empty heading', '## \n- [x] a\n- [ ] b\nWhy.\n', /has no text/],
  ];
  it.each(CASES)('%s', (_name, text, expected) => {
    if (expected instanceof RegExp) {
      expect(() => parseQuiz(text)).toThrow(expected);
      return;
    }
    expect(parseQuiz(text).questions[0]).toMatchObject(expected);
  });

  it('reports the line of the question in its errors', () => {
    expect(() => parseQuiz(`${ONE}\n\n## Second?\n- [ ] a\n- [ ] b\nWhy.\n`)).toThrow(/^line 29: question 2 \("Second\?"\) must mark exactly one/);
  });

  it('a file with no question parses to an empty quiz, which dev check reports', () => {
    const quiz = parseQuiz('# Just a title\n\nNothing else.\n');
    expect(quiz.questions).toEqual([]);
    expect(quizProblems(quiz)).toEqual(['quiz.md has 0 questions, expected at least 3']);
  });
});

describe('quizProblems', () => {
  const three = (after: string) => Array.from({ length: 3 }, (_, i) => `## Q${i}?\n- [x] a\n- [ ] b\nWhy.\n${after}\n`).join('\n');
  it('a sound quiz has none', () => {
    expect(quizProblems(parseQuiz(three('fact: a.test.ts\nfact-test: t')))).toEqual([]);
  });
  it('one line per question without a fact test, or with half of one', () => {
    const problems = quizProblems(parseQuiz(three('fact: a.test.ts')));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^quiz.md question 1 \(line 1\) names no fact test/);
  });
  it('a correct choice out of range (a quiz built by hand)', () => {
    const quiz = parseQuiz(three('fact: a.test.ts\nfact-test: t'));
    quiz.questions[1].correct = 5;
    expect(quizProblems(quiz)).toEqual(['quiz.md question 2 (line 8): the correct choice is out of range']);
  });
});

describe('grading', () => {
  const quiz: Quiz = parseQuiz(
    Array.from({ length: 3 }, (_, i) => `## Q${i}?\n- [ ] a\n- [ ] b\n- [ ] c\n`.replace(`[ ] ${'abc'[i]}`, `[x] ${'abc'[i]}`) + 'Why.\n').join('\n'),
  );
  const CASES: Array<[answers: string, correct: number | RegExp]> = [
    ['1,2,3', 3],
    ['1, 2 ,3', 3],
    ['3,2,1', 1],
    ['2,3,1', 0],
    ['1,2', /needs 3 answers/],
    ['1,2,3,1', /needs 3 answers/],
    ['1,4,3', /answer 2 must be a number from 1 to 3, not "4"/],
    ['1,0,3', /from 1 to 3/],
    ['1,b,3', /not "b"/],
    ['', /needs 3 answers/],
  ];
  it.each(CASES)('--answer %j -> %s', (answers, expected) => {
    if (expected instanceof RegExp) {
      expect(() => parseAnswerList(answers, quiz)).toThrow(expected);
      return;
    }
    const result = grade(quiz, parseAnswerList(answers, quiz));
    expect(result.correct).toBe(expected);
    expect(result.total).toBe(3);
    expect(result.answers.map((answer) => answer.right).filter(Boolean)).toHaveLength(expected);
  });

  it('the public form of a question has no answer and no explanation', () => {
    const shown = JSON.stringify(quiz.questions.map(publicQuestion));
    expect(shown).not.toMatch(/correct|explanation|Why/);
    expect(publicQuestion(quiz.questions[0])).toEqual({ number: 1, prompt: 'Q0?', code: null, choices: ['a', 'b', 'c'] });
  });
});

describe('the example in docs/writing-lessons.md', () => {
  it('parses to one question with its answer, snippet, pitfall and fact test', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/writing-lessons.md', import.meta.url), 'utf8');
    const example = /^````markdown\n([\s\S]*?)^````$/m.exec(doc);
    expect(example, 'the quiz.md example block').not.toBeNull();
    const quiz = parseQuiz(example![1]);
    expect(quiz.questions).toHaveLength(1);
    expect(quiz.questions[0]).toMatchObject({ correct: 1, snippet: "res.end('first'); res.end(); // no error, no crash", pitfall: 'write-after-end', fact: { file: 'response-end.test.ts' } });
  });
});

describe('the quiz score in the state file', () => {
  const entry = (quiz: unknown) => ({ schema: 'httpdojo.state/1', lang: 'js', lessons: { a: { attempts: 1, quiz } } });
  const CASES: Array<[name: string, quiz: unknown, expected: unknown]> = [
    ['a sound score is kept', { correct: 3, total: 4, best: 4, attempts: 2, missed: [2], takenAt: 't' }, { correct: 3, total: 4, best: 4, attempts: 2, missed: [2], takenAt: 't' }],
    ['best is at least the last score', { correct: 3, total: 4, best: 1, attempts: 0, missed: [], takenAt: 't' }, { best: 3, attempts: 1 }],
    ['missed numbers outside the quiz are dropped', { correct: 2, total: 4, missed: [0, 3, 9, 'x'], takenAt: 't' }, { missed: [3] }],
    ['more right than asked: not a score', { correct: 5, total: 4, takenAt: 't' }, null],
    ['no takenAt: not a score', { correct: 1, total: 4 }, null],
    ['a total of 0: not a score', { correct: 0, total: 0, takenAt: 't' }, null],
  ];
  it.each(CASES)('%s', async (_name, quiz, expected) => {
    const { validate } = await import('../../src/workspace/state.ts');
    const state = validate(entry(quiz));
    if (expected === null) expect(state!.lessons.a.quiz).toBeNull();
    else expect(state!.lessons.a.quiz).toMatchObject(expected as object);
  });
  it('an old state file without quiz scores reads as before (no quiz field)', async () => {
    const { validate } = await import('../../src/workspace/state.ts');
    expect(validate({ schema: 'httpdojo.state/1', lang: 'js', lessons: { a: { attempts: 1 } } })!.lessons.a).not.toHaveProperty('quiz');
  });
});
