// `dev check --mutate`: every runnable mutant of a lesson's solution goes
// through the same verify a learner's program gets, `jobs` at a time, each in
// its own temp folder (removed afterwards, and on Ctrl-C through
// removeMutantDirs). A mutant whose verdict fails is killed; one that passes
// every check survived, and the lesson's checks miss that mistake.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Lesson } from '../../course/lessons.js';
import { programFile } from '../self-check.js';
import type { Verdict } from '../verdict.js';
import { verify } from '../verify.js';
import { unifiedDiff } from './diff.js';
import { generateMutants, type Mutant } from './generate.js';

export type MutantStatus = 'killed' | 'survived' | 'invalid' | 'equivalent' | 'error';

export interface MutantResult {
  lesson: string;
  id: string;
  entry: string;
  pitfall: string;
  description: string;
  line: number;
  status: MutantStatus;
  /** killed: the check that failed first, with its pitfall (the checks after it are not run). */
  failedChecks: Array<{ id: string; pitfall: string | null }>;
  /** killed: whether the first failed check named the pitfall the mutation models (a kill for the right reason). */
  diagnosed: boolean;
  /** invalid: the syntax error; error: why verify could not run it. */
  reason: string | null;
  diff: string;
  durationMs: number;
}

export interface LessonMutation {
  lesson: string;
  solution: string | null;
  /** The unchanged solution, run the same way from a temp folder: kills only mean something when it passes. */
  solutionPassed: boolean | null;
  /** When it did not pass: its first failed check (id, pitfall, message) or why verify could not run it. */
  solutionFailure: string | null;
  mutants: MutantResult[];
  counts: Record<MutantStatus, number>;
  /** killed / (killed + survived), null when nothing ran. */
  score: number | null;
}

export interface MutateOptions {
  compiledChecksDir?: string;
  jobs?: number;
  onMutant?: (result: MutantResult) => void;
}

const liveDirs = new Set<string>();

/** Ctrl-C: the temp folders of the mutants still running (their processes are killed by killAllLearnerProcesses). */
export function removeMutantDirs(): void {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

async function verifyText(lesson: Lesson, name: string, text: string, options: MutateOptions): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), 'httpdojo-mutant-'));
  liveDirs.add(dir);
  try {
    const file = join(dir, name);
    writeFileSync(file, text);
    // The first failed check decides: the mutant is killed, and the checks after it (often
    // waiting out a hang of their own) would only cost time. Like a test runner's bail.
    const stop = new AbortController();
    return await verify(lesson, file, {
      compiledChecksDir: options.compiledChecksDir,
      signal: stop.signal,
      onCheck: (result) => {
        if (result.status === 'failed') stop.abort();
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }
}

function judge(lesson: Lesson, mutant: Mutant, diff: string, verdict: Verdict | Error, durationMs: number): MutantResult {
  const base = { lesson: lesson.id, id: mutant.id, entry: mutant.entry, pitfall: mutant.pitfall, description: mutant.description, line: mutant.line, diff, durationMs };
  if (verdict instanceof Error) return { ...base, status: 'error', failedChecks: [], diagnosed: false, reason: verdict.message };
  const failed = verdict.checks.filter((check) => check.status === 'failed').map((check) => ({ id: check.id, pitfall: check.pitfall }));
  return { ...base, status: verdict.passed ? 'survived' : 'killed', failedChecks: failed, diagnosed: verdict.pitfalls.includes(mutant.pitfall), reason: null };
}

/**
 * Survivors the lesson's author explained: lines of the check.ts header comment
 * (before the first import or code) of the form `// mutant <id>: why it is harmless`.
 */
export function documentedSurvivors(lesson: Lesson): Map<string, string> {
  const documented = new Map<string, string>();
  if (!lesson.checkFile) return documented;
  for (const line of readFileSync(lesson.checkFile, 'utf8').split('\n')) {
    if (!/^\s*(\/\/|\/\*|\*|$)/.test(line)) break;
    const found = /mutant\s+([a-z-]+#\d+)\s*:\s*(.+)$/.exec(line);
    if (found) documented.set(found[1], found[2].replace(/\s*\*\/\s*$/, ''));
  }
  return documented;
}

export function countsOf(mutants: MutantResult[]): Record<MutantStatus, number> {
  const counts: Record<MutantStatus, number> = { killed: 0, survived: 0, invalid: 0, equivalent: 0, error: 0 };
  for (const mutant of mutants) counts[mutant.status]++;
  return counts;
}

/** Mutates every lesson's solution and verifies the mutants, one pool of `jobs` verifies over all lessons. */
export async function mutateCourse(lessons: Lesson[], options: MutateOptions): Promise<LessonMutation[]> {
  const reports: LessonMutation[] = [];
  const tasks: Array<() => Promise<void>> = [];
  for (const lesson of lessons) {
    const solution = programFile(lesson, 'solution');
    const report: LessonMutation = { lesson: lesson.id, solution, solutionPassed: null, solutionFailure: null, mutants: [], counts: countsOf([]), score: null };
    reports.push(report);
    if (!solution || !lesson.checkFile) continue;
    const text = readFileSync(solution, 'utf8');
    const name = basename(solution);
    tasks.push(async () => {
      const verdict = await verifyText(lesson, name, text, options).catch((error: Error) => error);
      report.solutionPassed = !(verdict instanceof Error) && verdict.passed;
      const failed = verdict instanceof Error ? null : verdict.checks.find((check) => check.status === 'failed');
      if (verdict instanceof Error) report.solutionFailure = `verify could not run it: ${verdict.message}`;
      else if (failed) report.solutionFailure = `${failed.id} (${failed.pitfall}): ${failed.message}`;
    });
    for (const mutant of generateMutants(solution, text)) {
      const diff = unifiedDiff(text, mutant.text, `${lesson.id}/${name}`);
      if (mutant.kind !== 'runnable') {
        const result: MutantResult = { lesson: lesson.id, id: mutant.id, entry: mutant.entry, pitfall: mutant.pitfall, description: mutant.description, line: mutant.line, status: mutant.kind, failedChecks: [], diagnosed: false, reason: mutant.reason, diff, durationMs: 0 };
        report.mutants.push(result);
        options.onMutant?.(result);
        continue;
      }
      tasks.push(async () => {
        const started = performance.now();
        const verdict = await verifyText(lesson, name, mutant.text, options).catch((error: Error) => error);
        const result = judge(lesson, mutant, diff, verdict, Math.round(performance.now() - started));
        report.mutants.push(result);
        options.onMutant?.(result);
      });
    }
  }
  const queue = [...tasks];
  const worker = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 2) }, worker));
  for (const report of reports) {
    const order = (m: MutantResult) => m.id;
    report.mutants.sort((a, b) => (a.line - b.line) || order(a).localeCompare(order(b)));
    report.counts = countsOf(report.mutants);
    const judged = report.counts.killed + report.counts.survived;
    report.score = judged === 0 ? null : report.counts.killed / judged;
  }
  return reports;
}
