// Clients that never finish their request headers (slowloris, lesson 14): how long
// the learner's server lets them hold a connection. Node allows 60 s for the
// headers by default and checks only every 30 s
// (https://nodejs.org/docs/latest-v20.x/api/http.html#serverheaderstimeout,
// #http_http_createserver_options_callback connectionsCheckingInterval), so an
// unbounded server holds on far past any bound a check waits for: each client is
// watched only until the bound plus a margin. Raw connections (ctx.http.connect()):
// a Node http client would never send an unfinished head.

import type { CheckContext } from '../check-api.js';

/**
 * `trickle` sends one more header line every `trickleMs` (an inactivity timeout
 * such as server.setTimeout() never fires for it); `silent` sends half its headers,
 * then nothing.
 */
export type SlowKind = 'trickle' | 'silent';

export interface SlowClient {
  kind: SlowKind;
  /** Milliseconds from connecting to a response head (a 408) or a close; null when neither came in time. */
  cutAtMs: number | null;
  status: number | null;
}

/** Poll step while watching the connection: the cut's time is known to within this. */
const POLL_MS = 10;

/**
 * Opens a connection whose request headers never end, and watches it until the
 * server answers (a 408) or closes it, or until `watchMs` have passed since it
 * connected. The connection is destroyed before this returns.
 */
export async function slowHeaderClient(ctx: Pick<CheckContext, 'http' | 'server' | 'signal' | 'sleep'>, kind: SlowKind, options: { watchMs: number; trickleMs: number }): Promise<SlowClient> {
  const connection = await ctx.http.connect();
  const connectedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - connectedAt);
  try {
    const start = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n`;
    await connection.write(kind === 'trickle' ? start : `${start}X-Slow: 1\r\n`);
    let nextLine = options.trickleMs;
    let line = 0;
    while (elapsed() < options.watchMs && !ctx.signal.aborted) {
      const head = connection.partialResponse;
      if (connection.closed || head) return { kind, cutAtMs: elapsed(), status: head?.status ?? null };
      if (kind === 'trickle' && elapsed() >= nextLine) {
        nextLine += options.trickleMs;
        await connection.write(`X-Slow-${++line}: 1\r\n`);
        continue;
      }
      await ctx.sleep(POLL_MS);
    }
    return { kind, cutAtMs: null, status: null };
  } finally {
    connection.destroy();
  }
}
