// `httpdojo dev new`: a scaffolded lesson of each kind, added to a copy of the
// outside course (test/fixtures/outside-course), passes dev check's runs (the
// solution passes, the starter fails, the mistake gets the new pitfall on its
// // BUG: line) while dev check lists every file still holding a stub and exits
// 1; once the stubs are written, dev check passes. A client lesson in a new,
// empty course gets httpdojo's pages for the client harness's pitfall ids.

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { STUB_MARKER } from '../../src/course/scaffold/stub.ts';
import { CLIENT_HARNESS_PITFALLS } from '../../src/engine/client-harness/pitfalls.ts';
import { GENERIC_PITFALLS } from '../../src/engine/verdict.ts';
import { FIXTURES, killStartedClis, requireBuild, runCli } from './cli-support.ts';

requireBuild();
const root = mkdtempSync(join(tmpdir(), 'hdj-dev-new-'));
const env = { NO_COLOR: '1' };
afterEach(killStartedClis);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file of a lesson folder (and its mistakes), relative to the course. */
function lessonFiles(course: string, id: string): string[] {
  const top = readdirSync(join(course, id)).filter((name) => name !== 'mistakes').map((name) => `${id}/${name}`);
  return [...top, ...readdirSync(join(course, id, 'mistakes')).map((name) => `${id}/mistakes/${name}`)];
}

/** What an author does: write the lesson where the stubs are (here: drop the marker lines). */
function writeStubs(course: string, paths: string[]): void {
  for (const path of paths) {
    const file = join(course, path);
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((line) => !line.includes(STUB_MARKER)).join('\n'));
  }
}

describe('httpdojo dev new', () => {
  const course = join(root, 'course');
  cpSync(join(FIXTURES, 'outside-course'), course, { recursive: true });
  const kinds = [
    { slug: 'cookie-jar', kind: 'server', pitfall: 'cookie-jar-mistake', id: '03-cookie-jar', args: [] },
    { slug: 'fetch-json', kind: 'client', pitfall: 'forgets-accept-header', id: '04-fetch-json', args: ['--kind', 'client', '--pitfall', 'forgets-accept-header'] },
    { slug: 'status-proxy', kind: 'proxy', pitfall: 'status-proxy-mistake', id: '05-status-proxy', args: ['--kind', 'proxy'] },
  ];

  it('scaffolds a lesson of each kind with the next free number', async () => {
    for (const { slug, kind, pitfall, id, args } of kinds) {
      const run = await runCli(['dev', 'new', slug, ...args, '--lessons', course], { cwd: root, env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`✓ ${id}/, a ${kind} lesson`);
      for (const name of ['lesson.md', 'hints.md', 'starter.ts', 'solution.ts', 'check.ts', `mistakes/${pitfall}.ts`]) expect(existsSync(join(course, id, name)), name).toBe(true);
      expect(existsSync(join(course, 'pitfalls', `${pitfall}.md`))).toBe(true);
      const lesson = readFileSync(join(course, id, 'lesson.md'), 'utf8');
      expect(lesson).toMatch(new RegExp(`^kind: ${kind}$`, 'm'));
      expect(lesson).toMatch(new RegExp(`^pitfalls: \\[${pitfall}\\]$`, 'm'));
      expect(readFileSync(join(course, id, `mistakes/${pitfall}.ts`), 'utf8')).toMatch(new RegExp(`^// pitfall: ${pitfall}\\n[\\s\\S]*// BUG:`));
      expect(readFileSync(join(course, id, 'check.ts'), 'utf8')).toContain("import type { LessonChecks } from 'httpdojo/check';");
    }
    // The outside course already has the client harness's pages: none is copied over them.
    const again = await runCli(['dev', 'new', 'cookie-jar', '--lessons', course], { cwd: root, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has a lesson called cookie-jar: 03-cookie-jar\//);
  });

  it('dev check lists the stubs file by file, passes every scaffolded program, and exits 1', { timeout: 180_000 }, async () => {
    const run = await runCli(['dev', 'check', '--lessons', course], { cwd: root, env, timeoutMs: 170_000 });
    expect(run.stdout).toMatch(/still to write/);
    for (const { id, pitfall } of kinds) {
      for (const path of [...lessonFiles(course, id), `pitfalls/${pitfall}.md`]) expect(run.stdout, path).toMatch(new RegExp(`^ {6}${path.replace(/[./]/g, '\\$&')} \\(lines? [\\d, ]+\\): `, 'm'));
      expect(run.stdout).toMatch(new RegExp(`${id}/hints\\.md \\(lines [\\d, ]+\\): write hint 1; write hint 2; write hint 3`));
      expect(run.stdout).toContain(`✓ ${id}/solution.ts (expect pass)`);
      expect(run.stdout).toContain(`✓ ${id}/starter.ts (expect fail)`);
      expect(run.stdout).toContain(`✓ ${id}/mistakes/${pitfall}.ts (expect ${pitfall})`);
    }
    // The outside course's own files hold no stub.
    expect(run.stdout).not.toMatch(/ {6}0[12]-/);
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout).toMatch(/Every program is diagnosed as expected; 21 files with stubs still to write/);
    expect(run.code).toBe(1);
  });

  it('once its stubs are written, a scaffolded lesson passes dev check', { timeout: 60_000 }, async () => {
    const { id, pitfall } = kinds[0];
    writeStubs(course, [...lessonFiles(course, id), `pitfalls/${pitfall}.md`]);
    const run = await runCli(['dev', 'check', '--lessons', course, '--only', '3'], { cwd: root, env, timeoutMs: 55_000 });
    expect(run.stdout).not.toMatch(/still to write/);
    expect(run.stdout).toMatch(/The course is sound/);
    expect(run.code).toBe(0);
  });

  it('a client lesson in a new course folder gets pages for the client harness\'s ids; --only runs just it', { timeout: 60_000 }, async () => {
    const fresh = join(root, 'fresh-course');
    const run = await runCli(['dev', 'new', 'get-json', '--kind', 'client', '--lessons', fresh], { cwd: root, env });
    expect(run.code, run.stderr).toBe(0);
    const harnessIds = CLIENT_HARNESS_PITFALLS.filter((id) => !GENERIC_PITFALLS.has(id));
    for (const id of harnessIds) expect(existsSync(join(fresh, 'pitfalls', `${id}.md`)), id).toBe(true);
    const check = await runCli(['dev', 'check', '--lessons', fresh], { cwd: root, env, timeoutMs: 55_000 });
    expect(check.stdout).not.toMatch(/structure/);
    expect(check.stdout).toContain('✓ 01-get-json/mistakes/get-json-mistake.ts (expect get-json-mistake)');
    expect(check.code).toBe(1);
  });

  it('refuses a bad slug, kind or pitfall id with one line and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['Cookie_Jar'], /"Cookie_Jar" is not a lesson slug/],
      [['ok-slug', '--kind', 'cli'], /--kind must be server, client or proxy, not "cli"/],
      [['ok-slug', '--pitfall', 'wrong-status'], /one of the engine's own pitfall ids/],
      [[], /dev new needs a slug/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['dev', 'new', ...args, '--lessons', join(root, 'unused')], { cwd: root, env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(join(root, 'unused'))).toBe(false);
    }
  });
});
