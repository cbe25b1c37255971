// The course on disk: the front-matter subset lessons and pitfall pages use, and
// the ways a learner names a lesson.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrontMatterError, parseDocument, parseValue, sections } from '../../src/course/front-matter.ts';
import { CourseError, loadCourse, resolveLesson, type Lesson } from '../../src/course/lessons.ts';

describe('parseValue', () => {
  const CASES: Array<[string, unknown]> = [
    ['server', 'server'],
    ['  padded  ', 'padded'],
    ['20000', 20000],
    ['-3', -3],
    ['1.5', 1.5],
    ['1.2.3', '1.2.3'],
    ['true', true],
    ['false', false],
    ['True', 'True'],
    ['"quoted # not a comment"', 'quoted # not a comment'],
    ['"escapes \\"inside\\" and \\u00eb"', 'escapes "inside" and ë'],
    ["'single ''quoted'''", "single 'quoted'"],
    ['"20000"', '20000'],
    ['[]', []],
    ['[ ]', []],
    ['[missing-res-end, never-listens]', ['missing-res-end', 'never-listens']],
    ['[1, true, "a, b", \'c\']', [1, true, 'a, b', 'c']],
    ['[--port, "3000"]', ['--port', '3000']],
    ['https://nodejs.org/docs/latest-v20.x/api/http.html#event-request', 'https://nodejs.org/docs/latest-v20.x/api/http.html#event-request'],
  ];
  it.each(CASES)('%j -> %j', (raw, expected) => {
    expect(parseValue(raw)).toEqual(expected);
  });
});

describe('parseDocument', () => {
  it('reads key: value lines, skips comments and blank lines, and returns the body and its first line', () => {
    const text = [
      '---',
      '# a comment line',
      'title: Hello, server',
      'kind: server   # a trailing comment',
      '',
      'deadline: 20000',
      'args: [--port, "3000"]',
      'docs: https://nodejs.org/api/http.html#responseenddata-encoding-callback',
      'quoted: "a # inside quotes"',
      'with-dash_and_underscore: yes',
      '---',
      '# Heading',
      'Body text.',
    ].join('\n');
    const document = parseDocument(text);
    expect(document.data).toEqual({
      title: 'Hello, server',
      kind: 'server',
      deadline: 20000,
      args: ['--port', '3000'],
      docs: 'https://nodejs.org/api/http.html#responseenddata-encoding-callback',
      quoted: 'a # inside quotes',
      'with-dash_and_underscore': 'yes',
    });
    expect(document.body).toBe('# Heading\nBody text.');
    expect(document.bodyLine).toBe(12);
    expect(text.split('\n')[document.bodyLine - 1]).toBe('# Heading');
  });

  it('treats CRLF files like LF files', () => {
    const document = parseDocument('---\r\ntitle: CRLF\r\nkind: client\r\n---\r\nbody\r\n');
    expect(document.data).toEqual({ title: 'CRLF', kind: 'client' });
    expect(document.body).toBe('body\n');
  });

  it('a file without front matter is all body', () => {
    expect(parseDocument('# Just markdown\n\ntext')).toEqual({ data: {}, body: '# Just markdown\n\ntext', bodyLine: 1 });
  });

  it('front matter that never ends is an error', () => {
    expect(() => parseDocument('---\ntitle: x\n\nbody')).toThrow(FrontMatterError);
  });

  it('a line that is not key: value is an error naming the file line', () => {
    expect(() => parseDocument('---\ntitle: x\njust words\n---\n')).toThrow(/line 3/);
    expect(() => parseDocument('---\n- a list item\n---\n')).toThrow(FrontMatterError);
  });
});

describe('sections', () => {
  it('splits a body by ## headings, ignoring ## inside fenced code', () => {
    const body = [
      'Intro text.',
      '',
      '## Symptom',
      'It hangs.',
      '',
      '## Why Node does this',
      'Because.',
      '```md',
      '## not a heading',
      '```',
      '### a sub-heading stays inside',
      '## Fix  ',
      'Call res.end().',
    ].join('\n');
    const parts = sections(body);
    expect([...parts.keys()]).toEqual(['', 'Symptom', 'Why Node does this', 'Fix']);
    expect(parts.get('')).toBe('Intro text.');
    expect(parts.get('Symptom')).toBe('It hangs.');
    expect(parts.get('Why Node does this')).toBe('Because.\n```md\n## not a heading\n```\n### a sub-heading stays inside');
    expect(parts.get('Fix')).toBe('Call res.end().');
  });
});

describe('resolveLesson', () => {
  const lesson = (number: number, slug: string): Lesson => ({
    id: `${String(number).padStart(2, '0')}-${slug}`, number, slug, title: slug, kind: 'server', fileStem: 'server',
    args: [], deadlineMs: 20_000, pitfalls: [], dir: `/course/${slug}`, checkFile: null, reruns: [], certs: false,
  });
  const lessons = [lesson(1, 'hello-server'), lesson(4, 'post-body'), lesson(10, 'http-get'), lesson(12, 'keep-alive')];

  const FOUND: Array<[string, string]> = [
    ['4', '04-post-body'],
    ['04', '04-post-body'],
    ['004', '04-post-body'],
    ['post-body', '04-post-body'],
    ['04-post-body', '04-post-body'],
    [' Post-Body ', '04-post-body'],
    ['10', '10-http-get'],
    ['1', '01-hello-server'],
    ['12-keep-alive', '12-keep-alive'],
  ];
  it.each(FOUND)('%j -> %s', (name, id) => {
    expect(resolveLesson(lessons, name).id).toBe(id);
  });

  const UNKNOWN = ['2', '99', '0', '', 'post', '4-post-body', '04-post-bod', 'hello server'];
  it.each(UNKNOWN)('%j is a CourseError listing the known lessons', (name) => {
    let error: unknown;
    try {
      resolveLesson(lessons, name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CourseError);
    expect((error as CourseError).code).toBe('unknown-lesson');
    expect((error as CourseError).message).toContain('01-hello-server, 04-post-body');
  });

  it('an empty course says so', () => {
    expect(() => resolveLesson([], '1')).toThrow(/known: none/);
  });
});

describe('loadCourse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hdj-course-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lessonDir = (name: string, lessonMd: string | null, files: string[] = []) => {
    mkdirSync(join(dir, name), { recursive: true });
    if (lessonMd !== null) writeFileSync(join(dir, name, 'lesson.md'), lessonMd);
    for (const file of files) writeFileSync(join(dir, name, file), '');
  };

  it('reads lesson folders in number order, with defaults, and skips what is not a lesson', () => {
    lessonDir('02-client', '---\ntitle: A client\nkind: client\nargs: [--url, "http://127.0.0.1"]\ndeadline: 9000\n---\n', ['check.ts']);
    lessonDir('01-first', '---\ntitle: First\n---\n# First\n');
    lessonDir('pitfalls', null);
    lessonDir('3-bad-name', '---\ntitle: no\n---\n');
    lessonDir('04-no-lesson-md', null);
    const course = loadCourse(dir);
    expect(course.map((lesson) => lesson.id)).toEqual(['01-first', '02-client']);
    expect(course[0]).toMatchObject({ number: 1, slug: 'first', title: 'First', kind: 'server', fileStem: 'server', args: [], deadlineMs: 20_000, checkFile: null });
    expect(course[1]).toMatchObject({ kind: 'client', fileStem: 'client', args: ['--url', 'http://127.0.0.1'], deadlineMs: 9000, checkFile: join(dir, '02-client', 'check.ts') });
  });

  it('a bad kind or broken front matter is a CourseError', () => {
    const bad = mkdtempSync(join(tmpdir(), 'hdj-course-bad-'));
    try {
      mkdirSync(join(bad, '01-x'));
      writeFileSync(join(bad, '01-x', 'lesson.md'), '---\nkind: daemon\n---\n');
      expect(() => loadCourse(bad)).toThrow(CourseError);
      writeFileSync(join(bad, '01-x', 'lesson.md'), '---\nkind: server\n');
      expect(() => loadCourse(bad)).toThrow(CourseError);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
    expect(() => loadCourse(join(dir, 'does-not-exist'))).toThrow(CourseError);
  });
});
