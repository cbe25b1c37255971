// The Verdict: what verify returns (VERDICT.md). The engine builds it; report/
// turns it into terminal text or the JSON document.

import type { WireEntry } from './clients/transcript.js';
import type { TimelineEvent } from './timeline.js';
import type { Location } from './probe-events.js';

export const VERDICT_SCHEMA = 'httpdojo.verdict/1';

/** Ids the engine itself reports for any lesson (CURRICULUM.md, "Generic failures"). */
export const GENERIC_PITFALLS: ReadonlySet<string> = new Set(['crash', 'never-listens', 'wrong-status', 'wrong-header', 'wrong-body', 'timeout', 'wrong-content-type']);

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** A pitfall id on failed checks; null otherwise. */
  pitfall: string | null;
  /** What was sent and what came back, in one or two sentences. */
  message: string | null;
  location: Location | null;
  durationMs: number;
  /** The check's wire transcript (kept for failed checks). */
  wire: WireEntry[];
  /** The learner's error, when the program crashed during the check. */
  error: { name: string; message: string; code?: string } | null;
  /** The last lines of the program's stderr, when they explain the failure. */
  stderrTail: string | null;
  /** When each piece left and arrived on each side (verify --timeline); absent on checks that did not run. Not in --json. */
  timeline?: TimelineEvent[];
  /** Failed checks: how to see it again outside httpdojo (src/report/reproduce.ts); added by the CLI, in --json. */
  reproduce?: Reproduction;
}

export interface Reproduction {
  /** curl, a `node -e` one-liner, `httpdojo replay`, or `httpdojo run` (client lessons). */
  kind: 'curl' | 'node' | 'replay' | 'run';
  command: string;
  /** What to run first and what to look for. */
  note: string;
  /** The same bytes as `httpdojo replay <lesson> <check>` (shorter to show than a long one-liner), when they were stored. */
  replay?: string;
}

export interface Verdict {
  schema: typeof VERDICT_SCHEMA;
  lesson: string;
  file: string;
  passed: boolean;
  pitfalls: string[];
  checks: CheckResult[];
  durationMs: number;
  node: string;
  version: string;
  /** The port the program asked listen() for (server and proxy lessons), when it named one. */
  requestedPort?: number;
  /**
   * The learner's file as verify read it: code frames quote this text, so a save
   * between the verify and the report cannot shift the lines shown. Not in --json.
   */
  source?: string;
}

/** Raised when verify cannot run at all (exit code 2 territory). */
export class VerifyError extends Error {
  constructor(
    message: string,
    readonly code: 'missing-file' | 'bad-check-module' | 'internal',
  ) {
    super(message);
  }
}

/** Thrown by ctx.fail and by expectations; carries the diagnosis. */
export class CheckFailure extends Error {
  constructor(
    readonly pitfall: string,
    message: string,
    readonly location: Location | null = null,
    /** For expectations: where to look once the probe's events are in. */
    readonly locate: (() => Promise<Location | null>) | null = null,
  ) {
    super(message);
  }
}

export function distinctPitfalls(checks: CheckResult[]): string[] {
  const seen: string[] = [];
  for (const check of checks) if (check.status === 'failed' && check.pitfall && !seen.includes(check.pitfall)) seen.push(check.pitfall);
  return seen;
}
