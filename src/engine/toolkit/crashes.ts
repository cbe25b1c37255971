// Requests whose handling may crash the learner's server on purpose (lesson 15's
// /boom: a handler that throws, or whose promise rejects) and the learner's frames
// of an uncaught error. The engine already diagnoses a crash as `crash`; a check
// that knows what this crash means (no try/catch around the handler's call) states
// it here, and the diagnosis points at the frame that should have caught it rather
// than at the throw, which is in the handler and deliberate.
//
// Why a crash ends everything: since Node 15 an unhandled rejection is fatal like an
// uncaught exception (https://nodejs.org/docs/latest-v20.x/api/cli.html#--unhandled-rejectionsmode,
// default `throw`), so one failing handler drops every client's connection.

import type { CheckContext } from '../check-api.js';
import type { HttpResponse } from '../clients/http-client.js';
import type { EventOf, Location } from '../probe-events.js';
import { format } from './format.js';

type Ctx = Pick<CheckContext, 'http' | 'server' | 'program' | 'fail' | 'note'>;

/** What a crash during a request means in this lesson. */
export interface CrashMeaning {
  pitfall: string;
  /** What to do instead: the message's last sentence. */
  fix: string;
  /**
   * `caller`: point at the learner's frame that called the throwing function (where
   * the try/catch belongs) when the stack shows one (a synchronous throw; an async
   * function's rejection after an await has no caller on its stack and points at
   * the throw). Default `throw`.
   */
  at?: 'throw' | 'caller';
  /** Who threw, for the message ("the handler"); default "your code". */
  who?: string;
}

/** A closed connection may announce its uncaught error this much later (the probe's report travels over IPC). */
const UNCAUGHT_AFTER_CLOSE_MS = 500;
/** An uncaught error kills the process right after; its exit is reported within this. */
const EXIT_AFTER_UNCAUGHT_MS = 1500;

/**
 * GET `target` (whose handler fails on purpose), then GET `next`, which must still
 * be answered: the server survived. Returns both responses for the check's own
 * expectations. If the program died of an uncaught error on the way (no answer to
 * `target`, or none to `next`: a framework that answered, then rethrew), fails with
 * `crash.pitfall`. `next` is sent at once rather than after a pause for a late
 * crash report: its answer is the proof the process is still there.
 */
export async function survivesFailure(ctx: Ctx, target: string, next: string, crash: CrashMeaning): Promise<{ res: HttpResponse; next: HttpResponse }> {
  let res: HttpResponse;
  try {
    res = await ctx.http.get(target);
  } catch (error) {
    await failIfCrashed(ctx, `We sent GET ${target}; no answer reached us`, crash);
    throw error;
  }
  ctx.note(`the server must still answer the next request (GET ${next})`);
  let after: HttpResponse;
  try {
    after = await ctx.http.get(next);
  } catch (error) {
    await failIfCrashed(ctx, `We sent GET ${target}; we got ${res.status} ${format.body(res)}, but the next request (GET ${next}) got no answer`, crash);
    throw error;
  }
  // Still answering, yet an uncaught error was reported (process.on('uncaughtException')
  // kept the process alive): the handler's error escaped the framework all the same.
  if (ctx.server.eventsOf('uncaught').length > 0) await failIfCrashed(ctx, `We sent GET ${target}; we got ${res.status} ${format.body(res)}, and then`, crash);
  return { res, next: after };
}

/**
 * If the program died of an uncaught error during this check, fails with
 * `crash.pitfall`: `opening` (what we sent, what came back), what was thrown or
 * rejected, how the process ended, and `crash.fix`. Returns when there was no crash.
 */
export async function failIfCrashed(ctx: Ctx, opening: string, crash: CrashMeaning): Promise<void> {
  const uncaught = ctx.server.eventsOf('uncaught').pop() ?? (await ctx.server.waitFor('uncaught', { timeoutMs: UNCAUGHT_AFTER_CLOSE_MS }));
  if (!uncaught) return;
  const exit = await ctx.program.waitForExit(EXIT_AFTER_UNCAUGHT_MS);
  const who = crash.who ?? 'your code';
  const error = format.error(uncaught);
  const what = uncaught.origin === 'unhandledRejection'
    ? `${who} returned a promise that rejected with ${error}, nothing handled the rejection`
    : `${who} threw ${error}, nothing caught it`;
  const died = exit ? `your server crashed (${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`})` : 'your server crashed';
  const at = crash.at === 'caller' ? callerOf(uncaught, ctx.server.file) : uncaught.at;
  ctx.fail(crash.pitfall, `${opening}: ${what}, and ${died}, dropping every other client's connection too. ${crash.fix}`, at);
}

/**
 * The learner's frame that called the function that threw: the second frame of
 * the stack in `file` when the first is the throw itself; else the throw.
 */
export function callerOf(uncaught: Pick<EventOf<'uncaught'>, 'stack' | 'at'>, file: string): Location | null {
  const frames = learnerFrames(uncaught.stack ?? '', file);
  const at = uncaught.at;
  if (frames.length >= 2 && at && frames[0].file === at.file && frames[0].line === at.line) return frames[1];
  return at;
}

/** The frames of a V8 stack trace that are in `file` (a path, or a file: URL in the stack), innermost first. */
export function learnerFrames(stack: string, file: string): Location[] {
  const frames: Location[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    const match = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/.exec(line);
    if (!match) continue;
    let path = match[1];
    if (path.startsWith('file://')) {
      try {
        path = decodeURIComponent(new URL(path).pathname);
      } catch {
        continue;
      }
    }
    if (path === file) frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}
