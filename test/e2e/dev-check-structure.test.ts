// `httpdojo dev check --lessons <broken course>`: the structure is checked first,
// one line per problem naming the file to open, exit 1, and the programs of a
// structurally broken lesson are never run (so the answer comes in seconds).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tinyCourse } from '../unit/tiny-course.ts';
import { killStartedClis, requireBuild, runCli, STACK_FRAME } from './cli-support.ts';

requireBuild();
const root = mkdtempSync(join(tmpdir(), 'httpdojo-dev-structure-'));
afterEach(killStartedClis);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const devCheck = (dir: string) => runCli(['dev', 'check', '--lessons', dir], { cwd: root, timeoutMs: 30_000, env: { NO_COLOR: '1' } });
const change = (file: string, from: string | RegExp, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));

describe('dev check on a structurally broken course', () => {
  it('prints one line per problem, runs no program of a broken lesson, exits 1', async () => {
    const dir = tinyCourse(root);
    const hints = join(dir, '01-hello-server', 'hints.md');
    writeFileSync(hints, readFileSync(hints, 'utf8').replace(/## Hint 3[\s\S]*$/, ''));
    change(join(dir, '10-http-get', 'mistakes', 'ignores-status-code.ts'), /\/\/ BUG:/g, '// bug');
    const result = await devCheck(dir);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    const lines = result.stdout.split('\n').map((line) => line.trim());
    expect(lines).toContain('01-hello-server/hints.md has 2 hints, expected 3 ("## Hint 1" to "## Hint 3", from a nudge to nearly the answer)');
    expect(lines).toContain('10-http-get/mistakes/ignores-status-code.ts has no "// BUG:" line; mark the line the diagnosis must point at');
    expect(lines).toContain('- 01-hello-server: not run until its structure is fixed');
    expect(lines).toContain('- 10-http-get: not run until its structure is fixed');
    // No verify ran: no program's line (a verify of lesson 10's solution alone takes seconds).
    expect(result.stdout).not.toMatch(/\(expect (pass|fail)\)/);
    expect(result.stdout).toMatch(/2 problems/);
    // Start-up, the TypeScript compiler for the check.ts scan, two lessons: measured 0.4 s on 2 busy cores.
    expect(result.ms).toBeLessThan(10_000);
  }, 40_000);

  it('a bad kind (the course cannot load): the line, then stops without running anything', async () => {
    const dir = tinyCourse(root, ['01-hello-server']);
    change(join(dir, '01-hello-server', 'lesson.md'), 'kind: server', 'kind: sever');
    const result = await devCheck(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stdout).toContain('01-hello-server/lesson.md: front matter kind: must be server, client or proxy, not "sever" (did you mean "server"?)');
    expect(result.stdout).toContain('1 structural problem: the course does not load until it is fixed; nothing was run');
    expect(result.stdout).not.toMatch(/\(expect (pass|fail)\)/);
  }, 40_000);
});
