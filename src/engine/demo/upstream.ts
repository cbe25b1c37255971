// The test server a client (or proxy) demo's program talks to: answers every
// request the same way (a response, a slow stream, a reset, or nothing listening
// at all), on 127.0.0.1, and records what it saw: headers, connections, how
// many requests were in flight at once, when the body began, whether the
// program hung up on it.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DemoUpstream } from './scenario.js';

export interface UpstreamExchange {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes the program sent; -1 when the request never ended (no req.end()). */
  bodyBytes: number;
  /** performance.now() of the first body byte; null when no body came. */
  firstBodyByteAt: number | null;
  answered: string;
  /** The program closed the connection before the response was finished. */
  abandoned: boolean;
  /** The response finished or was abandoned (false: still open when the demo ended). */
  settled: boolean;
}

export interface DemoUpstreamServer {
  origin: string;
  exchanges: UpstreamExchange[];
  connections: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startUpstream(behaviour: DemoUpstream): Promise<DemoUpstreamServer> {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  let inFlight = 0;
  const state = { exchanges: [] as UpstreamExchange[], connections: 0, maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const entry: UpstreamExchange = { method: req.method ?? '?', url: req.url ?? '/', headers: req.headers, bodyBytes: -1, firstBodyByteAt: null, answered: '', abandoned: false, settled: false };
    state.exchanges.push(entry);
    state.maxInFlight = Math.max(state.maxInFlight, ++inFlight);
    res.on('close', () => {
      inFlight--;
      entry.settled = true;
      entry.abandoned = !res.writableFinished;
      if (entry.abandoned) entry.answered += ' (the program hung up before the end)';
    });
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      entry.firstBodyByteAt ??= performance.now();
      bytes += chunk.length;
    });
    req.on('end', () => {
      entry.bodyBytes = bytes;
      if ('reset' in behaviour) {
        entry.answered = 'reset the connection';
        req.socket.destroy();
      } else if ('respond' in behaviour) {
        const { status, headers, body } = behaviour.respond;
        later(behaviour.delayMs ?? 0, () => {
          entry.answered = `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
          res.writeHead(status, headers);
          res.end(body ?? '');
        });
      } else if ('stream' in behaviour) {
        const { parts, everyMs } = behaviour.stream;
        entry.answered = `200, streaming ${parts.length} parts, one every ${everyMs} ms`;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        parts.forEach((part, index) => later(everyMs * (index + 1), () => (index === parts.length - 1 ? res.end(part) : res.write(part))));
      }
    });
  });
  server.on('connection', () => state.connections++);
  // Node's default keepAliveTimeout (5 s): a shorter one makes Node's client agent
  // refuse to reuse the socket (its Keep-Alive hint minus a 1 s safety margin),
  // which would hide no-keepalive. close() cuts every connection anyway.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const handle = {
    origin: `http://127.0.0.1:${port}`,
    get exchanges() {
      return state.exchanges;
    },
    get connections() {
      return state.connections;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close,
  };
  if ('closed' in behaviour) {
    // Nothing listens on this port any more: the program's request is refused (ECONNREFUSED).
    await close();
    return { ...handle, close: async () => {} };
  }
  return handle;
}
