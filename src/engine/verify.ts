// verify(lesson, file) -> Verdict. Runs the learner's program under the probe,
// runs the lesson's checks against it one by one, and always comes back: every
// wait has a deadline, a crash ends only the check it happened in (the program
// is restarted for the next), and the program and everything it started are gone
// when this returns, whatever happened. The parts live in ./verify/ (run.ts is
// the run loop; the other files each do one job for it).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { distinctPitfalls, VERDICT_SCHEMA, VerifyError, type CheckResult, type Verdict } from './verdict.js';
import { packageVersion } from './version.js';
import { loadChecks } from './load-checks.js';
import { VerifyRun } from './verify/run.js';
import type { Lesson } from '../course/lessons.js';

export interface VerifyOptions {
  /** Program arguments instead of the lesson's. */
  args?: string[];
  /** Aborting stops the checks and cleans up (Ctrl-C). */
  signal?: AbortSignal;
  /** Called as each check finishes, for live output. */
  onCheck?: (result: CheckResult, index: number, total: number) => void;
  /** Where the compiled checks of the built-in course live (dist/lessons). */
  compiledChecksDir?: string;
}

export async function verify(lesson: Lesson, fileArgument: string, options: VerifyOptions = {}): Promise<Verdict> {
  const started = performance.now();
  const file = resolve(fileArgument);
  if (!existsSync(file)) throw new VerifyError(`no such file: ${file}`, 'missing-file');
  const module = await loadChecks(lesson, options.compiledChecksDir);
  const run = new VerifyRun(lesson, file, module, options);
  try {
    await run.execute();
  } finally {
    await run.cleanup();
  }
  const checks = run.results;
  return {
    schema: VERDICT_SCHEMA,
    lesson: lesson.id,
    file,
    passed: checks.length > 0 && checks.every((check) => check.status === 'passed'),
    pitfalls: distinctPitfalls(checks),
    checks,
    durationMs: Math.round(performance.now() - started),
    node: process.version,
    version: packageVersion(),
    ...(run.requestedPort !== null ? { requestedPort: run.requestedPort } : {}),
    source: run.sourceText,
  };
}

// The lesson's checks: its own module (precompiled JavaScript for the built-in
// course, else TypeScript through tsx) plus those of the lessons it re-runs (load-checks.ts).
export { loadChecks };

// Pieces other modules and tests use, from the files that own them.
export { buildRecords } from './verify/records.js';
export { commentRanges, sourceView, stringInteriors, syntaxErrorIn } from './verify/source.js';
export { deepEqual, expectResponse, quote } from './verify/expect.js';
