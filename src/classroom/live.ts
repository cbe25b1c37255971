// The boards' live stream (Server-Sent Events): each open board gets the room's
// view on connect, then again after events, coalesced: a burst of posts costs
// one frame per `pushMs`, built once and written to every board
// (https://html.spec.whatwg.org/multipage/server-sent-events.html).

import type http from 'node:http';
import { SECURITY_HEADERS } from './http-util.js';

/** A board that has this much unsent is not reading: it is dropped, and its page reconnects. */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** Times on the board (stuck for N minutes) move on even when nobody posts. */
const TICK_MS = 10_000;

export class LiveStreams {
  private readonly streams = new Set<http.ServerResponse>();
  private pushTimer: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;
  private closed = false;

  /** `frame` renders the room's view as one SSE event. */
  constructor(
    private readonly frame: () => string,
    private readonly pushMs: number,
  ) {
    this.tick = setInterval(() => this.push(), TICK_MS);
    this.tick.unref();
  }

  open(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    // A stream is a long response: the socket's idle timeout must not cut it.
    req.socket.setTimeout(0);
    res.write(`retry: 2000\n\n${this.frame()}`);
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  /** Something changed: a frame goes out within pushMs, one for all the changes until then. */
  changed(): void {
    if (this.closed) return;
    this.pushTimer ??= setTimeout(() => {
      this.pushTimer = undefined;
      this.push();
    }, this.pushMs);
  }

  private push(): void {
    if (this.streams.size === 0) return;
    const data = this.frame();
    for (const res of this.streams) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(data);
    }
  }

  /** Ends every stream (the board is closing) and stops the timers. */
  close(): void {
    this.closed = true;
    clearInterval(this.tick);
    clearTimeout(this.pushTimer);
    // A stream's connection would otherwise sit idle until keepAliveTimeout once its response ends.
    for (const res of this.streams) res.end(() => res.socket?.destroy());
  }
}
