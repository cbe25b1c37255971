// An instructor's course (test/fixtures/outside-course: a server lesson and a
// client lesson, with pitfall ids httpdojo does not know) runs through every
// learner command with --lessons, and through a workspace made for it with
// `init --lessons`: dev check, list, read, hint, explain, verify (a pass, and
// each mistake diagnosed with its own pitfall on its // BUG: line) and the watch
// screen in tmux. The course is copied to a temp folder first: nothing is
// written next to the fixture.
//
// The tmux part needs the `tmux` apt package (.ci/run installs it); without it
// that test is skipped with a message saying so.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, killStartedClis, requireBuild, runCli, sleep } from './cli-support.ts';

requireBuild();
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('outside-course.test.ts: the watch-screen test is SKIPPED: tmux is not installed (apt-get install -y tmux)');

const root = mkdtempSync(join(tmpdir(), 'hdj-outside-'));
const course = join(root, 'course');
const env = { NO_COLOR: '1' };
cpSync(join(FIXTURES, 'outside-course'), course, { recursive: true });
afterEach(killStartedClis);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The 1-based lines of a file carrying `// BUG:`. */
function bugLines(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((line, index) => (line.includes('// BUG:') ? [index + 1] : []));
}

interface Verdict {
  passed: boolean;
  pitfalls: string[];
  checks: Array<{ id: string; status: string; pitfall: string | null; location: { file: string; line: number } | null }>;
}

async function verifyJson(lesson: string, file: string): Promise<Verdict> {
  const run = await runCli(['verify', lesson, '--lessons', course, '--file', file, '--json'], { cwd: root, env, timeoutMs: 60_000 });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Verdict;
}

describe("an instructor's course, outside httpdojo (test/fixtures/outside-course)", () => {
  it('dev check: the course is sound', { timeout: 120_000 }, async () => {
    const run = await runCli(['dev', 'check', '--lessons', course], { cwd: root, env, timeoutMs: 110_000 });
    expect(run.stdout).toMatch(/The course is sound/);
    expect(run.stdout).not.toMatch(/✗|still to write/);
    // Both lessons' programs ran: solutions, starters and each mistake.
    for (const item of ['01-greeting/solution.ts (expect pass)', '01-greeting/mistakes/name-not-decoded.ts (expect name-not-decoded)', '02-line-count/mistakes/counts-data-events.ts (expect counts-data-events)', '02-line-count/starter.ts (expect fail)']) {
      expect(run.stdout).toContain(`✓ ${item}`);
    }
    expect(run.code).toBe(0);
  });

  it('list, read, hint and explain show the course with --lessons', async () => {
    const list = await runCli(['list', '--lessons', course], { cwd: root, env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/01\s+A greeting, by name/);
    expect(list.stdout).toMatch(/02\s+Counting lines/);
    const first = await runCli(['read', '1', '--lessons', course], { cwd: root, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Lesson 1 of 2 · server/);
    expect(first.stdout).toMatch(/Query strings arrive encoded/);
    const read = await runCli(['read', '2', '--lessons', course], { cwd: root, env });
    expect(read.code).toBe(0);
    expect(read.stdout).toMatch(/Counting lines/);
    expect(read.stdout).toMatch(/Your task/);
    const hint = await runCli(['hint', '1', '--lessons', course], { cwd: root, env });
    expect(hint.code).toBe(0);
    expect(hint.stdout).toMatch(/Hint 1 of 3/);
    expect(hint.stdout).toMatch(/prints, up\s+to the last byte/);
    const explain = await runCli(['explain', 'forgets-trailing-newline', '--lessons', course], { cwd: root, env });
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/The text does not end with a newline \(forgets-trailing-newline\)/);
    expect(explain.stdout).toMatch(/Why Node does this/);
    // The course's pages are its catalog: httpdojo's lesson pitfalls are not in it...
    const unknown = await runCli(['explain', 'missing-res-end', '--lessons', course], { cwd: root, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no pitfall "missing-res-end"/);
    // ...but the engine's own ids, which dev check asks no page for, are httpdojo's to explain.
    const generic = await runCli(['explain', 'wrong-status', '--lessons', course], { cwd: root, env });
    expect(generic.code, generic.stderr).toBe(0);
    expect(generic.stdout).toMatch(/\(wrong-status\)/);
  });

  it('verify: the solutions pass; each mistake gets its own pitfall on its // BUG: line', { timeout: 120_000 }, async () => {
    for (const lesson of ['01-greeting', '02-line-count']) {
      const verdict = await verifyJson(lesson.slice(0, 2), join(course, lesson, 'solution.ts'));
      expect(verdict, lesson).toMatchObject({ passed: true, pitfalls: [] });
    }
    const mistakes = [
      ['1', '01-greeting/mistakes/forgets-trailing-newline.ts', 'forgets-trailing-newline'],
      ['1', '01-greeting/mistakes/name-not-decoded.ts', 'name-not-decoded'],
      ['2', '02-line-count/mistakes/counts-data-events.ts', 'counts-data-events'],
    ];
    for (const [lesson, path, pitfall] of mistakes) {
      const file = join(course, path);
      const verdict = await verifyJson(lesson, file);
      expect(verdict.pitfalls, path).toEqual([pitfall]);
      const failed = verdict.checks.find((check) => check.status === 'failed');
      expect(failed?.location?.file, path).toBe(file);
      expect(bugLines(file), path).toContain(failed?.location?.line);
    }
    // The pretty report quotes the instructor's page under the failure.
    const pretty = await runCli(['verify', '1', '--lessons', course, '--file', join(course, '01-greeting/mistakes/forgets-trailing-newline.ts')], { cwd: root, env, timeoutMs: 60_000 });
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).toMatch(/The text does not end with a newline \(forgets-trailing-newline\)/);
    expect(pretty.stdout).toMatch(/Why\s+Node sends exactly the bytes you give res\.end\(\)/);
    expect(pretty.stdout).toMatch(/> 8 │\s+res\.end\(`Hello, \$\{name\}!`\); \/\/ BUG/);
    // A generic failure (the starter's 501) is explained from httpdojo's own page.
    const starter = await runCli(['verify', '1', '--lessons', course, '--file', join(course, '01-greeting/starter.ts')], { cwd: root, env, timeoutMs: 60_000 });
    expect(starter.code).toBe(1);
    expect(starter.stdout).toMatch(/The status code is not the expected one \(wrong-status\)/);
  });

  describe('in a workspace made with init --lessons', () => {
    const workspace = join(root, 'dojo');
    beforeAll(async () => {
      const init = await runCli(['init', workspace, '--lang', 'js', '--lessons', course], { cwd: root, env });
      expect(init.code, init.stderr).toBe(0);
    });

    it('list, hint and explain use the recorded course without --lessons', async () => {
      const list = await runCli(['list'], { cwd: workspace, env });
      expect(list.stdout).toMatch(/01\s+A greeting, by name\s+01-greeting\/server\.js/);
      const hint = await runCli(['hint'], { cwd: workspace, env });
      expect(hint.stdout).toMatch(/Hint 1 of 3 · 1 A greeting, by name/);
      const explain = await runCli(['explain', 'counts-data-events'], { cwd: workspace, env });
      expect(explain.code, explain.stderr).toBe(0);
      expect(explain.stdout).toMatch(/Counting 'data' events instead of what they carry/);
    });

    it.skipIf(!hasTmux)('the watch screen shows the lesson, a mistake\'s verdict, then the pass', { timeout: 120_000 }, async () => {
      const socket = `hdj-oc-${randomUUID().slice(0, 8)}`;
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
      const screen = () => {
        try {
          return tmux('capture-pane', '-p', '-t', 'oc');
        } catch {
          return '';
        }
      };
      const waitFor = async (pattern: RegExp, timeoutMs: number) => {
        const began = performance.now();
        while (!pattern.test(screen()) && performance.now() - began < timeoutMs) await sleep(25);
        return screen();
      };
      try {
        const command = `env -u npm_command -u FORCE_COLOR -u NO_COLOR ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} watch 1; echo "EXIT=$?"; sleep 600`;
        tmux('new-session', '-d', '-s', 'oc', '-x', '80', '-y', '40', '-c', workspace, command);
        const opened = await waitFor(/Save 01-greeting\/server\.js to check it/, 20_000);
        expect(opened).toMatch(/Lesson 1 of 2 · A greeting, by name/);
        // The fixture's lesson-1 programs carry no type annotations: they are valid JavaScript as they are.
        const file = join(workspace, '01-greeting', 'server.js');
        writeFileSync(file, readFileSync(join(course, '01-greeting/mistakes/forgets-trailing-newline.ts'), 'utf8'));
        const failed = await waitFor(/1 failed, 1 passed/, 30_000);
        expect(failed).toMatch(/forgets-trailing-newline/);
        expect(failed).toMatch(/The text does not end with a newline/);
        writeFileSync(file, readFileSync(join(course, '01-greeting/solution.ts'), 'utf8'));
        const passed = await waitFor(/✓ Lesson 1 passed!/, 30_000);
        expect(passed).toMatch(/✓ Lesson 1 passed!/);
        tmux('send-keys', '-t', 'oc', 'q');
        expect(await waitFor(/EXIT=0/, 10_000)).toMatch(/EXIT=0/);
      } finally {
        try {
          tmux('kill-server');
        } catch {
          // Already gone.
        }
      }
    });
  });
});
