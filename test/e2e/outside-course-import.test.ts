// An instructor's course lives anywhere, with no httpdojo in a node_modules above
// it. Its check.ts may still import values from 'httpdojo/check' (the client
// harness): the running httpdojo resolves that name to itself, whether tsx runs
// the check as CommonJS (no "type": "module" around it) or as ESM.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const course = mkdtempSync(join(tmpdir(), 'httpdojo-outside-course-'));
afterAll(() => rmSync(course, { recursive: true, force: true }));

cpSync(join(root, 'lessons', '01-hello-server'), join(course, '01-hello-server'), { recursive: true });
cpSync(join(root, 'lessons', 'pitfalls'), join(course, 'pitfalls'), { recursive: true });
const checkFile = join(course, '01-hello-server', 'check.ts');
const original = readFileSync(checkFile, 'utf8');

/** The check module throws at load time unless escapeBytes really came from httpdojo. */
function useHarness(expected: string): void {
  writeFileSync(checkFile, original.replace(
    "import type { LessonChecks } from 'httpdojo/check';",
    `import type { LessonChecks } from 'httpdojo/check';\nimport { escapeBytes } from 'httpdojo/check';\nif (escapeBytes(Buffer.from('a\\n')) !== ${JSON.stringify(expected)}) throw new Error('escapeBytes gave ' + escapeBytes(Buffer.from('a\\n')));`,
  ));
}

function verify() {
  return spawnSync(process.execPath, [join(root, 'bin', 'httpdojo.js'), 'verify', '1', '--lessons', course, '--file', join(root, 'lessons', '01-hello-server', 'solution.ts'), '--json'], { cwd: course, encoding: 'utf8', timeout: 30_000 });
}

describe.sequential("an instructor's check.ts imports values from 'httpdojo/check'", () => {
  it('as CommonJS (no package.json around the course)', () => {
    useHarness('a\\n');
    const run = verify();
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ passed: true });
  });

  it('as ESM ("type": "module")', () => {
    writeFileSync(join(course, 'package.json'), '{"type":"module"}\n');
    useHarness('a\\n');
    const run = verify();
    rmSync(join(course, 'package.json'));
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ passed: true });
  });

  it('the import is real: a wrong expectation stops the check module from loading', () => {
    useHarness('not what escapeBytes returns');
    const run = verify();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/could not load .*check\.ts: escapeBytes gave a\\n/);
  });
});
