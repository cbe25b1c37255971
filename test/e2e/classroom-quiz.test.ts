// The quiz on the classroom board (issue 14), end to end on loopback: a joined
// workspace runs the real `httpdojo quiz 1 --answer …`, the event is in the
// board's /export.json with the right score and missed questions, and the
// board's live view lists the hardest question, titled from the board's course.
// A board that never answers costs `quiz --answer` at most the outbox's short
// deadline, and the event waits in the outbox.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { QuizFigures } from '../../src/classroom/quiz-state.ts';
import { startBoard } from '../../src/classroom/server.ts';
import { loadCourse } from '../../src/course/lessons.ts';
import { grade, loadQuiz, type Quiz } from '../../src/course/quiz.ts';
import { saveQuizResult } from '../../src/ui/quiz-session.ts';
import { POST_TIMEOUT_MS, writeConfig } from '../../src/workspace/classroom-outbox.ts';
import { openWorkspace } from '../../src/workspace/workspace.ts';
import { killStartedClis, requireBuild, ROOT, runCli, startCli, waitUntil, type CliResult, type RunningCli } from './cli-support.ts';

requireBuild();
const [lesson1] = loadCourse(join(ROOT, 'lessons'));
const quiz: Quiz = loadQuiz(lesson1.dir)!;
/** Every answer right but the last question's. */
const answers = quiz.questions.map((question, index) => (index === quiz.questions.length - 1 ? (question.correct === 0 ? 2 : 1) : question.correct + 1));
const lastNumber = quiz.questions.length;
const temps: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

afterEach(() => killStartedClis());
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(args, { cwd, timeoutMs: 60_000, env: { NO_COLOR: '1', npm_command: undefined, ...env } });
}

interface Urls {
  join: string;
  board: string;
}

async function startBoardCli(data: string): Promise<RunningCli & { urls: Urls }> {
  const running = startCli(['classroom', '--json', '--host', '127.0.0.1', '--port', '0', '--data', data, '--name', 'Quiz room'], { timeoutMs: 120_000 });
  let stdout = '';
  running.child.stdout!.on('data', (text: string) => (stdout += text));
  const ready = await waitUntil(() => stdout.includes('\n') || running.child.exitCode !== null, 15_000);
  if (!ready || !stdout.includes('\n')) throw new Error(`the board did not start: ${stdout}`);
  return { ...running, urls: JSON.parse(stdout.split('\n')[0]) as Urls };
}

async function workspace(): Promise<string> {
  const parent = tempDir('hdj-class-quiz-');
  const root = join(parent, 'ws');
  expect((await cli(['init', root, '--lang', 'js'], parent)).code).toBe(0);
  return root;
}

/** The board's first Server-Sent Events frame: the view the page draws. */
async function boardView(urls: Urls): Promise<{ quizzes: QuizFigures[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(urls.board.replace('/board?', '/stream?'), { signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    // Bounded by the abort above.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const frame = /^data: (.*)$/m.exec(text);
      if (frame && text.includes('\n\n', frame.index)) return JSON.parse(frame[1]) as { quizzes: QuizFigures[] };
    }
    throw new Error(`the stream ended without a frame: ${text}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

const outbox = (root: string) => JSON.parse(readFileSync(join(root, '.httpdojo', 'classroom-outbox.json'), 'utf8')) as Array<Record<string, unknown>>;

describe('the quiz on the classroom board', () => {
  it('quiz 1 --answer in a joined workspace: the score on the export, the hardest question on the board', async () => {
    const board = await startBoardCli(tempDir('hdj-class-quiz-data-'));
    const root = await workspace();
    // Delivery is checked here, not the deadline: a longer one for a loaded machine.
    const env = { HTTPDOJO_CLASSROOM_TIMEOUT_MS: '8000' };
    expect((await cli(['join', board.urls.join, '--name', 'Ada'], root, env)).code).toBe(0);
    const result = await cli(['quiz', '1', '--answer', answers.join(',')], root, env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Score: ${lastNumber - 1}/${lastNumber}`);

    const rows = (await (await fetch(board.urls.board.replace('/board?', '/export.json?'))).json()) as Array<Record<string, unknown>>;
    const quizRows = rows.filter((row) => row.type === 'quiz');
    expect(quizRows).toHaveLength(1);
    expect(quizRows[0]).toMatchObject({ name: 'Ada', lesson: lesson1.id, passed: null, pitfalls: [], correct: lastNumber - 1, total: lastNumber, missed: [lastNumber] });
    expect(Object.keys(quizRows[0].event as object).sort()).toEqual(['at', 'correct', 'id', 'learner', 'lesson', 'missed', 'name', 'seq', 't', 'total', 'type', 'version']);
    expect(outbox(root)).toEqual([]);
    const csv = await (await fetch(board.urls.board.replace('/board?', '/export.csv?'))).text();
    const [header, ...lines] = csv.trim().split('\r\n');
    const columns = header.split(',');
    const quizLine = lines.find((line) => line.split(',')[1] === 'quiz')!.split(',');
    expect([quizLine[columns.indexOf('correct')], quizLine[columns.indexOf('total')], quizLine[columns.indexOf('missed')]]).toEqual([String(lastNumber - 1), String(lastNumber), String(lastNumber)]);

    const view = await boardView(board.urls);
    const heading = quiz.questions[lastNumber - 1].prompt.split('\n\n')[0].replace(/\s+/g, ' ').trim();
    expect(view.quizzes).toEqual([
      { lesson: lesson1.id, learners: 1, attempts: 1, medianCorrect: lastNumber - 1, total: lastNumber, perfect: 0, hardest: [{ question: lastNumber, title: heading, count: 1, learners: ['Ada'], misses: 1, still: 1 }] },
    ]);
  }, 120_000);

  it('the watch screen\'s `c` ends in saveQuizResult too: the score goes to the board in the background', async () => {
    const root = await workspace();
    const board = await startBoard({ dir: tempDir('hdj-class-quiz-data-'), room: 'QUIZ42', token: 'quiz-token-0123456789', name: 'T', lessons: [lesson1.id], host: '127.0.0.1', port: 0 });
    try {
      writeConfig(root, { url: `http://127.0.0.1:${board.port}/r/QUIZ42`, name: 'Cy', learner: 'learner-cy-01', joinedAt: '' });
      const saved = saveQuizResult(openWorkspace(root, [lesson1]), lesson1.id, grade(quiz, answers.map((n) => n - 1)));
      expect(saved).toMatchObject({ correct: lastNumber - 1, total: lastNumber, missed: [lastNumber] });
      // Returned before the board has it: nothing waited on the network.
      expect(board.events()).toBe(0);
      expect(await waitUntil(() => board.events() === 1, 10_000)).toBe(true);
      const rows = (await (await fetch(`http://127.0.0.1:${board.port}/export.json?token=quiz-token-0123456789`)).json()) as Array<Record<string, unknown>>;
      expect(rows).toMatchObject([{ type: 'quiz', name: 'Cy', lesson: lesson1.id, correct: lastNumber - 1, total: lastNumber, missed: [lastNumber] }]);
    } finally {
      await board.close();
    }
  }, 60_000);

  it('a board that never answers: quiz --answer still exits 0 within the short deadline, the event waits in the outbox', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const root = await workspace();
      const plain = await cli(['quiz', '1', '--answer', answers.join(',')], root);
      expect(plain.code).toBe(0);
      const joined = await cli(['join', `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/r/ABCDEF`, '--name', 'Bob'], root);
      expect(joined.code, joined.stderr).toBe(0);
      const result = await cli(['quiz', '1', '--answer', answers.join(',')], root);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Score: ${lastNumber - 1}/${lastNumber}`);
      // The same command outside a room, plus at most the deadline (and a second of noise on a shared machine).
      expect(result.ms).toBeLessThan(plain.ms + POST_TIMEOUT_MS + 1000);
      expect(outbox(root).filter((event) => event.type === 'quiz')).toMatchObject([{ lesson: lesson1.id, correct: lastNumber - 1, total: lastNumber, missed: [lastNumber] }]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 120_000);
});
