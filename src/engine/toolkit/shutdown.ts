// A graceful shutdown, watched (lesson 14): SIGTERM while a request is in flight
// and an idle keep-alive connection is open; when the process exited, whether a new
// connection was still served, and what kept the event loop alive if it did not
// exit. The lesson judges the observation; this file gathers it and says what the
// probe saw in words (exit, lost request, what holds the process) and where.
//
// server.close() stops accepting at once but waits for open connections, idle
// keep-alive ones included, unless they are closed
// (https://nodejs.org/docs/latest-v20.x/api/http.html#servercloseidleconnections);
// a process lives while a ref'd handle does
// (https://nodejs.org/docs/latest-v20.x/api/process.html#processgetactiveresourcesinfo).

import type { CheckContext, ExitInfo } from '../check-api.js';
import type { HttpResponse } from '../clients/http-client.js';
import type { EventOf, Location } from '../probe-events.js';
import { format } from './format.js';
import { heldTimer } from './timers.js';

type Ctx = Pick<CheckContext, 'http' | 'server' | 'program' | 'expect' | 'fail' | 'note' | 'source'>;

/** What the probe's last heartbeat said keeps the event loop alive. */
export interface Holders {
  /** The server still listens: server.close() was never called. */
  listening: boolean;
  connections: number;
  timers: number;
  others: string[];
}

/** A SIGTERM during a request, as observed. Times are ms after the signal. */
export interface Shutdown {
  target: string;
  /** The request in flight: its response, or the error that ended it, and when. */
  outcome: { res: HttpResponse | null; error: unknown; atMs: number };
  exit: ExitInfo | null;
  exitMs: number | null;
  /** process.exit() as the probe saw it called after the signal. */
  exitCall: EventOf<'exit-call'> | null;
  /** server.close() as the probe saw it called after the signal. */
  closeCall: EventOf<'server-close'> | null;
  held: Holders | null;
  /** A connection opened once close() was seen (or after 1 s) was accepted and answered. */
  accepted: boolean;
  attemptAtMs: number;
  /** Milliseconds since the signal, now. */
  sinceSignal: () => number;
  /** The uncaught error the process died of after the signal, if any. */
  uncaught: EventOf<'uncaught'> | null;
}

/**
 * Opens an idle keep-alive connection (one GET / answered 200), sends GET `target`
 * on another, and once the server has received it, SIGTERM (the exit is expected).
 * Then tries a new connection once the probe saw server.close() (at most 1 s), and
 * waits for the in-flight answer and the exit (at most `exitWatchMs`).
 */
export async function sigtermDuring(ctx: Ctx, target: string, options: { answerTimeoutMs: number; exitWatchMs: number }): Promise<Shutdown> {
  const { http, server, program } = ctx;
  const idle = await http.connect();
  ctx.expect(await http.request('GET', '/', { connection: idle, keepOpen: true })).status(200);
  ctx.note('connection 1 stays open and idle (keep-alive) during the shutdown');

  const busy = await http.connect();
  const sentAt = performance.now();
  const working = http.request('GET', target, { connection: busy, keepOpen: true, timeoutMs: options.answerTimeoutMs }).then(
    (res) => ({ res, error: null, atMs: performance.now() }),
    (error: unknown) => ({ res: null, error, atMs: performance.now() }),
  );
  const arrived = await server.waitFor('req', { timeoutMs: 2000, where: (event) => event.url === target });
  if (!arrived) ctx.fail('timeout', `We sent GET ${target}; after 2 s your server had still not received it, so there was no request in flight to shut down with.`, null);

  const beforeSignal = server.events().length;
  program.expectExit();
  const signalAt = performance.now();
  ctx.note(`SIGTERM sent to your program, ${Math.round(signalAt - sentAt)} ms after GET ${target}`);
  program.signal('SIGTERM');
  const sinceSignal = () => Math.round(performance.now() - signalAt);
  // Watched from the signal on, so that the exit's time is its own, not when we looked.
  let exitMs = null as number | null;
  const exiting = program.waitForExit(options.exitWatchMs).then((exit) => {
    if (exit) {
      exitMs = sinceSignal();
      ctx.note(`your program exited ${exitMs} ms after SIGTERM (${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`})`);
    }
    return exit;
  });
  const { accepted, attemptAtMs } = await triesNewConnection(ctx, sinceSignal);

  const outcome = await working;
  const exit = await exiting;
  if (!exit) ctx.note(`your program was still running ${sinceSignal()} ms after SIGTERM`);
  const after = server.events().slice(beforeSignal);
  const first = <T extends 'exit-call' | 'server-close' | 'uncaught'>(t: T) => (after.find((event) => event.t === t) as EventOf<T> | undefined) ?? null;
  return {
    target, outcome: { ...outcome, atMs: Math.round(outcome.atMs - signalAt) }, exit, exitMs, accepted, attemptAtMs, sinceSignal,
    exitCall: first('exit-call'), closeCall: first('server-close'), uncaught: first('uncaught'), held: whatHolds(after),
  };
}

/**
 * Once the probe saw server.close() (or the program is gone), a new connection
 * must be refused. The probe reports close() just before Node closes the listening
 * socket, so a connection may still land in the kernel's backlog and be reset a
 * moment later: it counts as accepted only if a request on it is answered.
 */
async function triesNewConnection(ctx: Ctx, sinceSignal: () => number): Promise<{ accepted: boolean; attemptAtMs: number }> {
  await ctx.server.waitFor('server-close', { timeoutMs: 1000 });
  const attemptAtMs = sinceSignal();
  try {
    const late = await ctx.http.connect(1000);
    try {
      const res = await ctx.http.request('GET', '/', { connection: late, headers: { Connection: 'close' }, timeoutMs: 1000 });
      ctx.note(`a new connection ${attemptAtMs} ms after SIGTERM was accepted and answered ${res.status}`);
      return { accepted: true, attemptAtMs };
    } catch {
      ctx.note(`a new connection ${attemptAtMs} ms after SIGTERM was not served (closed or reset by the closing server)`);
    } finally {
      late.destroy();
    }
  } catch {
    ctx.note(`a new connection ${attemptAtMs} ms after SIGTERM was refused, as it should be`);
  }
  return { accepted: false, attemptAtMs };
}

/**
 * From the probe's last heartbeat among `events`: Node's list of handles that keep
 * the event loop alive (process.getActiveResourcesInfo(), which counts only ref'd
 * timers), the state the process is stuck in. Null without a heartbeat.
 */
export function whatHolds(events: ReadonlyArray<{ t: string }>): Holders | null {
  const last = events.filter((event): event is EventOf<'tick'> => event.t === 'tick').pop();
  if (!last) return null;
  const count = (name: string) => last.resources[name] ?? 0;
  const known = new Set(['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'PipeWrap', 'TTYWrap', 'FSReqCallback']);
  return {
    listening: count('TCPServerWrap') > 0,
    connections: count('TCPSocketWrap'),
    timers: count('Timeout'),
    others: Object.keys(last.resources).filter((name) => !known.has(name) && last.resources[name] > 0),
  };
}

/** What holds the process, in words ("1 timer (…) and 2 open connections (…)"), or '' for nothing known. */
export function holdersText(held: Holders): string {
  const parts: string[] = [];
  if (held.timers) parts.push(`${held.timers} timer${held.timers === 1 ? '' : 's'} (a setTimeout or setInterval that is neither cleared nor unref()'d)`);
  if (held.connections) parts.push(`${held.connections} open connection${held.connections === 1 ? '' : 's'} (server.close() waits for them: close idle ones with server.closeIdleConnections(), and answer with Connection: close while shutting down)`);
  if (held.others.length) parts.push(`other handles: ${held.others.join(', ')}`);
  return parts.join(' and ');
}

/** How the process ended after SIGTERM, as a clause. */
export function signalExitText(exit: { code: number | null; signal: string | null }, exitMs: number, exitCall: EventOf<'exit-call'> | null): string {
  if (exit.signal === 'SIGTERM') return `the signal killed it ${exitMs} ms later: there is no SIGTERM handler, so Node's default ends the process on the spot`;
  if (exit.signal) return `it was killed by ${exit.signal} ${exitMs} ms after SIGTERM`;
  if (exitCall) return `it called process.exit(${exitCall.code ?? ''}) ${format.seconds(exitMs)} after the signal, ending with code ${exit.code}`;
  return `it exited with code ${exit.code} ${format.seconds(exitMs)} after the signal`;
}

/** How a request lost its answer (a NoResponseError's reason), `afterSignalMs` after the signal. */
export function lossText(error: unknown, afterSignalMs: number): string {
  const reason = (error as { reason?: unknown } | null)?.reason;
  const partial = (error as { partial?: { status: number } | null } | null)?.partial;
  if (reason === 'timeout') return 'no answer came';
  const how = reason === 'reset' ? 'reset' : 'closed';
  return `${afterSignalMs} ms after the signal the connection was ${how} ${partial ? `after only the head of a ${partial.status}` : 'without an answer'}`;
}

/**
 * The learner's line behind a hang: a pending timer's setTimeout/setInterval, a
 * lingering connection's server.close(), or the SIGTERM handler that never closes
 * the server. The probe says which kind of thing holds the process; the source
 * only says where it is written.
 */
export function hangLine(ctx: Pick<CheckContext, 'source' | 'server'>, shutdown: Pick<Shutdown, 'held' | 'exitCall' | 'closeCall'>): Location | null {
  const { held, exitCall, closeCall } = shutdown;
  const handler = ctx.source.find(/['"]SIGTERM['"]/);
  if (held && (held.listening || !closeCall)) return handler ?? ctx.server.listenAt;
  if (held && held.timers > 0 && held.connections === 0) return heldTimer(ctx.source, handler) ?? handler;
  if (held && held.connections > 0) return closeCall?.at ?? handler;
  return exitCall?.at ?? closeCall?.at ?? handler;
}
