// ctx.evidence(...): what a check adds to a diagnosis it does not write itself.
// Before, a check that knew more than the engine (this body went out in three
// pieces; a crash on this request means the target was split by hand) caught the
// engine's failure and rewrote its English with a regex, in every lesson its own
// way. Now it states the evidence; the engine writes the diagnosis and the
// toolkit adds the evidence to it, in two places:
// - runWithEvidence wraps the check: a request that lost its connection because
//   the program crashed becomes the lesson's pitfall for that crash (it waits for
//   the exit the closed connection announces, as the engine's own crash report
//   would need to), and one that got no answer the lesson's pitfall for that;
// - amendFailure runs on the check's final failed result, whoever wrote it: it
//   adds how the request was sent to the "We sent …" clause, appends a detail,
//   and supplies a location when the diagnosis has none.

import type { CheckContext, Evidence } from '../check-api.js';
import type { Location } from '../probe-events.js';
import { NoResponseError } from '../clients/connection.js';
import { CheckFailure } from '../verdict.js';
import { format } from './format.js';

/** How long a crash may take to show as an exit after its connection closed. */
const EXIT_AFTER_CLOSE_MS = 1000;

/** The evidence a check has stated and not withdrawn, newest last. */
export class EvidenceBoard {
  private readonly items: Evidence[] = [];

  add(evidence: Evidence): () => void {
    this.items.push(evidence);
    return () => {
      const at = this.items.indexOf(evidence);
      if (at >= 0) this.items.splice(at, 1);
    };
  }

  get current(): readonly Evidence[] {
    return this.items;
  }
}

/**
 * Runs a check; when it ends with a request that lost its connection (not a
 * timeout) while crash evidence stands, waits for the program's exit and, if an
 * uncaught error the evidence accepts ended it, fails with the evidence's
 * pitfall, the engine's words for the crash and the evidence's reason.
 */
export async function runWithEvidence(ctx: Pick<CheckContext, 'program' | 'server'>, board: EvidenceBoard, run: () => Promise<void> | void): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof NoResponseError) || error.reason === 'aborted') throw error;
    const request = (error as { request?: { method: string; target: string } }).request;
    const sent = (item: Evidence) => (request ? `We sent ${request.method} ${request.target}${item.sent ? ` ${item.sent}` : ''}` : 'During this check');
    const crashEvidence = board.current.filter((item) => item.crash);
    if (crashEvidence.length > 0 && error.reason !== 'timeout') {
      await ctx.program.waitForExit(EXIT_AFTER_CLOSE_MS);
      const uncaught = ctx.server.crash()?.error;
      const chosen = uncaught ? [...crashEvidence].reverse().find((item) => !item.crash!.when || item.crash!.when(uncaught)) : undefined;
      if (uncaught && chosen?.crash) throw new CheckFailure(chosen.crash.pitfall, `${sent(chosen)}; your program crashed with ${format.error(uncaught)}: ${chosen.crash.because}.`, uncaught.at);
    }
    const silent = [...board.current].reverse().find((item) => item.noAnswer);
    if (!silent?.noAnswer) throw error;
    const location = silent.location ? await lineOrNull(silent.location) : null;
    throw new CheckFailure(silent.noAnswer.pitfall, `${sent(silent)}; ${error.message}, ${silent.noAnswer.because}.`, location);
  }
}

/** A check's location look-up: a throw there must not turn a diagnosis into an internal error. */
async function lineOrNull(find: NonNullable<Evidence['location']>): Promise<Location | null> {
  try {
    return (await find()) ?? null;
  } catch {
    return null;
  }
}

/** The parts of a failed result the evidence may change. */
export interface FailureText {
  message: string | null;
  location: Location | null;
}

/**
 * Adds the standing evidence to a failed result: `sent` after the request in its
 * "We sent M T" / "When we sent M T" clause (the engine's diagnoses all open with
 * one; without it, in parentheses at the end), `detail` as a last sentence, and
 * the first `location` that finds a line when the result has none.
 */
export async function amendFailure<T extends FailureText>(result: T, evidence: readonly Evidence[]): Promise<T> {
  let message = result.message ?? '';
  for (const item of evidence) {
    if (item.sent && !message.includes(item.sent)) message = withSent(message, item.sent);
    if (item.detail) message = `${message.replace(/\s+$/, '')}${/[.!?]$/.test(message.trim()) || message === '' ? ' ' : '. '}${item.detail}`;
  }
  let location = result.location;
  for (const item of evidence) {
    if (location || !item.location) continue;
    location = await lineOrNull(item.location);
  }
  return { ...result, message: message || result.message, location };
}

/** `message` with `sent` after the request of its opening "We sent M T" clause. */
export function withSent(message: string, sent: string): string {
  const clause = /^(We sent|When we sent|when we sent) [A-Z]+ \S+?(?=[;:,]|\s|$)/.exec(message);
  if (!clause) return message ? `${message.replace(/\s+$/, '')} (the request was sent ${sent})` : message;
  return `${message.slice(0, clause[0].length)} ${sent}${message.slice(clause[0].length)}`;
}
