// The test server a client demo's program talks to: answers every request the
// same way (a response, a reset, or nothing listening at all), on 127.0.0.1.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DemoUpstream } from './scenario.js';

export interface UpstreamExchange {
  method: string;
  url: string;
  /** Body bytes the program sent; -1 when the request never ended (no req.end()). */
  bodyBytes: number;
  answered: string;
}

export interface DemoUpstreamServer {
  origin: string;
  exchanges: UpstreamExchange[];
  close(): Promise<void>;
}

export async function startUpstream(behaviour: DemoUpstream): Promise<DemoUpstreamServer> {
  const exchanges: UpstreamExchange[] = [];
  const server = http.createServer((req, res) => {
    const entry: UpstreamExchange = { method: req.method ?? '?', url: req.url ?? '/', bodyBytes: -1, answered: '' };
    exchanges.push(entry);
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      entry.bodyBytes = bytes;
      if ('reset' in behaviour) {
        entry.answered = 'reset the connection';
        req.socket.destroy();
        return;
      }
      if ('respond' in behaviour) {
        const { status, headers, body } = behaviour.respond;
        entry.answered = `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
        res.writeHead(status, headers);
        res.end(body ?? '');
      }
    });
  });
  // A demo's connections are few and short; keep-alive would only delay close().
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  if ('closed' in behaviour) {
    // Nothing listens on this port any more: the program's request is refused (ECONNREFUSED).
    await close();
    return { origin: `http://127.0.0.1:${port}`, exchanges, close: async () => {} };
  }
  return { origin: `http://127.0.0.1:${port}`, exchanges, close };
}
