// The watch screen in a real terminal: tmux runs httpdojo in an 80-column pane,
// the test types keys (send-keys), saves files and reads the screen
// (capture-pane), as a learner would.
//
// Needs the `tmux` apt package (Debian/Ubuntu: apt-get install -y tmux; .ci/run
// installs it). Without tmux these tests are skipped with a message saying so.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/course/lessons.ts';
import { readStateFile } from '../../src/workspace/state.ts';
import { stripTypes } from '../../src/workspace/strip-types.ts';
import { BIN, isLinux, processesMatching, requireBuild, ROOT, runCli, sleep } from './cli-support.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('watch-tmux.test.ts: SKIPPED — tmux is not installed (apt-get install -y tmux); the watch screen was not tested.');
requireBuild();

const lessons = loadCourse(join(ROOT, 'lessons'));
const socket = `hdj-${randomUUID().slice(0, 8)}`;
const temps: string[] = [];
const COLUMNS = 80;

/**
 * Timing bounds hold on a machine that is not overloaded. When the load average
 * exceeds the cores (other test files running beside this one), a bound is
 * stretched by load/cores, at most 4x, and the test log says so.
 */
function timeBound(ms: number, what: string): number {
  const factor = Math.min(4, Math.max(1, loadavg()[0] / availableParallelism()));
  if (factor > 1) console.warn(`watch-tmux: load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores: ${what} bound ${ms} ms stretched to ${Math.round(ms * factor)} ms`);
  return ms * factor;
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
}

/** The pane as text; `joined` undoes tmux's wrapping of long lines, to measure them. */
function screen(session: string, joined = false): string {
  try {
    return tmux('capture-pane', '-p', ...(joined ? ['-J'] : []), '-t', session);
  } catch {
    return '';
  }
}

async function waitForScreen(session: string, pattern: RegExp, timeoutMs: number): Promise<{ ok: boolean; ms: number; text: string }> {
  const began = performance.now();
  for (;;) {
    const text = screen(session);
    if (pattern.test(text)) return { ok: true, ms: performance.now() - began, text };
    if (performance.now() - began > timeoutMs) return { ok: false, ms: performance.now() - began, text };
    await sleep(15);
  }
}

/** Starts httpdojo (with `args`) in a new 80x40 pane; the shell prints its exit code and terminal mode after. */
function startPane(session: string, cwd: string, args: string[] = []): void {
  const command = [
    'env -u npm_command -u FORCE_COLOR -u NO_COLOR',
    `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(' ')};`,
    'echo "EXIT=$?"; stty -a | grep -o -- "-\\?icanon" | sed "s/^/MODE=/"; sleep 600',
  ].join(' ');
  // A tmux server still shutting down after the previous test can refuse the new
  // session ("server exited unexpectedly"); a fresh attempt a moment later works.
  for (let attempt = 1; ; attempt++) {
    try {
      tmux('new-session', '-d', '-s', session, '-x', String(COLUMNS), '-y', '40', '-c', cwd, command);
      return;
    } catch (error) {
      if (attempt >= 3 || !/server exited unexpectedly|no server running|lost server/.test(String((error as Error).message))) throw error;
      execFileSync('sleep', ['0.3']);
    }
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hdj-tmux-'));
  temps.push(dir);
  return dir;
}

async function newWorkspace(): Promise<string> {
  const parent = tempDir();
  const result = await runCli(['init', 'dojo', '--lang', 'js'], { cwd: parent, env: { NO_COLOR: '1' } });
  expect(result.code).toBe(0);
  return join(parent, 'dojo');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function longLines(text: string): string[] {
  return text.split('\n').filter((line) => [...line].length > COLUMNS);
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

describe.skipIf(!hasTmux)('the watch screen in tmux', () => {
  it('init → lesson 1 on screen → a correct save passes within 2 s → n opens lesson 2 → q quits', { timeout: 120_000 }, async () => {
    const root = await newWorkspace();
    const file = join(root, lessons[0].id, 'server.js');
    const starter = readFileSync(file, 'utf8');
    const solution = (await stripTypes(readFileSync(join(lessons[0].dir, 'solution.ts'), 'utf8'))).code;
    startPane('main', root);

    const first = await waitForScreen('main', /Save 01-hello-server\/server\.js to check it/, 20_000);
    expect(first.ok, first.text).toBe(true);
    expect(first.text).toMatch(/Lesson 1 of \d+ · Hello, server/);
    expect(first.text).toMatch(/Your task/);
    expect(first.text).toMatch(/h hint .* q quit/);
    expect(longLines(screen('main', true))).toEqual([]);

    // A wrong save: the checks, the first failure in full, the keys.
    writeFileSync(file, starter + '// save 0\n');
    const failed = await waitForScreen('main', /\d+ failed, \d+ passed/, 20_000);
    expect(failed.ok, failed.text).toBe(true);
    expect(failed.text).toMatch(/✗ GET \/ gets 200/);
    expect(failed.text).toMatch(/wrong-content-type/);

    // w shows the bytes of the failed check, h the first hint.
    tmux('send-keys', '-t', 'main', 'w');
    expect((await waitForScreen('main', /Wire: .*\n[\s\S]*→ GET \/ HTTP\/1\.1/, 5000)).ok).toBe(true);
    tmux('send-keys', '-t', 'main', 'h');
    expect((await waitForScreen('main', /Hint 1 of 3/, 5000)).ok).toBe(true);

    // A correct save: the pass, what was learned, where the reference solution is. On a
    // loaded machine one save may be slow: up to three tries, and one must show the pass within 2 s.
    const passTimes: number[] = [];
    let passed = { ok: false, ms: 0, text: '' };
    const passBound = timeBound(2000, 'save-to-pass');
    for (let attempt = 0; attempt < 3 && !passTimes.some((ms) => ms < passBound); attempt++) {
      if (attempt > 0) {
        writeFileSync(file, `${starter}// undo ${attempt}\n`);
        expect((await waitForScreen('main', /\d+ failed, \d+ passed/, 20_000)).ok).toBe(true);
      }
      const savedAt = performance.now();
      writeFileSync(file, `${solution}// attempt ${attempt}\n`);
      passed = await waitForScreen('main', /✓ Lesson 1 passed!/, 20_000);
      expect(passed.ok, passed.text).toBe(true);
      passTimes.push(performance.now() - savedAt);
    }
    expect(passed.text).toMatch(/Reference solution: 01-hello-server\/solution\.js/);
    expect(passed.text).toMatch(/Press n for lesson 2: Reading the request/);
    console.log(`watch mode, lesson 1: save to pass ${passTimes.map(Math.round).join(', ')} ms`);
    expect(Math.min(...passTimes), `save to pass: ${passTimes.map(Math.round).join(', ')} ms`).toBeLessThan(passBound);
    const progress = readStateFile(root);
    expect(progress.ok && progress.state.lessons[lessons[0].id]).toMatchObject({ passed: true, hintsShown: 1 });

    // l lists the lessons; Esc goes back.
    tmux('send-keys', '-t', 'main', 'l');
    expect((await waitForScreen('main', /Enter opens the lesson/, 5000)).ok).toBe(true);
    tmux('send-keys', '-t', 'main', 'Escape');
    expect((await waitForScreen('main', /Press n for lesson 2/, 5000)).ok).toBe(true);

    tmux('send-keys', '-t', 'main', 'n');
    const second = await waitForScreen('main', /Lesson 2 of \d+ · Reading the request/, 10_000);
    expect(second.ok, second.text).toBe(true);
    expect(second.text).toMatch(/02-reading-requests\/server\.js/);
    expect(existsSync(join(root, lessons[1].id, 'server.js'))).toBe(true);

    tmux('send-keys', '-t', 'main', 'q');
    const quit = await waitForScreen('main', /MODE=/, 10_000);
    expect(quit.text).toMatch(/EXIT=0/);
    expect(quit.text).toMatch(/MODE=icanon/); // the terminal is back in cooked mode
    expect(quit.text).toMatch(/Your progress is saved/);
    const state = readStateFile(root);
    expect(state.ok && state.state.current).toBe(lessons[1].id);
    if (isLinux) expect(processesMatching(root, 'no-marker').filter((found) => !found.cmdline.includes('sleep'))).toEqual([]);
  });

  it('save to result for lesson 1: median of 5 correct and 5 wrong saves', { timeout: 180_000 }, async () => {
    const root = await newWorkspace();
    const file = join(root, lessons[0].id, 'server.js');
    const starter = readFileSync(file, 'utf8');
    const solution = (await stripTypes(readFileSync(join(lessons[0].dir, 'solution.ts'), 'utf8'))).code;
    startPane('bench', root);
    expect((await waitForScreen('bench', /to check it, or press r/, 20_000)).ok).toBe(true);
    const toResult: number[] = [];
    const toFirstLine: number[] = [];
    for (let round = 0; round < 10; round++) {
      const correct = round % 2 === 0;
      await sleep(300);
      const savedAt = performance.now();
      writeFileSync(file, `${correct ? solution : starter}// save ${round}\n`);
      // One poll for both moments: a fast verify can replace the "Checking…" screen
      // before a second, separate wait would see it.
      const finished = correct ? /All \d+ checks passed/ : /\d+ failed, \d+ passed/;
      let firstLineMs: number | null = null;
      const done = await waitForScreen('bench', { test: (text: string) => {
        if (firstLineMs === null && /Checking[^\n]*\n\s+[✓✗] /.test(text)) firstLineMs = performance.now() - savedAt;
        return finished.test(text);
      } } as RegExp, 20_000);
      expect(done.ok, done.text).toBe(true);
      toResult.push(performance.now() - savedAt);
      // When the result came before a poll caught the first line, the first line came no later.
      toFirstLine.push(firstLineMs ?? toResult[toResult.length - 1]);
    }
    const report = `save → first check line: median ${Math.round(median(toFirstLine))} ms; save → full result: median ${Math.round(median(toResult))} ms (${toResult.map(Math.round).join(', ')})`;
    console.log(`watch mode, lesson 1: ${report}`);
    // The budget is 1 s on a quiet 2-core machine (DESIGN.md); the bound here is 2 s (stretched
    // under load) so a busy CI runner does not fail it. The logged medians are the measurement.
    expect(median(toResult), report).toBeLessThan(timeBound(2000, 'median save-to-result'));
  });

  it('Ctrl-C during a check exits 130, restores the terminal and leaves no learner process', { timeout: 60_000 }, async () => {
    const root = await newWorkspace();
    const file = join(root, lessons[0].id, 'server.js');
    startPane('interrupt', root);
    expect((await waitForScreen('interrupt', /to check it, or press r/, 20_000)).ok).toBe(true);
    // Never listens: the check waits for it, so Ctrl-C lands mid-check.
    writeFileSync(file, "setInterval(() => {}, 1000); // forgot to listen\n");
    expect((await waitForScreen('interrupt', /Checking/, 10_000)).ok).toBe(true);
    await sleep(300);
    expect(isLinux ? processesMatching(file, 'no-marker').length : 1).toBeGreaterThan(0);
    tmux('send-keys', '-t', 'interrupt', 'C-c');
    const done = await waitForScreen('interrupt', /MODE=/, 10_000);
    expect(done.text).toMatch(/EXIT=130/);
    expect(done.text).toMatch(/MODE=icanon/);
    if (isLinux) expect(processesMatching(file, 'no-marker')).toEqual([]);
  });

  it('a first run outside a workspace asks two questions, creates it, and opens lesson 1', { timeout: 60_000 }, async () => {
    const cwd = tempDir();
    startPane('first', cwd);
    expect((await waitForScreen('first', /Which language will you write in\?/, 20_000)).ok).toBe(true);
    tmux('send-keys', '-t', 'first', 'Down');
    tmux('send-keys', '-t', 'first', 'Enter');
    expect((await waitForScreen('first', /Where should your workspace go\?/, 5000)).ok).toBe(true);
    tmux('send-keys', '-t', 'first', '-l', 'my-dojo');
    tmux('send-keys', '-t', 'first', 'Enter');
    const opened = await waitForScreen('first', /Lesson 1 of \d+ · Hello, server/, 20_000);
    expect(opened.ok, opened.text).toBe(true);
    expect(opened.text).toMatch(/Edit 01-hello-server\/server\.ts/);
    expect(longLines(screen('first', true))).toEqual([]);
    tmux('send-keys', '-t', 'first', 'q');
    const done = await waitForScreen('first', /MODE=/, 10_000);
    expect(done.text).toMatch(/EXIT=0/);
    expect(done.text).toMatch(/cd my-dojo && httpdojo/);
    expect(existsSync(join(cwd, 'my-dojo', lessons[0].id, 'server.ts'))).toBe(true);
    expect(JSON.parse(readFileSync(join(cwd, 'my-dojo', 'package.json'), 'utf8')).type).toBe('module');
  });

  it('NO_COLOR in the watch screen: no colour codes on the screen', { timeout: 60_000 }, async () => {
    const root = await newWorkspace();
    const command = `env -u npm_command NO_COLOR=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}; echo "EXIT=$?"; sleep 600`;
    tmux('new-session', '-d', '-s', 'nocolor', '-x', String(COLUMNS), '-y', '40', '-c', root, command);
    expect((await waitForScreen('nocolor', /to check it, or press r/, 20_000)).ok).toBe(true);
    writeFileSync(join(root, lessons[0].id, 'server.js'), readFileSync(join(root, lessons[0].id, 'server.js'), 'utf8') + '// saved\n');
    expect((await waitForScreen('nocolor', /\d+ failed/, 20_000)).ok).toBe(true);
    // -e keeps the escape sequences of the cells' attributes: none may be a colour.
    const withEscapes = tmux('capture-pane', '-p', '-e', '-t', 'nocolor');
    expect(withEscapes).not.toMatch(/\u001B\[[0-9;]*[1-9][0-9;]*m/);
    tmux('send-keys', '-t', 'nocolor', 'q');
    expect((await waitForScreen('nocolor', /EXIT=0/, 10_000)).ok).toBe(true);
  });
});
