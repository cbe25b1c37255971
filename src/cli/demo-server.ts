// A small server on 127.0.0.1 for `httpdojo run` of client and proxy lessons,
// so a learner's client has something real to talk to:
//   GET /items/<n>      "item <n>" after a short random delay (lesson 12)
//   GET /status/<code>  that status, with a short text body
//   POST, PUT, PATCH    201 with the JSON it received and an id (lesson 11)
//   anything else       200 text/plain, sent in pieces that split a multi-byte character (lesson 10)
// With `tls` (lessons 17 and 19) the same routes over TLS with the lesson's
// localhost certificate, as HTTP/2 and, for https.get, HTTP/1.1 (allowHTTP1):
// the compatibility API gives the handler the same req/res methods.

import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface DemoServer {
  origin: string;
  close(): Promise<void>;
}

export async function startDemoServer(options: { tls?: { key: string; cert: string } } = {}): Promise<DemoServer> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const item = /^\/items\/(\d+)$/.exec(url.pathname);
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Invalid JSON' }));
          return;
        }
        const body = JSON.stringify(typeof value === 'object' && value !== null && !Array.isArray(value) ? { id: 3, ...value } : { id: 3, value });
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
      });
      return;
    }
    if (item) {
      setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`item ${item[1]}`), Math.random() * 150);
      return;
    }
    if (status) {
      res.writeHead(Number(status[1]), { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${status[1]} ${http.STATUS_CODES[Number(status[1])] ?? ''}\n`);
      return;
    }
    const bytes = Buffer.from("Hello from httpdojo's demo server: Zoë 😀\n", 'utf8');
    const cut = bytes.indexOf(Buffer.from('ë')) + 1; // inside 'ë'
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.write(bytes.subarray(0, cut));
    setTimeout(() => res.end(bytes.subarray(cut)), 50);
  };
  const server = options.tls
    ? http2.createSecureServer({ ...options.tls, allowHTTP1: true }, handler as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void)
    : http.createServer(handler);
  // Open TLS sockets and HTTP/2 sessions, to end at close (a learner's session left open must not hold us).
  const sockets = new Set<import('node:net').Socket>();
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: import('node:net').Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    // The certificate names localhost (and 127.0.0.1): a TLS client gets the name it checks.
    origin: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        setTimeout(resolve, 1000).unref();
      }),
  };
}
