// Is the learner's event loop blocked? (lesson 09, and any lesson whose timing
// bounds a blocking handler would miss.) A missed timing bound alone proves
// nothing on a loaded machine; the probe's evidence does: a *Sync call timed
// inside a request handler, a handler that ran long before returning, heartbeats
// that arrived late, the line its watcher caught spinning. These helpers turn that
// evidence into a diagnosis and its line, with the bounds the lesson measured.
// Why a blocked loop stalls everything: Node runs every callback on one thread
// (https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop).

import type { CheckContext } from '../check-api.js';
import type { HttpResponse } from '../clients/http-client.js';
import type { Location } from '../probe-events.js';

type Ctx = Pick<CheckContext, 'http' | 'server' | 'source' | 'fail' | 'note' | 'sleep'>;

/** What the probe must see to call a missed bound a blocked loop rather than a busy machine. */
export interface BlockBounds {
  /** A *Sync call inside a request handler at least this long. */
  syncMs: number;
  /** A handler that ran this long before returning. */
  handlerMs: number;
  /** Heartbeats this late (a busy loop after an await, where no handler is timed). */
  lagMs: number;
}

/** A GET and how long it took. */
export interface Timed {
  res: HttpResponse;
  /** From just before the request was sent to its complete response. */
  ms: number;
  /** How long after `origin` (a performance.now() value) this request was sent. */
  startedAfter: (origin: number) => number;
}

export async function timedGet(ctx: Pick<CheckContext, 'http'>, target: string, timeoutMs: number): Promise<Timed> {
  const began = performance.now();
  const res = await ctx.http.request('GET', target, { timeoutMs });
  const ms = performance.now() - began;
  return { res, ms, startedAfter: (origin) => began - origin };
}

/** The promise's outcome, never a rejection (a request judged later must not end httpdojo when it fails first). */
export function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([promise]).then(([result]) => result);
}

/** A *Sync call of `syncMs` or more inside a request handler during this check: the probe measured the loop held. */
export function syncBlocked(ctx: Pick<CheckContext, 'server'>, syncMs: number): boolean {
  return ctx.server.eventsOf('sync-call').some((call) => call.inRequest !== null && (call.durationMs ?? 0) >= syncMs);
}

/**
 * A timing bound was missed, or the probe saw a handler block. With evidence that
 * the loop was blocked, fails with blocking-event-loop at the blocking call (or
 * busy loop). Without it the loop was free and the machine was busy: on the first
 * attempt it returns (the caller measures again); on the second it fails `timeout`.
 */
export async function judgeBlocked(ctx: Ctx, sent: string, route: string, attempt: number, bounds: BlockBounds): Promise<void> {
  // The last heartbeat after a long block arrives just after it ends.
  await ctx.sleep(50);
  const block = blockingEvidence(ctx, route, bounds);
  if (block) ctx.fail('blocking-event-loop', `${sent} ${block.text}`, block.at);
  if (attempt < 2) {
    ctx.note('the event loop was never blocked: measuring once more (a busy machine, not the server?)');
    return;
  }
  ctx.fail('timeout', `${sent} This happened twice, yet the probe saw no blocked event loop (no synchronous call, handler or heartbeat delay long enough), so something else held the answers back.`, await answerLine(ctx, route));
}

/** The learner's last call on the response to `target` (once the probe reported one finished), else where it listens. */
export async function answerLine(ctx: Pick<CheckContext, 'server'>, target: string): Promise<Location | null> {
  await ctx.server.waitFor('res-finish', { timeoutMs: 200 });
  return ctx.server.request({ url: target })?.lastCallAt ?? ctx.server.listenAt;
}

/** How long, and where, the probe saw the event loop held during this check; null when never beyond `bounds`. */
export function blockingEvidence(ctx: Pick<CheckContext, 'server' | 'source'>, route: string, bounds: BlockBounds): { text: string; at: Location | null } | null {
  const lag = Math.max(0, ...ctx.server.eventsOf('tick').map((tick) => tick.lagMs));
  // durationMs: how long the call took (`ms` on every event is its timestamp).
  const syncCalls = ctx.server.eventsOf('sync-call')
    .filter((call) => call.inRequest !== null && call.durationMs !== undefined && call.durationMs >= 20)
    .map((call) => ({ fn: call.fn, at: call.at, ms: call.durationMs ?? 0 }));
  const handlers = ctx.server.eventsOf('handler-sync');
  const longestSync = Math.max(0, ...syncCalls.map((call) => call.ms));
  const longestHandler = Math.max(0, ...handlers.map((handler) => handler.handlerMs));
  if (longestSync < bounds.syncMs && longestHandler < bounds.handlerMs && lag < bounds.lagMs) return null;
  const loop = lag >= bounds.handlerMs ? ` The event loop was blocked for up to ${lag} ms at a time.` : '';

  if (longestSync >= bounds.syncMs) {
    // The *Sync function that took longest in request handlers, and how often it ran.
    const byFn = new Map<string, typeof syncCalls>();
    for (const call of syncCalls) byFn.set(call.fn, [...(byFn.get(call.fn) ?? []), call]);
    const [fn, calls] = [...byFn.entries()].sort((a, b) => total(b[1]) - total(a[1]))[0];
    const average = Math.round(total(calls) / calls.length);
    const longest = calls.reduce((a, b) => (b.ms > a.ms ? b : a));
    return {
      text: `${fn}() ran ${calls.length === 1 ? 'once' : `${calls.length} times`} inside your request handlers, ${average} ms each${calls.length > 1 ? ` (longest ${longest.ms} ms)` : ''}: while it runs, no other request, timer or response is served.${loop}`,
      at: longest.at,
    };
  }

  // No *Sync call: a busy-wait or a long computation in JavaScript.
  const requests = ctx.server.requests();
  const long = handlers.filter((handler) => handler.handlerMs >= bounds.handlerMs);
  const worst = long.length ? long.reduce((a, b) => (b.handlerMs > a.handlerMs ? b : a)) : null;
  const record = worst ? requests.find((r) => r.id === worst.id) : requests.find((r) => r.url.startsWith(route));
  const where = record ? `Your handler for ${record.method} ${record.url}` : 'Your server';
  const text = worst
    ? `${where} kept the event loop busy for ${worst.handlerMs} ms before returning${long.length > 1 ? ` (${long.length} requests did so)` : ''}: nothing else is served while a handler runs, so the requests were answered one after another.${loop}`
    : `The event loop was blocked for up to ${lag} ms at a time while ${where.charAt(0).toLowerCase() + where.slice(1)} worked: nothing else is served until it yields.`;
  const busyLoop = ctx.source.find(/\b(?:while|for)\s*\([^)\n]*(?:Date\.now|performance\.now|hrtime|new Date)/) ?? ctx.source.find(/\bwhile\s*\(\s*(?:true|1)\s*\)|\bfor\s*\(\s*;\s*;\s*\)/);
  // The line the probe's watcher caught spinning (a loop blocked for 300 ms or more), else a
  // busy-wait in the source, else the handler itself.
  const spinning = ctx.server.eventsOf('blocked-at').filter((event) => event.at.file === ctx.server.file).pop()?.at;
  return { text, at: spinning ?? busyLoop ?? ctx.source.find(/createServer\s*\(/) ?? ctx.server.listenAt };
}

function total(calls: Array<{ ms: number }>): number {
  return calls.reduce((sum, call) => sum + call.ms, 0);
}
