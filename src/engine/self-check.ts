// A course proves itself: every solution passes, every starter fails, every
// mistake fails with exactly its declared pitfall and points at its `// BUG:`
// line. `httpdojo dev check` and the test suite run this same code.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lesson } from '../course/lessons.js';
import { lessonStructureProblems } from './course-structure.js';
import type { Verdict } from './verdict.js';
import { verify } from './verify.js';

export interface SelfCheckItem {
  lesson: string;
  role: 'solution' | 'starter' | 'mistake' | 'content';
  file: string;
  /** What the program must produce: "pass", "fail", or the pitfall id. */
  expected: string;
  ok: boolean;
  /** Why it is not ok, in one sentence (content: one line per problem). */
  problem: string | null;
  verdict: Verdict | null;
}

export interface Mistake {
  file: string;
  pitfall: string;
  /** 1-based lines carrying a `// BUG:` comment. */
  bugLines: number[];
}

export function readMistake(file: string): Mistake | null {
  const text = readFileSync(file, 'utf8');
  const declared = /^\s*(?:\/\/|#)\s*pitfall:\s*([a-z0-9-]+)/m.exec(text.split('\n').slice(0, 3).join('\n'));
  if (!declared) return null;
  const bugLines = text.split('\n').flatMap((line, index) => (/\/\/\s*BUG:/.test(line) ? [index + 1] : []));
  return { file, pitfall: declared[1], bugLines };
}

export function programFile(lesson: Lesson, name: 'solution' | 'starter'): string | null {
  return ['.ts', '.mts', '.js', '.mjs', '.cjs'].map((ext) => join(lesson.dir, name + ext)).find(existsSync) ?? null;
}

export function mistakeFiles(lesson: Lesson): string[] {
  const dir = join(lesson.dir, 'mistakes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.(m|c)?(t|j)s$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Structure, one line per problem starting with the file to open (relative to the
 * lesson folder): src/engine/course-structure.ts is the one implementation.
 */
export function contentProblems(lesson: Lesson, lessonsDir: string): string[] {
  return lessonStructureProblems(lesson.dir, lessonsDir);
}

export interface SelfCheckOptions {
  lessonsDir: string;
  compiledChecksDir?: string;
  onItem?: (item: SelfCheckItem) => void;
}

export async function selfCheckLesson(lesson: Lesson, options: SelfCheckOptions): Promise<SelfCheckItem[]> {
  return selfCheckCourse([lesson], options);
}

/**
 * How many verifies `dev check` runs at once. Three on two cores: most of a verify
 * is waiting (a 2 s response deadline, a lesson's own timeouts), not CPU; with the
 * learner's TypeScript started without tsx's loader (fast-start.ts) the whole course
 * uses ~64 s of CPU, so three at once load the machine about as two did before
 * (126 s of CPU in 142 s), the load the checks' margins were proven under. Measured
 * on the 2-core machine: 100 s with two, 73 s with three, 58 s with four, every
 * run sound (README, Performance).
 */
export const DEV_CHECK_JOBS = 3;

/** Every lesson's content, solution, starter and mistakes, as one queue worked by `jobs` verifies at a time. */
export async function selfCheckCourse(lessons: Lesson[], options: SelfCheckOptions & { jobs?: number }): Promise<SelfCheckItem[]> {
  const items: SelfCheckItem[] = [];
  const add = (item: SelfCheckItem) => {
    items.push(item);
    options.onItem?.(item);
  };
  const tasks: Array<() => Promise<SelfCheckItem>> = [];
  for (const lesson of lessons) {
    const problems = contentProblems(lesson, options.lessonsDir);
    add({ lesson: lesson.id, role: 'content', file: lesson.dir, expected: 'complete', ok: problems.length === 0, problem: problems.join('\n') || null, verdict: null });
    if (!lesson.checkFile) continue;
    const run = (file: string) => verify(lesson, file, { compiledChecksDir: options.compiledChecksDir });
    const solution = programFile(lesson, 'solution');
    if (solution) {
      tasks.push(async () => {
        const verdict = await run(solution);
        const failed = verdict.checks.find((check) => check.status === 'failed');
        return { lesson: lesson.id, role: 'solution', file: solution, expected: 'pass', ok: verdict.passed, problem: verdict.passed ? null : `the solution fails "${failed?.title}" (${failed?.pitfall}): ${failed?.message}`, verdict };
      });
    }
    const starter = programFile(lesson, 'starter');
    if (starter) {
      tasks.push(async () => {
        const verdict = await run(starter);
        return { lesson: lesson.id, role: 'starter', file: starter, expected: 'fail', ok: !verdict.passed, problem: verdict.passed ? 'the starter passes every check' : null, verdict };
      });
    }
    for (const file of mistakeFiles(lesson)) {
      const mistake = readMistake(file);
      if (!mistake) {
        add({ lesson: lesson.id, role: 'mistake', file, expected: '?', ok: false, problem: 'no "// pitfall: <id>" line at the top', verdict: null });
        continue;
      }
      tasks.push(async () => {
        const verdict = await run(file);
        return { lesson: lesson.id, role: 'mistake', file, expected: mistake.pitfall, ...judgeMistake(mistake, verdict), verdict };
      });
    }
  }
  // The slowest lessons come last in the course; starting from the end keeps both workers busy to the finish.
  const queue = tasks.reverse();
  const worker = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) add(await task());
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? DEV_CHECK_JOBS) }, worker));
  return items;
}

export function judgeMistake(mistake: Mistake, verdict: Verdict): { ok: boolean; problem: string | null } {
  if (verdict.passed) return { ok: false, problem: `passes every check; expected ${mistake.pitfall}` };
  if (verdict.pitfalls.length !== 1 || verdict.pitfalls[0] !== mistake.pitfall) {
    const first = verdict.checks.find((check) => check.status === 'failed');
    return { ok: false, problem: `diagnosed as [${verdict.pitfalls.join(', ')}], expected exactly [${mistake.pitfall}] (first failure: ${first?.message})` };
  }
  if (mistake.bugLines.length > 0) {
    const first = verdict.checks.find((check) => check.status === 'failed');
    const line = first?.location?.file === mistake.file ? first.location.line : null;
    if (line === null || !mistake.bugLines.includes(line)) {
      return { ok: false, problem: `points at ${line === null ? 'no line of the file' : `line ${line}`}, expected the // BUG: line ${mistake.bugLines.join(' or ')}` };
    }
  }
  return { ok: true, problem: null };
}
