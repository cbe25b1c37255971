// Checks of a server lesson that run at once (`concurrent: true`, check-api.ts):
// the window a check opens, the run of that window, and each check's own share
// of the server's events. The verdict stays the one-at-a-time verdict: a window
// counts only if every check in it passed and the program neither crashed nor
// restarted; otherwise its results are dropped, a fresh program replays the
// checks before it one at a time (they all passed: a window opens only then),
// and the window's checks run again one at a time, as does the rest of the run.

import type { Check } from '../check-api.js';
import type { LearnerProcess } from '../learner-process.js';
import type { ProbeEvent } from '../probe-events.js';
import { runCheck, type CheckRun } from './check.js';
import type { VerifyRun } from './run.js';
import { startServer } from './start.js';

/** At most this many checks at once: the rest of a long run of concurrent checks waits for the next window. */
const WINDOW_MAX = 8;

/**
 * The checks that run beside checks[index]: the concurrent ones right after it
 * (a window never reaches past a check that is not concurrent), none when there
 * are none.
 */
export function windowAt(checks: Check[], index: number): Check[] {
  const window = [checks[index]];
  for (let next = index + 1; next < checks.length && window.length < WINDOW_MAX && checks[next].concurrent; next++) window.push(checks[next]);
  return window;
}

/** The window's runs, or null when they do not count (a failure, a crash, a restart, an error inside httpdojo). */
export async function runWindow(run: VerifyRun, window: Check[]): Promise<CheckRun[] | null> {
  const program = run.program;
  const stop = new AbortController();
  // One failure already means the window does not count: the others are stopped, not waited for.
  const settled = await Promise.allSettled(window.map((check) => runCheck(run, check, stop.signal, { shared: true }).then((ran) => {
    if (ran.result.status !== 'passed') stop.abort();
    return ran;
  }, (error: unknown) => {
    stop.abort();
    throw error;
  })));
  const runs = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const counts = runs.length === window.length && runs.every((ran) => ran.result.status === 'passed' && ran.program === program) && Boolean(program?.running) && run.program === program;
  return counts ? runs : null;
}

/**
 * After a window that did not count: a fresh program, and the checks before it
 * (checks[0..index), all passed) run again one at a time, their results dropped,
 * so the program holds what it held when the window began in a one-at-a-time run.
 */
export async function replayBefore(run: VerifyRun, checks: Check[], index: number): Promise<void> {
  // Ctrl-C: the run loop skips what is left; nothing to rebuild.
  if (run.options.signal?.aborted) return;
  await run.program?.stop();
  // A start that fails now is reported by the next check, which starts the program itself (check.ts).
  if (await startServer(run)) return;
  for (const check of checks.slice(0, index)) {
    if (run.options.signal?.aborted) return;
    await runCheck(run, check).catch(() => {});
  }
}

/** Probe event types whose `id` is the server request's id (client-* events number client requests). */
const REQUEST_ID_EVENTS = new Set(['req', 'handler-sync', 'req-end', 'req-close', 'res-finish', 'res-close', 'call', 'call-threw', 'res-error', 'pipe']);

/** The request an event belongs to, or null for the program's own (ticks, listens, a crash). */
function requestOf(event: ProbeEvent): number | null {
  if (REQUEST_ID_EVENTS.has(event.t)) return (event as { id: number | null }).id;
  const inRequest = (event as { inRequest?: number | null }).inRequest;
  return typeof inRequest === 'number' ? inRequest : null;
}

/**
 * A concurrent check's share of the server's events: the requests that came on
 * its own connections (the probe's remotePort is our end's port), and every
 * event no request owns. Another check's requests, and one whose port the probe
 * could not tell, are left out.
 */
export function ownEvents(events: ProbeEvent[], ports: ReadonlySet<number>): ProbeEvent[] {
  const others = new Set<number>();
  for (const event of events) if (event.t === 'req' && (event.remotePort === null || !ports.has(event.remotePort))) others.add(event.id);
  if (others.size === 0) return events;
  return events.filter((event) => {
    const id = requestOf(event);
    return id === null || !others.has(id);
  });
}

/** Whether `event` of `program` is the check's own (see ownEvents), for waits on events still to come. */
function isOwn(program: LearnerProcess, event: ProbeEvent, ports: ReadonlySet<number>): boolean {
  const id = requestOf(event);
  if (id === null) return true;
  const req = event.t === 'req' ? event : program.events.find((candidate) => candidate.t === 'req' && candidate.id === id);
  return req?.t === 'req' && req.remotePort !== null && ports.has(req.remotePort);
}

/** A wait's `where`, narrowed to the check's own events when it shares the program (null ports: unchanged). */
export function ownWhere<E extends ProbeEvent>(program: LearnerProcess, ports: ReadonlySet<number> | null, where?: (event: E) => boolean): ((event: E) => boolean) | undefined {
  if (!ports) return where;
  return (event) => isOwn(program, event, ports) && (!where || where(event));
}

/** The events of `program` since `from`, narrowed to the check's own when it shares the program. */
export function eventsSince(program: LearnerProcess, from: number, ports: ReadonlySet<number> | null): ProbeEvent[] {
  const events = program.events.slice(from);
  return ports ? ownEvents(events, ports) : events;
}
