// `dev new`'s scaffold (src/course/scaffold/) and the stub lines of dev check's
// structure pass (courseStubs): the scaffold is structurally sound for every
// kind, takes the next free number, and each file it leaves unwritten gets one
// line naming it and what to write. Running the scaffold's programs is
// test/e2e/dev-new.test.ts's job.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CourseError } from '../../src/course/lessons.ts';
import { planLesson, titleOf, writeLesson } from '../../src/course/scaffold/index.ts';
import { findStubs, STUB_MARKER } from '../../src/course/scaffold/stub.ts';
import { courseStructureProblems, courseStubs } from '../../src/engine/course-structure.ts';
import { scanCheckSource } from '../../src/engine/check-scan.ts';
import { tinyCourse } from './tiny-course.ts';

const temp = mkdtempSync(join(tmpdir(), 'hdj-scaffold-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('dev new scaffold', () => {
  it.each(['server', 'client', 'proxy'])('a %s lesson has no structural problem, reports its pitfall, and lists its stubs', (kind) => {
    const course = mkdtempSync(join(temp, `${kind}-`));
    const plan = planLesson(course, `my-${kind}`, kind);
    writeLesson(course, plan);
    expect(plan.id).toBe(`01-my-${kind}`);
    expect(courseStructureProblems(course)).toEqual([]);
    const scan = scanCheckSource(readFileSync(join(course, plan.id, 'check.ts'), 'utf8'), 'check.ts');
    expect(scan.reportedPitfalls.map((found) => found.id)).toContain(`my-${kind}-mistake`);
    const stubs = courseStubs(course);
    expect(stubs.map((stub) => stub.line.split(' (')[0])).toEqual([
      `${plan.id}/lesson.md`, `${plan.id}/hints.md`, `${plan.id}/check.ts`, `${plan.id}/solution.ts`, `${plan.id}/starter.ts`,
      `${plan.id}/mistakes/my-${kind}-mistake.ts`, `pitfalls/my-${kind}-mistake.md`,
    ]);
    expect(stubs[1].line).toMatch(/^01-my-\w+\/hints\.md \(lines \d+, \d+, \d+\): write hint 1; write hint 2; write hint 3$/);
    // The page's stubs belong to the lesson that lists its id.
    expect(stubs.every((stub) => stub.lesson === plan.id)).toBe(true);
  });

  it('takes the number after the highest, keeps an existing page, and writes over nothing', () => {
    const course = tinyCourse(temp);
    const plan = planLesson(course, 'cookie-jar', 'server', 'missing-res-end');
    expect(plan.id).toBe('11-cookie-jar');
    expect(plan.keptPages).toEqual(['pitfalls/missing-res-end.md']);
    expect(plan.files.map((file) => file.path)).not.toContain('pitfalls/missing-res-end.md');
    writeLesson(course, plan);
    expect(() => writeLesson(course, plan)).toThrow(/EEXIST/);
    expect(() => planLesson(course, 'cookie-jar', 'server')).toThrow(CourseError);
  });

  it('refuses what would not load', () => {
    expect(() => planLesson(temp, 'Bad_Slug', 'server')).toThrow(/not a lesson slug/);
    expect(() => planLesson(temp, 'ok', 'cli')).toThrow(/--kind must be server, client or proxy/);
    expect(() => planLesson(temp, 'ok', 'server', 'crash')).toThrow(/engine's own pitfall ids/);
    expect(() => planLesson(temp, 'ok', 'server', 'Not An Id')).toThrow(/not a pitfall id/);
    writeFileSync(join(temp, 'a-file'), 'not a course\n');
    expect(() => planLesson(join(temp, 'a-file'), 'ok', 'server')).toThrow(/is a file; --lessons takes the course folder/);
    // The course folder is created, not its parents (a mistyped path is reported, not built).
    const deep = join(temp, 'no', 'such', 'course');
    expect(() => writeLesson(deep, planLesson(deep, 'ok', 'server'))).toThrow(/cannot create .*course: the folder it goes in does not exist/);
  });

  it('titles and stub markers', () => {
    expect(titleOf('cookie-parsing')).toBe('Cookie parsing');
    expect(findStubs(`a\n// ${STUB_MARKER}: replace this\n${STUB_MARKER}: write the fix\n<!-- ${STUB_MARKER}: in a comment -->\nTODO: a learner's todo`)).toEqual([
      { line: 2, what: 'replace this' },
      { line: 3, what: 'write the fix' },
      { line: 4, what: 'in a comment' },
    ]);
  });

  it('a hand-written stub in any lesson file or page is listed too', () => {
    const course = tinyCourse(temp);
    writeFileSync(join(course, '01-hello-server', 'hints.md'), `${readFileSync(join(course, '01-hello-server', 'hints.md'), 'utf8')}\n${STUB_MARKER}: a fourth thought\n`);
    mkdirSync(join(course, 'pitfalls'), { recursive: true });
    writeFileSync(join(course, 'pitfalls', 'orphan.md'), `---\ntitle: Orphan\n---\n\n${STUB_MARKER}: everything\n`);
    const stubs = courseStubs(course);
    expect(stubs.map((stub) => [stub.lesson, stub.line.replace(/\(lines? \d+\)/, '(line N)')])).toEqual([
      ['01-hello-server', '01-hello-server/hints.md (line N): a fourth thought'],
      [null, 'pitfalls/orphan.md (line N): everything'],
    ]);
  });
});
