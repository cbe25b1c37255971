// The watch screen's pure render (src/ui/watch/render.ts): a state in, the
// screen's lines out, no terminal. Table-driven: each row is a state (a base
// state with a few fields changed) and the lines the learner must see, in order.

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../src/course/lessons.ts';
import type { CheckResult, Verdict } from '../../src/engine/verdict.ts';
import { newModel, type ScreenState } from '../../src/ui/watch/model.ts';
import { composeScreen, render } from '../../src/ui/watch/render.ts';

const style = new Chalk({ level: 0 });
const lesson = (number: number, title: string): Lesson => ({ id: `0${number}-x`, number, title, fileStem: 'server', kind: 'server', dir: `/course/0${number}-x` }) as Lesson;
const first = lesson(1, 'Hello');
const second = lesson(2, 'Reading');
const third = lesson(3, 'Bodies');
const FILE = '/ws/01-x/server.js';

function base(changes: Partial<ScreenState> = {}): ScreenState {
  return {
    ...newModel(first, FILE, { task: 'Answer `GET /` with 200.', after: 'Node never ends a response for you.', hints: ['Look at res.end.', 'Call res.end(body).'], hasQuiz: true }),
    style,
    links: false,
    columns: 80,
    rows: 40,
    self: 'httpdojo',
    root: '/ws',
    lessonsDir: '/course',
    lessonCount: 3,
    passedCount: 1,
    following: second,
    progress: { passed: false, hintsShown: 0, quiz: null },
    listRows: [],
    classroom: { joined: false, status: null },
    ...changes,
  };
}

const check = (id: string, status: CheckResult['status'], title: string, pitfall: string | null = null): CheckResult => ({
  id, title, status, pitfall, message: status === 'failed' ? 'We sent GET /; no answer came back within 2.0 s.' : null, location: null, durationMs: 5, wire: [], error: null, stderrTail: null,
});
const verdict = (checks: CheckResult[]): Verdict => ({ schema: 'httpdojo.verdict/1', lesson: first.id, file: FILE, passed: checks.every((c) => c.status === 'passed'), pitfalls: [], checks, durationMs: 10, node: 'v20', version: '0' }) as Verdict;
const passing = verdict([check('starts', 'passed', 'the program starts'), check('hello', 'passed', 'GET / gets 200')]);
const failing = verdict([check('starts', 'passed', 'the program starts'), check('hello', 'failed', 'GET / gets 200', 'missing-res-end')]);

const HEADER = [`httpdojo  Lesson 1 of 3 · Hello${' '.repeat(31)}████░░░░░░░░  1/3`, 'Edit 01-x/server.js · every save runs the checks', '─'.repeat(80)];
const TASK = ['Your task', '  Answer `GET /` with 200.', ''];
// At 80 columns the wide separator would not fit: ' · '.
const KEYS = 'h hint · w wire · i timeline · l lessons · r re-run · t task · q quit';
const FOOTER = ['', '─'.repeat(80), KEYS];

const lines = (state: ScreenState) => composeScreen(state).flatMap((line) => line.split('\n'));

describe('composeScreen: a state in, the lines in order out', () => {
  const ROWS: Array<[string, Partial<ScreenState>, string[]]> = [
    ['a fresh lesson waits for the first save', {}, [...HEADER, ...TASK, 'Save 01-x/server.js to check it, or press r.', ...FOOTER]],
    ['checking: a line per finished check and the count', { phase: 'checking', live: [check('starts', 'passed', 'the program starts')], liveTotal: 2 }, [...HEADER, ...TASK, 'Checking 01-x/server.js …', '  ✓ the program starts', '  1/2', ...FOOTER]],
    ['an error that stopped the check', { phase: 'error', error: 'the file does not parse' }, [...HEADER, ...TASK, '✗ the file does not parse', ...FOOTER]],
    ['a message, and the classroom above it', { message: 'Hand raised.', classroom: { joined: true, status: '✋ Your hand is up.' } }, [...HEADER, ...TASK, 'Save 01-x/server.js to check it, or press r.', '', '✋ Your hand is up.', 'Hand raised.', '─'.repeat(80), 'h hint · w wire · l lessons · r re-run · t task · a ask for help · q quit']],
    ['the second hint of two', { panel: 'hint', progress: { passed: false, hintsShown: 2, quiz: null } }, [...HEADER, ...TASK, 'Save 01-x/server.js to check it, or press r.', '', 'Hint 2 of 2  (the last one)', '  Call res.end(body).', ...FOOTER]],
    ['t on a lesson without a task section', { panel: 'task', texts: { task: null, after: null, hints: [], hasQuiz: false } }, [...HEADER, 'Save 01-x/server.js to check it, or press r.', '', 'This lesson has no "Your task" section; httpdojo read 1 shows all of it.', ...FOOTER]],
    [
      'the lesson list, the second lesson selected',
      { panel: 'list', listIndex: 1, listRows: [{ lesson: first, status: 'passed' }, { lesson: second, status: 'failed' }, { lesson: third, status: 'new' }] },
      [...HEADER, '  ✓ 01  Hello  (current)', '› ✗ 02  Reading', '    03  Bodies', '', '↑/↓ or a number, Enter opens the lesson, Esc goes back'],
    ],
  ];
  it.each(ROWS)('%s', (_name, changes, expected) => {
    expect(lines(base(changes))).toEqual(expected);
  });

  it('a failure: the checks, the first failure in full, the summary; the task stays', () => {
    const shown = lines(base({ phase: 'done', verdict: failing }));
    expect(shown.slice(0, 6)).toEqual([...HEADER, ...TASK]);
    expect(shown.slice(6, 8)).toEqual(['  ✓ the program starts', '  ✗ GET / gets 200  missing-res-end']);
    expect(shown).toContain('✗ GET / gets 200');
    expect(shown.join('\n')).toMatch(/no answer came back within 2\.0 s/);
    expect(shown.join('\n')).toMatch(/1 failed, 1 passed/);
    expect(shown.slice(-3)).toEqual(FOOTER);
  });

  it('the wire panel replaces the failure with the bytes and the command that shows it again', () => {
    const wired = verdict([{ ...check('hello', 'failed', 'GET / gets 200', 'missing-res-end'), wire: [{ connection: 1, direction: 'sent', atMs: 0, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') }] as CheckResult['wire'] }]);
    const reproductions = new Map([['hello', { kind: 'curl' as const, command: 'curl -i http://127.0.0.1:3000/', note: 'Start it first.' }]]);
    const text = lines(base({ phase: 'done', verdict: wired, panel: 'wire', reproductions })).join('\n');
    expect(text).toMatch(/Wire: GET \/ gets 200 {2}\(w hides it\)/);
    expect(text).toMatch(/GET \/ HTTP\/1\.1/);
    expect(text).toMatch(/curl -i http:\/\/127\.0\.0\.1:3000\//);
    expect(text).not.toMatch(/no answer came back/);
  });

  it('a pass: the task gives way to what was learned, the reference, the next lesson, the quiz; n and c in the footer', () => {
    const shown = lines(base({ phase: 'done', verdict: passing, reference: '/ws/01-x/solution.js', progress: { passed: true, hintsShown: 0, quiz: { correct: 2, total: 3 } as never } }));
    expect(shown).not.toContain('Your task');
    const after = shown.slice(shown.indexOf('✓ Lesson 1 passed!'));
    expect(after).toEqual([
      '✓ Lesson 1 passed!', '', 'What you learned', 'Node never ends a response for you.', '', 'Reference solution: 01-x/solution.js', 'Press n for lesson 2: Reading', 'Quiz 2/3: press c to take it again.',
      '', '─'.repeat(80), 'h hint · w wire · l lessons · r re-run · t task · n next · c quiz · q quit',
    ]);
  });

  it('the last lesson passed, no quiz taken yet', () => {
    const text = lines(base({ lesson: third, phase: 'done', verdict: passing, following: null, progress: { passed: true, hintsShown: 0, quiz: null } })).join('\n');
    expect(text).toMatch(/That was the last lesson\. Well done!\nPress c to check your understanding/);
  });

  it('a short screen: the first lines of the task, or only its heading', () => {
    const task = Array.from({ length: 12 }, (_, n) => `Step ${n + 1}.`).join('\n\n');
    const texts = { task, after: null, hints: [], hasQuiz: false };
    const some = lines(base({ rows: 24, texts }));
    expect(some).toContain('  … t shows the whole task');
    expect(some.length).toBeLessThan(24);
    const none = lines(base({ rows: 12, texts }));
    expect(none).toContain('Your task  t shows it');
    expect(none).not.toContain('  Step 1.');
    expect(lines(base({ rows: 12, texts, panel: 'task' }))).toContain('  Step 12.');
  });
});

describe('render: what is written to the terminal', () => {
  it('a screen that fits is drawn over the old one, each line cleared to its end', () => {
    const text = render(base());
    expect(text.startsWith('\u001B[H')).toBe(true);
    expect(text.endsWith('\u001B[K\u001B[J')).toBe(true);
    expect(text).not.toContain('\u001B[2J');
  });
  it('a screen taller than the terminal clears it and its scrollback first', () => {
    expect(render(base({ rows: 6 })).startsWith('\u001B[H\u001B[2J\u001B[3J')).toBe(true);
  });
});
