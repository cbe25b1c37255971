// A course's structure, checked before anything runs (`httpdojo dev check`, issue 10):
// one line per problem, starting with the file to open, saying what is wrong and
// how to fix it. Reads files and parses check.ts statically; runs nothing.
// docs/writing-lessons.md ("What dev check checks") lists what is checked.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FrontMatterError, parseDocument, type FrontMatterValue } from '../course/front-matter.js';
import { LESSON_DIR } from '../course/lessons.js';
import { loadPitfall } from '../course/pitfalls.js';
import { loadQuiz, QuizParseError, quizProblems } from '../course/quiz.js';
import { findStubs } from '../course/scaffold/stub.js';
import { scanCheckSource } from './check-scan.js';
import { GENERIC_PITFALLS } from './verdict.js';

export interface StructureProblem {
  /** The lesson folder the problem is in, null for the course itself. */
  lesson: string | null;
  /** One line, starting with the file to open (relative to the course folder). */
  line: string;
}


const KEYS = ['title', 'kind', 'file', 'args', 'deadline', 'pitfalls', 'reruns', 'certs'];
const ID = /^[a-z0-9-]+$/;

/** Every structural problem of the course in `lessonsDir`, lesson by lesson. */
export function courseStructureProblems(lessonsDir: string): StructureProblem[] {
  if (!existsSync(lessonsDir)) return [{ lesson: null, line: `${lessonsDir}: no such folder; --lessons takes the course folder (the one holding 01-…/ and pitfalls/)` }];
  const problems: StructureProblem[] = [];
  const byNumber = new Map<string, string>();
  const folders = readdirSync(lessonsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'pitfalls')
    .map((entry) => entry.name)
    .sort();
  for (const name of folders) {
    const match = LESSON_DIR.exec(name);
    const hasLesson = existsSync(join(lessonsDir, name, 'lesson.md'));
    if (!match) {
      // Other folders (node_modules, notes) are not lessons; one with a lesson.md is meant to be.
      if (hasLesson) problems.push({ lesson: name, line: `${name}/: a lesson folder is named NN-slug (two digits, a dash, lowercase letters, digits and dashes, like 04-post-body); rename it, or httpdojo skips this lesson` });
      continue;
    }
    const other = byNumber.get(match[1]);
    if (other) problems.push({ lesson: name, line: `${name}/: lesson number ${match[1]} is also used by ${other}/; renumber one of them` });
    else byNumber.set(match[1], name);
    if (!hasLesson) {
      problems.push({ lesson: name, line: `${name}/lesson.md: missing; every lesson folder needs one (front matter, explanation, "## Your task")` });
      continue;
    }
    for (const line of lessonStructureProblems(join(lessonsDir, name), lessonsDir)) problems.push({ lesson: name, line: `${name}/${line}` });
  }
  return problems;
}

/** One lesson's problems, each line starting with a file relative to the lesson folder. */
export function lessonStructureProblems(lessonDir: string, lessonsDir: string): string[] {
  const problems: string[] = [];
  const lessonFile = join(lessonDir, 'lesson.md');
  let data: Record<string, FrontMatterValue> = {};
  let body = '';
  let parsed = true;
  try {
    ({ data, body } = parseDocument(readFileSync(lessonFile, 'utf8')));
    problems.push(...frontMatterProblems(data, lessonDir, lessonsDir));
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    problems.push(`lesson.md: ${error.message}; the front matter is "key: value" lines between two --- lines`);
    body = readFileSync(lessonFile, 'utf8');
    parsed = false;
  }
  if (!/^## Your task/m.test(body)) problems.push('lesson.md has no "## Your task" section');
  problems.push(...hintProblems(lessonDir));
  const checkFile = ['check.ts', 'check.mts', 'check.js', 'check.mjs'].find((name) => existsSync(join(lessonDir, name)));
  if (!checkFile) problems.push('check.ts is missing');
  for (const name of ['solution', 'starter']) {
    if (!['.ts', '.mts', '.js', '.mjs', '.cjs'].some((ext) => existsSync(join(lessonDir, name + ext)))) problems.push(`${name}.ts is missing`);
  }
  // null when the list itself is broken (reported above): no mistake is then blamed for it.
  const listed = !parsed ? null : data.pitfalls === undefined ? [] : Array.isArray(data.pitfalls) ? data.pitfalls.map(String) : null;
  const hasPage = (id: string) => ID.test(id) && existsSync(join(lessonsDir, 'pitfalls', `${id}.md`));
  for (const id of listed ?? []) if (!hasPage(id)) problems.push(`lesson.md lists pitfall ${id}, but pitfalls/${id}.md does not exist; write the page (learners read it when they hit ${id}) or fix the id${suggest(id, pageIds(lessonsDir))}`);
  if (checkFile) problems.push(...checkProblems(join(lessonDir, checkFile), checkFile, listed ?? [], hasPage));
  problems.push(...mistakeProblems(lessonDir, listed));
  problems.push(...quizFileProblems(lessonDir, lessonsDir, listed ?? []));
  return problems;
}

function frontMatterProblems(data: Record<string, FrontMatterValue>, lessonDir: string, lessonsDir: string): string[] {
  const problems: string[] = [];
  const bad = (key: string, what: string) => problems.push(`lesson.md: front matter ${key}: ${what}`);
  for (const key of Object.keys(data)) {
    if (!KEYS.includes(key)) bad(key, `unknown key${suggest(key, KEYS)}; the keys are ${KEYS.join(', ')}`);
  }
  const { title, kind, file, args, deadline, pitfalls, reruns, certs } = data;
  if (title === undefined) bad('title', 'missing; add "title: <the lesson\'s name>"');
  else if (typeof title !== 'string' || title.trim() === '') bad('title', `must be text, not ${JSON.stringify(title)}; quote it if it looks like a number`);
  if (kind !== undefined && kind !== 'server' && kind !== 'client' && kind !== 'proxy') bad('kind', `must be server, client or proxy, not ${JSON.stringify(kind)}${suggest(String(kind), ['server', 'client', 'proxy'])}`);
  if (file === undefined) bad('file', 'missing; add "file: server" (the learner\'s file name without extension: server, client or proxy)');
  else if (typeof file !== 'string' || !/^[A-Za-z0-9_-]+$/.test(file)) bad('file', `must be a file name without extension (like server), not ${JSON.stringify(file)}`);
  if (deadline === undefined) bad('deadline', 'missing; add "deadline: 20000" (ms: no verdict of this lesson may take longer)');
  else if (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline <= 0) bad('deadline', `must be a whole number of milliseconds (like 20000), not ${JSON.stringify(deadline)}`);
  if (args !== undefined && !Array.isArray(args)) bad('args', `must be a list (like [] or [--port, 3000]), not ${JSON.stringify(args)}`);
  if (pitfalls !== undefined) {
    if (!Array.isArray(pitfalls)) bad('pitfalls', `must be a list of pitfall ids (like [missing-res-end]), not ${JSON.stringify(pitfalls)}`);
    else for (const id of pitfalls) if (typeof id !== 'string' || !ID.test(id)) bad('pitfalls', `${JSON.stringify(id)} is not a pitfall id (lowercase letters, digits and dashes)`);
  }
  if (reruns !== undefined) problems.push(...rerunProblems(reruns, lessonDir, lessonsDir));
  if (certs !== undefined && typeof certs !== 'boolean') bad('certs', `must be true or false (true: the program gets the course's TLS files), not ${JSON.stringify(certs)}`);
  return problems;
}

/** `reruns: [3, 04-post-body]`: lessons whose checks this one runs again; each must exist and come earlier. */
function rerunProblems(reruns: FrontMatterValue, lessonDir: string, lessonsDir: string): string[] {
  if (!Array.isArray(reruns)) return [`lesson.md: front matter reruns: must be a list of earlier lessons (like [3, 04-post-body]), not ${JSON.stringify(reruns)}`];
  const own = Number(LESSON_DIR.exec(basename(lessonDir))?.[1] ?? NaN);
  const lessons = readdirSync(lessonsDir).flatMap((name) => {
    const match = LESSON_DIR.exec(name);
    return match ? [{ name, number: Number(match[1]), slug: match[2] }] : [];
  });
  return reruns.flatMap((entry) => {
    const wanted = String(entry);
    const found = /^\d+$/.test(wanted) ? lessons.find((lesson) => lesson.number === Number(wanted)) : lessons.find((lesson) => lesson.name === wanted || lesson.slug === wanted);
    if (!found) return [`lesson.md: front matter reruns: names lesson ${wanted}, which is not in the course${suggest(wanted, lessons.map((lesson) => lesson.name))}`];
    if (!(found.number < own)) return [`lesson.md: front matter reruns: names ${found.name}, which is not an earlier lesson; a lesson re-runs only lessons before it`];
    return [];
  });
}

function hintProblems(lessonDir: string): string[] {
  const hints = join(lessonDir, 'hints.md');
  if (!existsSync(hints)) return ['hints.md is missing'];
  const count = (readFileSync(hints, 'utf8').match(/^## Hint \d+/gm) ?? []).length;
  return count === 3 ? [] : [`hints.md has ${count} hints, expected 3 ("## Hint 1" to "## Hint 3", from a nudge to nearly the answer)`];
}

function checkProblems(file: string, name: string, listed: string[], hasPage: (id: string) => boolean): string[] {
  const problems: string[] = [];
  const scan = scanCheckSource(readFileSync(file, 'utf8'), file);
  const firstLine = new Map<string, number>();
  for (const { id, line } of scan.checkIds) {
    const first = firstLine.get(id);
    if (first !== undefined) problems.push(`${name} line ${line}: check id "${id}" is used again (first on line ${first}); ids name checks in verdicts and needs: [...], so each must be unique`);
    else firstLine.set(id, line);
  }
  const seen = new Set<string>();
  for (const { id, line } of scan.reportedPitfalls) {
    // The engine's own ids need no page unless the lesson lists them: httpdojo explains them itself.
    if (seen.has(id) || listed.includes(id) || GENERIC_PITFALLS.has(id)) continue;
    seen.add(id);
    if (!hasPage(id)) problems.push(`${name} line ${line}: reports pitfall ${id}, but pitfalls/${id}.md does not exist; write the page (learners read it when this check fails) or fix the id`);
  }
  return problems;
}

function mistakeProblems(lessonDir: string, listed: string[] | null): string[] {
  const dir = join(lessonDir, 'mistakes');
  if (!existsSync(dir)) return (listed ?? []).map((id) => `mistakes/: no mistake program declares pitfall ${id}; add mistakes/${id}.ts starting with "// pitfall: ${id}"`);
  const problems: string[] = [];
  const declared = new Set<string>();
  for (const name of readdirSync(dir).filter((entry) => /\.(m|c)?(t|j)s$/.test(entry)).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    // Same patterns as self-check.ts readMistake, which dev check then runs.
    const pitfall = /^\s*(?:\/\/|#)\s*pitfall:\s*([a-z0-9-]+)/m.exec(lines.slice(0, 3).join('\n'))?.[1];
    if (!pitfall) problems.push(`mistakes/${name} has no "// pitfall: <id>" line in its first 3 lines; name the pitfall it must be diagnosed with`);
    else if (listed && !listed.includes(pitfall)) problems.push(`mistakes/${name} declares pitfall ${pitfall}, which lesson.md does not list in pitfalls: [...]${suggest(pitfall, listed)}; add it there or fix the id`);
    else declared.add(pitfall);
    if (!lines.some((line) => /\/\/\s*BUG:/.test(line))) problems.push(`mistakes/${name} has no "// BUG:" line; mark the line the diagnosis must point at`);
  }
  for (const id of listed ?? []) if (!declared.has(id)) problems.push(`mistakes/: no mistake program declares pitfall ${id}; add mistakes/${id}.ts starting with "// pitfall: ${id}"`);
  return problems;
}

/** quiz.md is optional; when present it must parse, hold 3+ questions, each with a fact test (issue 14). */
function quizFileProblems(lessonDir: string, lessonsDir: string, listed: string[]): string[] {
  try {
    const quiz = loadQuiz(lessonDir);
    if (!quiz) return [];
    // A listed id without a page is reported once, for lesson.md; writing the page fixes both.
    const unknown = quiz.questions.filter((question) => question.pitfall && !listed.includes(question.pitfall) && !loadPitfall(lessonsDir, question.pitfall));
    // httpdojo's own course (a clone): the named fact tests must exist in test/facts/.
    const factsDir = join(lessonsDir, '..', 'test', 'facts');
    return [...quizProblems(quiz, existsSync(factsDir) ? factsDir : undefined), ...unknown.map((question) => `quiz.md question ${question.number} (line ${question.line}): no pitfall page pitfalls/${question.pitfall}.md`)];
  } catch (error) {
    if (error instanceof QuizParseError) return [`quiz.md does not parse: ${error.message}`];
    throw error;
  }
}

/**
 * What the author still has to write: the files holding `httpdojo dev new`'s stub
 * marker (course/scaffold/stub.ts), one line per file with what each marker asks
 * for. Not structural problems: a stubbed lesson is sound and still runs (its
 * example programs prove the checks), but `dev check` fails while any is left,
 * so a course with a placeholder page or hint is not shipped to learners.
 */
export function courseStubs(lessonsDir: string): StructureProblem[] {
  if (!existsSync(lessonsDir)) return [];
  const stubs: StructureProblem[] = [];
  const add = (lesson: string | null, path: string, file: string) => {
    const found = findStubs(readFileSync(file, 'utf8'));
    if (found.length === 0) return;
    const lines = found.map((stub) => stub.line).join(', ');
    stubs.push({ lesson, line: `${path} (line${found.length === 1 ? '' : 's'} ${lines}): ${found.map((stub) => stub.what || 'replace this stub').join('; ')}` });
  };
  const files = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile() && /\.(md|[mc]?[jt]s)$/.test(entry.name)).map((entry) => entry.name).sort() : []);
  const lessonNames = readdirSync(lessonsDir).filter((entry) => LESSON_DIR.test(entry)).sort();
  for (const name of lessonNames) {
    // The lesson's text first, then its programs, as an author works through them.
    const order = (file: string) => ['lesson.md', 'hints.md', 'check.ts'].indexOf(file) >>> 0;
    for (const file of files(join(lessonsDir, name)).sort((a, b) => order(a) - order(b))) add(name, `${name}/${file}`, join(lessonsDir, name, file));
    for (const file of files(join(lessonsDir, name, 'mistakes'))) add(name, `${name}/mistakes/${file}`, join(lessonsDir, name, 'mistakes', file));
  }
  // A page's stubs belong to the first lesson that lists its id (so `--only` shows them with it).
  const listedBy = new Map<string, string>();
  for (const name of lessonNames) {
    try {
      const { pitfalls } = parseDocument(readFileSync(join(lessonsDir, name, 'lesson.md'), 'utf8')).data;
      if (Array.isArray(pitfalls)) for (const id of pitfalls) if (!listedBy.has(String(id))) listedBy.set(String(id), name);
    } catch {
      // A lesson.md that is missing or does not parse is a structural problem, reported there.
    }
  }
  for (const file of files(join(lessonsDir, 'pitfalls'))) add(listedBy.get(file.replace(/\.md$/, '')) ?? null, `pitfalls/${file}`, join(lessonsDir, 'pitfalls', file));
  return stubs;
}

function pageIds(lessonsDir: string): string[] {
  const dir = join(lessonsDir, 'pitfalls');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.md')).map((name) => name.slice(0, -3)) : [];
}

/** ` (did you mean "title"?)` for a near miss: at most 2 edits, or 1 for short words. */
export function suggest(word: string, candidates: string[]): string {
  let best: string | null = null;
  let bestDistance = Math.min(2, Math.floor(word.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance > 0 && distance <= bestDistance) [best, bestDistance] = [candidate, distance - 1];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
