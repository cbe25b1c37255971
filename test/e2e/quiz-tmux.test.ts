// The quiz from the watch screen, in a real terminal, as a new user would: init,
// pass lesson 1, press c, answer with the arrow keys (one wrong, the rest right),
// read the explanations, go back to the watch screen (its keys work again), quit
// (the terminal is back in cooked mode), and `progress` shows the score.
//
// Needs the `tmux` apt package; without it the test is skipped with a message.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { loadQuiz } from '../../src/course/quiz.ts';
import { readStateFile } from '../../src/workspace/state.ts';
import { stripTypes } from '../../src/workspace/strip-types.ts';
import { BIN, requireBuild, ROOT, runCli, sleep } from './cli-support.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('quiz-tmux.test.ts: SKIPPED — tmux is not installed (apt-get install -y tmux); the quiz in the watch screen was not tested.');
requireBuild();

const [lesson1] = loadCourse(join(ROOT, 'lessons'));
const quiz = loadQuiz(lesson1.dir)!;
const socket = `hdjq-${randomUUID().slice(0, 8)}`;
const temps: string[] = [];

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
}

function screen(session: string): string {
  try {
    return tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);
  } catch {
    return '';
  }
}

async function waitForScreen(session: string, pattern: RegExp | ((text: string) => boolean), timeoutMs: number): Promise<{ ok: boolean; text: string }> {
  const began = performance.now();
  for (;;) {
    const text = screen(session);
    if (typeof pattern === 'function' ? pattern(text) : pattern.test(text)) return { ok: true, text };
    if (performance.now() - began > timeoutMs) return { ok: false, text };
    await sleep(20);
  }
}

afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // No server was started.
  }
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('the quiz on the watch screen, in tmux', () => {
  it('pass lesson 1 → c → answer (one wrong) → explanations → any key back → keys work → q → progress shows the score', { timeout: 120_000 }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hdj-quiz-tmux-'));
    temps.push(parent);
    const init = await runCli(['init', 'dojo', '--lang', 'js'], { cwd: parent, env: { NO_COLOR: '1' } });
    expect(init.code).toBe(0);
    const root = join(parent, 'dojo');
    const command = [
      'env -u npm_command -u FORCE_COLOR -u NO_COLOR',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)};`,
      'echo "EXIT=$?"; stty -a | grep -o -- "-\\?icanon" | sed "s/^/MODE=/"; sleep 600',
    ].join(' ');
    tmux('new-session', '-d', '-s', 'q', '-x', '80', '-y', '40', '-c', root, command);
    expect((await waitForScreen('q', /Save 01-hello-server\/server\.js to check it/, 20_000)).ok).toBe(true);

    // Before a pass, c only says when the quiz opens.
    tmux('send-keys', '-t', 'q', 'c');
    expect((await waitForScreen('q', /The quiz opens once this lesson passes/, 5_000)).ok).toBe(true);

    const solution = (await stripTypes(readFileSync(join(lesson1.dir, 'solution.ts'), 'utf8'))).code;
    writeFileSync(join(root, lesson1.id, 'server.js'), solution);
    const passed = await waitForScreen('q', /Press c to check your understanding/, 30_000);
    expect(passed.ok, passed.text).toBe(true);
    expect(passed.text).toMatch(/✓ Lesson 1 passed!/);

    tmux('send-keys', '-t', 'q', 'c');
    const total = quiz.questions.length;
    for (const question of quiz.questions) {
      const shown = await waitForScreen('q', new RegExp(`Question ${question.number} of ${total}[\\s\\S]*\\? Your answer`), 10_000);
      expect(shown.ok, shown.text).toBe(true);
      // The first answer is wrong on purpose; the others are right.
      const pick = question.number === 1 ? (question.correct === 0 ? 1 : 0) : question.correct;
      for (let i = 0; i < pick; i++) tmux('send-keys', '-t', 'q', 'Down');
      tmux('send-keys', '-t', 'q', 'Enter');
      // The screen keeps earlier questions: wait for this one's feedback, the n-th.
      const answered = (text: string) => (text.match(/✓ Right:|✗ Not quite:/g) ?? []).length;
      const feedback = await waitForScreen('q', (text) => answered(text) === question.number && /More {2}httpdojo explain|Score:|Question \d+ of/.test(text.slice(text.lastIndexOf(question.number === 1 ? '✗ Not quite:' : '✓ Right:'))), 10_000);
      expect(feedback.ok, feedback.text).toBe(true);
      const own = feedback.text.slice(feedback.text.lastIndexOf(question.number === 1 ? '✗ Not quite:' : '✓ Right:'));
      if (question.snippet) expect(own).toContain(question.snippet);
      if (question.pitfall) expect((await waitForScreen('q', (text) => text.slice(text.lastIndexOf(question.number === 1 ? '✗ Not quite:' : '✓ Right:')).includes(`explain ${question.pitfall}`), 5_000)).ok).toBe(true);
    }
    const score = await waitForScreen('q', new RegExp(`Score: ${total - 1}/${total}[\\s\\S]*Press any key to go back`), 10_000);
    expect(score.ok, score.text).toBe(true);
    expect(score.text).toMatch(/The answer is \d\./);

    // Any key: back on the watch screen, which says what was saved; its own keys work again.
    tmux('send-keys', '-t', 'q', 'x');
    const back = await waitForScreen('q', new RegExp(`Quiz ${total - 1}/${total} saved`), 10_000);
    expect(back.ok, back.text).toBe(true);
    tmux('send-keys', '-t', 'q', 'h');
    expect((await waitForScreen('q', /Hint 1 of 3/, 5_000)).ok).toBe(true);

    tmux('send-keys', '-t', 'q', 'q');
    const quit = await waitForScreen('q', /MODE=/, 10_000);
    expect(quit.text).toMatch(/EXIT=0/);
    expect(quit.text).toMatch(/MODE=icanon/);

    const state = readStateFile(root);
    expect(state.ok && state.state.lessons[lesson1.id]?.quiz).toMatchObject({ correct: total - 1, total, missed: [1] });
    const progress = await runCli(['progress'], { cwd: root, env: { NO_COLOR: '1' } });
    expect(progress.stdout).toMatch(new RegExp(`01 +Hello, server .*quiz ${total - 1}/${total}`));
  });
});
