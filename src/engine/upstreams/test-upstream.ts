// A test server for client and proxy lessons: it records what arrives (method,
// path, headers, body and when each part came), counts connections and requests
// in flight, and lets the check's handler decide how to answer.

import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Upstream, UpstreamHandler, UpstreamRequest } from '../check-api.js';

/**
 * `tls` makes it an HTTPS server presenting `cert` (ctx.tls.servers, lesson 17);
 * `onServer` sees the tls.Server before it listens (handshake events). Without
 * `tls` it is the plain HTTP server it always was.
 */
export interface UpstreamOptions {
  tls?: { key: string; cert: string; onServer?: (server: https.Server) => void };
}

export async function startUpstream(handler: UpstreamHandler, options: UpstreamOptions = {}): Promise<Upstream> {
  const started = performance.now();
  const now = () => Math.round(performance.now() - started);
  const received: UpstreamRequest[] = [];
  const sockets = new Set<net.Socket>();
  let inFlight = 0;
  const upstream: Upstream = {
    port: 0,
    origin: '',
    received,
    connections: 0,
    maxInFlight: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        // close() waits for connections; they were destroyed above, but stay bounded.
        setTimeout(resolve, 1000).unref();
      }),
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const record: UpstreamRequest = {
      method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0),
      headAtMs: now(), firstBodyAtMs: null, endAtMs: null, aborted: false, remotePort: req.socket.remotePort ?? 0,
    };
    received.push(record);
    inFlight++;
    upstream.maxInFlight = Math.max(upstream.maxInFlight, inFlight);
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      record.firstBodyAtMs ??= now();
      parts.push(chunk);
      record.body = Buffer.concat(parts);
    });
    req.on('end', () => {
      record.endAtMs = now();
    });
    req.on('error', () => {});
    res.on('error', () => {});
    recordWrites(res, record, now);
    res.on('close', () => {
      inFlight--;
      if (!res.writableFinished) record.aborted = true;
    });
    Promise.resolve()
      .then(() => handler(req, res, record))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  };
  const { tls } = options;
  const server = tls ? https.createServer({ keepAliveTimeout: 5000, key: tls.key, cert: tls.cert }, onRequest) : http.createServer({ keepAliveTimeout: 5000 }, onRequest);
  tls?.onServer?.(server as https.Server);
  // A tls.Server emits 'connection' with the TCP socket before the handshake: counted and destroyed on close alike.
  server.on('connection', (socket) => {
    upstream.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  upstream.port = address.port;
  upstream.origin = `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  return upstream;
}

/** When the handler wrote each piece of its response: the upstream lane of the timeline (lesson 13). */
function recordWrites(res: http.ServerResponse, record: UpstreamRequest, now: () => number): void {
  const sent: NonNullable<UpstreamRequest['sent']> = (record.sent = []);
  const size = (chunk: unknown) => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.byteLength : 0);
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  // Bounded: a response of thousands of writes keeps the first 200.
  res.write = ((...args: unknown[]) => {
    if (sent.length < 200) sent.push({ atMs: now(), bytes: size(args[0]), fn: 'write' });
    return write(...args);
  }) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    if (sent.length < 200 && typeof args[0] !== 'function') sent.push({ atMs: now(), bytes: size(args[0]), fn: 'end' });
    return end(...args);
  }) as typeof res.end;
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
