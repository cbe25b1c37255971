// The client harness, part 1: running a learner's client program against a test
// server of the check's own and watching it until it exits or stalls. Lessons 10-12
// (and an instructor's client lessons) import it from 'httpdojo/check'. It imports
// only types: everything it does at run time goes through the check's context.
import type { CheckContext, ClientProgram, Location, ProbeEvent, ProgramRun } from '../check-api.js';
import type { EventOf } from '../probe-events.js';
import { format } from '../toolkit/format.js';
import type { TestServer } from './server.js';

/** CURRICULUM.md: a client program must exit 2 s after its last response. */
export const EXIT_WITHIN_MS = 2000;
/**
 * We stop waiting for a program once it has been idle (nothing on our server, no
 * probe event, nothing left for us to send) for the 2 s plus this margin. On a
 * loaded machine timers fire late and processes wait for a core: the margin only
 * makes us wait longer before calling a program stuck. A program that exits in
 * that extra time is judged on when it exited, against the 2 s.
 */
export const STALL_MARGIN_MS = 1000;
/** How long a program may take to start and make its first request (tsx alone takes seconds on a loaded machine). */
export const FIRST_REQUEST_MS = 10_000;
/**
 * Once the probe has said hello (tsx is loaded by then: only the learner's own
 * file is left to compile and run), how long the program may stay silent before
 * its first request. Without it a client that never makes a request cost the
 * whole FIRST_REQUEST_MS.
 */
export const AFTER_HELLO_MS = 5000;
/** Cap on one run of the program; the idle rule above normally ends it long before (the lesson deadline still applies). */
export const RUN_CAP_MS = 20_000;
/** Check timeout for a check that runs the program once. */
export const CHECK_MS = 15_000;

export interface ClientResult {
  /** The program ended by itself (false: we stopped it). */
  exited: boolean;
  /** We stopped waiting because the check had seen what it needed (`stopWhen`), not because the program went quiet. */
  stoppedEarly: boolean;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  events: ProbeEvent[];
  uncaught: EventOf<'uncaught'> | null;
  /** From our last response (or cut) to the program's exit, in ms; null without either. */
  exitAfterMs: number | null;
  /** For a program we stopped: how long it had been idle. */
  idleMs: number;
  /**
   * For a program we stopped after the check's ending event (our last response,
   * or its request failing): how long after it, what it was, and how many more
   * requests the program made meanwhile (a retry loop). Null when no ending came.
   */
  afterEnd: { ms: number; what: 'response' | 'error'; requests: number } | null;
  /** From start to exit (or to when we stopped it). */
  ranMs: number;
}

/**
 * Runs the program to its end, or until it has been idle (nothing on our
 * server, no new probe event, nothing left for us to send) for longer than the
 * 2 s a client may take to exit after its last response, or until those 2 s
 * have passed since the check's ending event — the `exchanges`-th exchange over
 * (our response complete, a connection we cut, or a request of the program's
 * that failed, e.g. refused) — whatever the program keeps doing: a client that
 * retries forever is never idle, and "still busy" must not extend the deadline.
 * The program is then stopped when the check ends.
 */
export async function runClient(ctx: CheckContext, server: TestServer, args: string[], stopWhen?: (events: ProbeEvent[]) => boolean, options: { exchanges?: number } = {}): Promise<ClientResult> {
  const exchanges = options.exchanges ?? 1;
  const started = performance.now();
  const state: { run: ProgramRun | null; at: number } = { run: null, at: 0 };
  // This run's own view: another run of the same check may be going on beside it.
  const program = ctx.program.start(args, { timeoutMs: RUN_CAP_MS });
  const running = program.result.then((run) => {
    state.run = run;
    state.at = performance.now();
  });
  ctx.note(`we ran: client ${args.map((arg) => JSON.stringify(arg)).join(' ')}`);
  let seen = 0;
  let activity = started;
  let begun = false;
  let idleMs = 0;
  let stoppedEarly = false;
  let helloSeen = false;
  let end: { at: number; what: 'response' | 'error'; requests: number } | null = null;
  while (!state.run && !ctx.signal.aborted) {
    await Promise.race([running, ctx.sleep(50)]);
    if (state.run) break;
    const now = performance.now();
    const events = program.events();
    const count = events.filter((event) => event.t !== 'tick').length;
    if (count !== seen) {
      seen = count;
      activity = now;
    }
    if (stopWhen?.(events)) {
      stoppedEarly = true;
      break;
    }
    begun ||= server.upstream.connections > 0 || events.some((event) => event.t === 'client-create' || event.t === 'client-req' || event.t === 'fetch');
    helloSeen ||= events.some((event) => event.t === 'hello');
    activity = Math.max(activity, server.lastActivity);
    const failed = events.filter((event) => event.t === 'client-error').length;
    if (!end && server.ended + failed >= exchanges) end = { at: now, what: server.ended > 0 ? 'response' : 'error', requests: requestCount(events) };
    if (end && now - end.at > EXIT_WITHIN_MS + STALL_MARGIN_MS) break;
    if (server.sending > 0) continue;
    idleMs = now - activity;
    if (begun ? idleMs > EXIT_WITHIN_MS + STALL_MARGIN_MS : helloSeen ? idleMs > AFTER_HELLO_MS : now - started > FIRST_REQUEST_MS) break;
  }
  const run = state.run as ProgramRun | null;
  if (run && !run.timedOut) {
    const exitEvent = run.events.find((event): event is EventOf<'exit'> => event.t === 'exit');
    // The probe's exit event is stamped when it arrives, before the process is reaped.
    const exitAt = exitEvent ? Math.min(state.at, started + exitEvent.receivedAt) : state.at;
    let exitAfterMs = server.lastResponseAt === null ? null : Math.max(0, Math.round(exitAt - server.lastResponseAt));
    // The same span on the program's own clock (probe times): from the last
    // response event it saw to its exit. Our clock also counts the time our own
    // process waited for a core; the smaller of the two is the fair one.
    const lastSeen = Math.max(-1, ...run.events.filter((event) => ['client-res', 'client-res-end', 'client-error', 'client-close'].includes(event.t)).map((event) => event.ms));
    if (exitAfterMs !== null && exitEvent && lastSeen >= 0) exitAfterMs = Math.min(exitAfterMs, Math.max(0, exitEvent.ms - lastSeen));
    const result: ClientResult = {
      exited: true, stoppedEarly: false, code: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr, events: run.events, uncaught: run.error,
      exitAfterMs, idleMs: 0, ranMs: Math.round(exitAt - started), afterEnd: null,
    };
    ctx.note(`your program exited with code ${result.code ?? result.signal}${result.exitAfterMs === null ? '' : ` ${result.exitAfterMs} ms after our last response`}; stdout ${show(result.stdout)}; stderr ${show(result.stderr)}`);
    programs.set(result, program);
    return result;
  }
  const events = run ? run.events : program.events();
  const result: ClientResult = {
    exited: false, stoppedEarly, code: null, signal: null, stdout: run ? run.stdout : program.stdout(), stderr: run ? run.stderr : program.stderr(), events,
    uncaught: [...events].reverse().find((event): event is EventOf<'uncaught'> => event.t === 'uncaught') ?? null,
    exitAfterMs: null, idleMs: Math.round(idleMs), ranMs: Math.round(performance.now() - started),
    afterEnd: end && !stoppedEarly ? { ms: Math.round(performance.now() - end.at), what: end.what, requests: requestCount(events) - end.requests } : null,
  };
  ctx.note(
    stoppedEarly
      ? `we had seen what this check needed after ${seconds(result.ranMs)} and stopped your program`
      : `your program was still running after ${seconds(result.ranMs)}, ${result.afterEnd ? `${seconds(result.afterEnd.ms)} after ${endText(result.afterEnd)}${result.afterEnd.requests ? ` (it made ${result.afterEnd.requests} more requests meanwhile)` : ''}` : `idle for ${seconds(result.idleMs)}`}: we stopped it; stdout ${show(result.stdout)}; stderr ${show(result.stderr)}`,
  );
  programs.set(result, program);
  return result;
}

/** Each result's run, for focus(). */
const programs = new WeakMap<ClientResult, ClientProgram>();

/**
 * The check is judging `result`: ctx.server and the verdict's program follow its
 * run (a check that ran the program several times at once and fails on the first
 * run is located with the first run's events, as if run one at a time).
 */
export function focusRun(result: ClientResult): void {
  programs.get(result)?.focus();
}

/** Requests the program has made so far (created, or sent when the probe saw no creation). */
function requestCount(events: ProbeEvent[]): number {
  const created = events.filter((event) => event.t === 'client-create').length;
  return created || events.filter((event) => event.t === 'client-req').length;
}

export function endText(end: NonNullable<ClientResult['afterEnd']>): string {
  return end.what === 'response' ? 'our last response' : 'its request failed';
}

export function eventsOf<T extends ProbeEvent['t']>(result: ClientResult, type: T): Array<EventOf<T>> {
  return result.events.filter((event): event is EventOf<T> => event.t === type);
}

/** The requests the program made with node:http: created (even if never ended), else sent. */
export function clientRequests(result: ClientResult): Array<{ id: number; method: string; path: string; at: Location | null }> {
  const created = eventsOf(result, 'client-create');
  return created.length ? created : eventsOf(result, 'client-req');
}

/** The learner's http.get / http.request line. */
export function requestLine(result: ClientResult): Location | null {
  return clientRequests(result).find((request) => request.at)?.at ?? null;
}

/** A quoted excerpt of program output (the toolkit's quoting), or "nothing": output is not a body. */
export function show(text: string, max = 160): string {
  return text === '' ? 'nothing' : format.body(text, max);
}

export const seconds = format.seconds;

export function exitText(result: ClientResult): string {
  return result.code !== null ? `exited with code ${result.code}` : `was killed by ${result.signal}`;
}

/** What the program did, for messages: exit, stdout, stderr. */
export function outcome(result: ClientResult): string {
  return `your program ${exitText(result)}, stdout ${show(result.stdout)}, stderr ${show(result.stderr)}`;
}

/** The first place matching `pattern` in the learner's file, searching from the first match of `after` when given. */
// The engine's source view skips comments and strings: a comment quoting
// `http.get(` above the real call is never the learner's line.
export function findInSource(ctx: CheckContext, pattern: RegExp, after?: RegExp): Location | null {
  const anchor = after ? ctx.source.find(after) : null;
  if (after && !anchor) return null;
  const isAfter = (at: Location) => !anchor || at.line > anchor.line || (at.line === anchor.line && at.column >= anchor.column);
  return ctx.source.findAll(pattern).find(isAfter) ?? null;
}
