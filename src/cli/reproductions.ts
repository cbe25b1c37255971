// Issue 12 §3 for the commands that verify (verify, watch): a reproduce command
// on every failed check, and the sent bytes stored for `httpdojo replay`.

import type { Lesson } from '../course/lessons.js';
import type { Verdict } from '../engine/verdict.js';
import { relative, resolve } from 'node:path';
import { addReproductions, shellWord } from '../report/reproduce.js';
import { replayDir, saveReplays } from '../workspace/replay-store.js';
import { selfCommand } from './workspace-context.js';

/** `runDefault`: the file `httpdojo run <lesson>` picks by itself here (null: none). */
export function withReproductions(verdict: Verdict, lesson: Lesson, workspaceRoot: string | null, runDefault: string | null): Verdict {
  if (verdict.passed) return verdict;
  const fileOption = runDefault && resolve(runDefault) === verdict.file ? '' : ` --file ${shellWord(relative(process.cwd(), verdict.file) || verdict.file)}`;
  addReproductions(verdict, lesson, selfCommand(), fileOption);
  try {
    saveReplays(replayDir(workspaceRoot), verdict);
  } catch (error) {
    // A read-only folder costs the replay, never the verdict.
    process.stderr.write(`httpdojo: could not store the bytes for httpdojo replay (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    for (const check of verdict.checks) if (check.reproduce?.kind !== 'replay') delete check.reproduce?.replay;
  }
  return verdict;
}
