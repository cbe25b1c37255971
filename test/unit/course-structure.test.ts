// dev check's structural validation (issue 10): per problem, a broken copy of a
// tiny two-lesson course (lessons 01 and 10 and their pitfall pages) and the exact
// one line it must print. src/engine/course-structure.ts.

import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { courseStructureProblems } from '../../src/engine/course-structure.ts';
import { LESSONS, tinyCourse } from './tiny-course.ts';

const root = mkdtempSync(join(tmpdir(), 'httpdojo-structure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const edit = (dir: string, file: string, change: (text: string) => string) => {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the case changed nothing in ${file}`);
  writeFileSync(path, after);
};
const frontMatter = (dir: string, lesson: string, change: (text: string) => string) => edit(dir, `${lesson}/lesson.md`, change);
const lineOf = (dir: string, file: string, needle: string, nth = 0) => {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const found = lines.flatMap((line, index) => (line.includes(needle) ? [index + 1] : []))[nth];
  if (found === undefined) throw new Error(`${needle} not in ${file}`);
  return found;
};
const H = '01-hello-server';
const G = '10-http-get';
const EXTRA_CHECK = (body: string) => (text: string) => text.replace('  checks: [\n', `  checks: [\n    ${body}\n`);

type Case = [name: string, breakIt: (dir: string) => void, expected: (dir: string) => string[]];
const CASES: Case[] = [
  ['the tiny course as copied is sound', () => {}, () => []],
  ['an unknown key, a near miss of a known one', (d) => frontMatter(d, H, (t) => t.replace('deadline: 20000', 'dedline: 20000')), () => [
    `${H}/lesson.md: front matter dedline: unknown key (did you mean "deadline"?); the keys are title, kind, file, args, deadline, pitfalls, reruns, certs`,
    `${H}/lesson.md: front matter deadline: missing; add "deadline: 20000" (ms: no verdict of this lesson may take longer)`,
  ]],
  ['an unknown key, nothing like a known one', (d) => frontMatter(d, H, (t) => t.replace('kind: server', 'kind: server\ncolour: red')), () => [
    `${H}/lesson.md: front matter colour: unknown key; the keys are title, kind, file, args, deadline, pitfalls, reruns, certs`,
  ]],
  ['certs not a boolean', (d) => frontMatter(d, H, (t) => t.replace('kind: server', 'kind: server\ncerts: yes')), () => [
    `${H}/lesson.md: front matter certs: must be true or false (true: the program gets the course's TLS files), not "yes"`,
  ]],
  ['certs: true is a known key', (d) => frontMatter(d, H, (t) => t.replace('kind: server', 'kind: server\ncerts: true')), () => []],
  ['a bad kind', (d) => frontMatter(d, H, (t) => t.replace('kind: server', 'kind: sever')), () => [
    `${H}/lesson.md: front matter kind: must be server, client or proxy, not "sever" (did you mean "server"?)`,
  ]],
  ['no title', (d) => frontMatter(d, G, (t) => t.replace(/^title: .*\n/m, '')), () => [`${G}/lesson.md: front matter title: missing; add "title: <the lesson's name>"`]],
  ['a title that is a number', (d) => frontMatter(d, H, (t) => t.replace(/^title: .*$/m, 'title: 42')), () => [
    `${H}/lesson.md: front matter title: must be text, not 42; quote it if it looks like a number`,
  ]],
  ['no file', (d) => frontMatter(d, G, (t) => t.replace(/^file: .*\n/m, '')), () => [
    `${G}/lesson.md: front matter file: missing; add "file: server" (the learner's file name without extension: server, client or proxy)`,
  ]],
  ['a file with its extension', (d) => frontMatter(d, H, (t) => t.replace('file: server', 'file: server.ts')), () => [
    `${H}/lesson.md: front matter file: must be a file name without extension (like server), not "server.ts"`,
  ]],
  ['a deadline in words', (d) => frontMatter(d, H, (t) => t.replace('deadline: 20000', 'deadline: 20s')), () => [
    `${H}/lesson.md: front matter deadline: must be a whole number of milliseconds (like 20000), not "20s"`,
  ]],
  ['pitfalls not a list', (d) => frontMatter(d, H, (t) => t.replace(/^pitfalls: .*$/m, 'pitfalls: missing-res-end')), () => [
    `${H}/lesson.md: front matter pitfalls: must be a list of pitfall ids (like [missing-res-end]), not "missing-res-end"`,
  ]],
  ['a front matter that never ends', (d) => frontMatter(d, H, (t) => t.replace(/^---\n\n/m, '\n')), () => [
    `${H}/lesson.md: front matter starts with --- but never ends; the front matter is "key: value" lines between two --- lines`,
  ]],
  ['two hints', (d) => edit(d, `${H}/hints.md`, (t) => t.slice(0, t.indexOf('## Hint 3'))), () => [
    `${H}/hints.md has 2 hints, expected 3 ("## Hint 1" to "## Hint 3", from a nudge to nearly the answer)`,
  ]],
  ['four hints', (d) => edit(d, `${G}/hints.md`, (t) => `${t}\n## Hint 4\n\nThe answer.\n`), () => [
    `${G}/hints.md has 4 hints, expected 3 ("## Hint 1" to "## Hint 3", from a nudge to nearly the answer)`,
  ]],
  ['no "## Your task"', (d) => frontMatter(d, H, (t) => t.replace('## Your task', '## Your job')), () => [`${H}/lesson.md has no "## Your task" section`]],
  ['no solution', (d) => rmSync(join(d, G, 'solution.ts')), () => [`${G}/solution.ts is missing`]],
  ['a listed pitfall without a page', (d) => rmSync(join(d, 'pitfalls', 'ignores-status-code.md')), () => [
    `${G}/lesson.md lists pitfall ignores-status-code, but pitfalls/ignores-status-code.md does not exist; write the page (learners read it when they hit ignores-status-code) or fix the id`,
  ]],
  ['a listed pitfall id with a typo', (d) => frontMatter(d, H, (t) => t.replace('wrong-content-type]', 'wrong-content-type, missing-res-ends]')), () => [
    `${H}/lesson.md lists pitfall missing-res-ends, but pitfalls/missing-res-ends.md does not exist; write the page (learners read it when they hit missing-res-ends) or fix the id (did you mean "missing-res-end"?)`,
    `${H}/mistakes/: no mistake program declares pitfall missing-res-ends; add mistakes/missing-res-ends.ts starting with "// pitfall: missing-res-ends"`,
  ]],
  ['a pitfall a check reports, without a page', (d) => rmSync(join(d, 'pitfalls', 'client-missing-end.md')), (d) => [
    // Lesson 10 reports it through the client harness, reached as ctx.client (dev check's scan names the first use).
    `${G}/check.ts line ${lineOf(d, `${G}/check.ts`, 'ctx.client.')}: reports pitfall client-missing-end, but pitfalls/client-missing-end.md does not exist; write the page (learners read it when this check fails) or fix the id`,
  ]],
  ['a generic pitfall a check reports needs no page', (d) => edit(d, `${H}/check.ts`, EXTRA_CHECK("{ id: 'extra', title: 't', run: (ctx) => ctx.fail('wrong-header', 'm') },")), () => []],
  ['a failure record naming a made-up pitfall', (d) => edit(d, `${H}/check.ts`, EXTRA_CHECK("{ id: 'extra', title: 't', run: (ctx) => { const f = { pitfall: 'made-up', message: 'm' }; ctx.fail(f.pitfall, f.message); } },")), (d) => [
    `${H}/check.ts line ${lineOf(d, `${H}/check.ts`, "'made-up'")}: reports pitfall made-up, but pitfalls/made-up.md does not exist; write the page (learners read it when this check fails) or fix the id`,
  ]],
  ['two checks with one id', (d) => edit(d, `${H}/check.ts`, EXTRA_CHECK("{ id: 'keep-alive', title: 't', run: () => {} },")), (d) => [
    `${H}/check.ts line ${lineOf(d, `${H}/check.ts`, "id: 'keep-alive'", 1)}: check id "keep-alive" is used again (first on line ${lineOf(d, `${H}/check.ts`, "id: 'keep-alive'")}); ids name checks in verdicts and needs: [...], so each must be unique`,
  ]],
  ['a mistake declaring a pitfall the lesson does not list', (d) => edit(d, `${H}/mistakes/never-listens.ts`, (t) => t.replace('pitfall: never-listens', 'pitfall: never-listen')), () => [
    `${H}/mistakes/never-listens.ts declares pitfall never-listen, which lesson.md does not list in pitfalls: [...] (did you mean "never-listens"?); add it there or fix the id`,
    `${H}/mistakes/: no mistake program declares pitfall never-listens; add mistakes/never-listens.ts starting with "// pitfall: never-listens"`,
  ]],
  ['a mistake without a pitfall line', (d) => edit(d, `${G}/mistakes/ignores-status-code.ts`, (t) => t.replace(/^\/\/ pitfall: .*\n/m, '')), () => [
    `${G}/mistakes/ignores-status-code.ts has no "// pitfall: <id>" line in its first 3 lines; name the pitfall it must be diagnosed with`,
    `${G}/mistakes/: no mistake program declares pitfall ignores-status-code; add mistakes/ignores-status-code.ts starting with "// pitfall: ignores-status-code"`,
  ]],
  ['a mistake without a // BUG: line', (d) => edit(d, `${H}/mistakes/missing-res-end.ts`, (t) => t.replace(/\/\/ BUG:/g, '// bug')), () => [
    `${H}/mistakes/missing-res-end.ts has no "// BUG:" line; mark the line the diagnosis must point at`,
  ]],
  ['reruns naming a lesson that is not there', (d) => frontMatter(d, G, (t) => t.replace('kind: client', 'kind: client\nreruns: [1, 7, 01-hello-servr]')), () => [
    `${G}/lesson.md: front matter reruns: names lesson 7, which is not in the course`,
    `${G}/lesson.md: front matter reruns: names lesson 01-hello-servr, which is not in the course (did you mean "01-hello-server"?)`,
  ]],
  ['reruns naming a later lesson', (d) => frontMatter(d, H, (t) => t.replace('kind: server', 'kind: server\nreruns: [http-get]')), () => [
    `${H}/lesson.md: front matter reruns: names 10-http-get, which is not an earlier lesson; a lesson re-runs only lessons before it`,
  ]],
  ['a lesson folder not named NN-slug', (d) => renameSync(join(d, G), join(d, '10-HTTP-get')), () => [
    '10-HTTP-get/: a lesson folder is named NN-slug (two digits, a dash, lowercase letters, digits and dashes, like 04-post-body); rename it, or httpdojo skips this lesson',
  ]],
  ['two lessons with one number', (d) => cpSync(join(d, H), join(d, '01-hello-again'), { recursive: true }), () => [
    `${H}/: lesson number 01 is also used by 01-hello-again/; renumber one of them`,
  ]],
  ['a lesson folder without lesson.md', (d) => rmSync(join(d, G, 'lesson.md')), () => [
    `${G}/lesson.md: missing; every lesson folder needs one (front matter, explanation, "## Your task")`,
  ]],
];

describe('dev check: the structure of a course, one line per problem', () => {
  it.each(CASES)('%s', (_name, breakIt, expected) => {
    const dir = tinyCourse(root);
    breakIt(dir);
    expect(courseStructureProblems(dir).map((problem) => problem.line)).toEqual(expected(dir));
  });

  it("httpdojo's own course has no structural problems", () => {
    expect(courseStructureProblems(LESSONS).map((problem) => problem.line)).toEqual([]);
  });
});
