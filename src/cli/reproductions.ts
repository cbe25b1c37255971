// Issue 12 §3 for `verify`: a reproduce command on every failed check, and the
// sent bytes stored for `httpdojo replay` (src/workspace/replay-store.ts).

import type { Lesson } from '../course/lessons.js';
import type { Verdict } from '../engine/verdict.js';
import { reproductionsFor } from '../workspace/replay-store.js';
import { selfCommand } from './workspace-context.js';

/** `runDefault`: the file `httpdojo run <lesson>` picks by itself here (null: none). */
export function withReproductions(verdict: Verdict, lesson: Lesson, workspaceRoot: string | null, runDefault: string | null): Verdict {
  const found = reproductionsFor(verdict, lesson, workspaceRoot, runDefault, selfCommand());
  for (const check of verdict.checks) {
    const reproduction = found.get(check.id);
    if (reproduction) check.reproduce = reproduction;
  }
  return verdict;
}
