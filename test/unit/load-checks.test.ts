// The check loader: a lesson's own checks plus those of the lessons its front
// matter re-runs (reruns:), in the documented order, and a compiled check that is
// older than any of its sources is not used.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCourse, resolveLesson } from '../../src/course/lessons.ts';
import { checkSources, loadChecks } from '../../src/engine/load-checks.ts';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A course whose lessons' check.mjs export the given checks (ids and titles) and crashes. */
function course(lessons: Record<string, { reruns?: string; checks: string[]; crashes?: Record<string, string> }>): string {
  const root = mkdtempSync(join(tmpdir(), 'httpdojo-load-checks-'));
  roots.push(root);
  for (const [id, lesson] of Object.entries(lessons)) {
    mkdirSync(join(root, id));
    const reruns = lesson.reruns ? `reruns: ${lesson.reruns}\n` : '';
    writeFileSync(join(root, id, 'lesson.md'), `---\ntitle: ${id}\nfile: server\ndeadline: 1000\n${reruns}---\n# ${id}\n`);
    writeFileSync(join(root, id, 'check.mjs'), moduleText(id, lesson.checks, lesson.crashes));
  }
  return root;
}

function moduleText(from: string, checks: string[], crashes?: Record<string, string>): string {
  const list = checks.map((id) => `{ id: ${JSON.stringify(id)}, title: ${JSON.stringify(`${id} from ${from}`)}, run() {} }`);
  return `export default { ${crashes ? `crashes: ${JSON.stringify(crashes)}, ` : ''}checks: [${list.join(', ')}] };\n`;
}

const summary = (checks: { id: string; title: string }[]) => checks.map((check) => check.title);

describe('reruns', () => {
  it('resolves numbers and slugs to earlier lessons, in the order written', () => {
    const root = course({ '01-first': { checks: ['a'] }, '02-second': { checks: ['b'] }, '03-third': { reruns: '[2, first]', checks: ['c'] } });
    expect(loadCourse(root).map((lesson) => lesson.reruns)).toEqual([[], [], ['02-second', '01-first']]);
  });

  it("runs the re-run lessons' checks in that order, then its own; a repeated id keeps its last version in that version's place", async () => {
    const root = course({
      '01-first': { checks: ['a', 'b', 'x'], crashes: { E1: 'first-crash', E2: 'first-two' } },
      '02-second': { checks: ['b', 'c'], crashes: { E2: 'second-two' } },
      '03-third': { reruns: '[1, second]', checks: ['d', 'x'] },
    });
    const checks = await loadChecks(resolveLesson(loadCourse(root), '3'));
    expect(summary(checks.checks)).toEqual(['a from 01-first', 'b from 02-second', 'c from 02-second', 'd from 03-third', 'x from 03-third']);
    expect(checks.crashes).toEqual({ E1: 'first-crash', E2: 'second-two' });
  });

  it('a lesson without reruns gets exactly its own module', async () => {
    const root = course({ '01-first': { checks: ['a', 'a'] } });
    expect(summary((await loadChecks(resolveLesson(loadCourse(root), '1'))).checks)).toEqual(['a from 01-first', 'a from 01-first']);
  });

  it('refuses a re-run that names no earlier lesson', async () => {
    const root = course({ '01-first': { checks: ['a'] }, '02-second': { reruns: '[1, 7]', checks: ['b'] } });
    await expect(loadChecks(resolveLesson(loadCourse(root), '2'))).rejects.toMatchObject({
      code: 'bad-check-module',
      message: '02-second/lesson.md: reruns: names 7, which is not an earlier lesson with a check.ts',
    });
  });
});

describe('compiled checks', () => {
  /** dist/lessons/<id>/check.js with different titles, so the test sees which module was loaded. */
  function compile(root: string, id: string, checks: string[], mtime: Date): string {
    const dist = join(root, 'dist');
    mkdirSync(join(dist, id), { recursive: true });
    writeFileSync(join(dist, id, 'check.js'), moduleText(`compiled ${id}`, checks));
    utimesSync(join(dist, id, 'check.js'), mtime, mtime);
    return dist;
  }
  const source = new Date('2026-01-02T00:00:00Z');
  const before = new Date('2026-01-01T00:00:00Z');
  const after = new Date('2026-01-03T00:00:00Z');

  it("uses each lesson's compiled module only while it is not older than that lesson's source, re-run lessons included", async () => {
    const root = course({ '01-first': { checks: ['a'] }, '02-second': { reruns: '[1]', checks: ['b'] } });
    for (const id of ['01-first', '02-second']) utimesSync(join(root, id, 'check.mjs'), source, source);
    compile(root, '02-second', ['b'], after);
    const dist = compile(root, '01-first', ['a'], before);
    const lesson = resolveLesson(loadCourse(root), '2');
    expect(summary((await loadChecks(lesson, dist)).checks)).toEqual(['a from 01-first', 'b from compiled 02-second']);
  });

  it('a compiled check that imports another lesson\'s check is stale when that source is newer', () => {
    const root = course({ '01-first': { checks: ['a'] }, '02-second': { checks: ['b'] } });
    const file = join(root, '02-second', 'check.mjs');
    writeFileSync(file, "import type { X } from '../01-first/check.ts';\nimport { helper } from '../01-first/check.ts';\nimport fs from 'node:fs';\nexport default { checks: [] };\n");
    expect(checkSources(file)).toEqual([file, join(root, '01-first', 'check.ts')]);
  });
});
