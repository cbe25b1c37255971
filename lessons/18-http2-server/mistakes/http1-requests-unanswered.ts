// pitfall: http1-requests-unanswered
import fs from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';

const certs = process.argv[2] ?? 'certs';

// allowHTTP1 lets HTTP/1.1 clients in...
const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(certs, 'localhost-key.pem')),
  cert: fs.readFileSync(path.join(certs, 'localhost-cert.pem')),
  allowHTTP1: true,
});

function sendJson(stream: http2.ServerHttp2Stream, status: number, value: unknown): void {
  if (stream.destroyed) return; // the client cancelled or left
  stream.respond({ ':status': status, 'content-type': 'application/json; charset=utf-8' });
  stream.end(JSON.stringify(value));
}

// ...but the core API's 'stream' event fires for HTTP/2 streams only.
server.on('stream', (stream, headers) => { // BUG: no 'request' listener: HTTP/1.1 requests are accepted and never answered
  stream.on('error', () => {}); // a client's reset must not crash the server
  const url = new URL(headers[':path'] ?? '/', 'https://localhost');
  if (url.pathname === '/') {
    sendJson(stream, 200, { httpVersion: '2.0' });
  } else if (url.pathname === '/slow') {
    const ms = Number(url.searchParams.get('ms'));
    const timer = setTimeout(() => sendJson(stream, 200, { waited: ms }), ms);
    stream.on('close', () => clearTimeout(timer));
  } else if (url.pathname === '/events') {
    stream.respond({ ':status': 200, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    stream.write('data: 1\n\n');
    const timers = [
      setTimeout(() => stream.write('data: 2\n\n'), 100),
      setTimeout(() => stream.end('data: 3\n\n'), 200),
    ];
    stream.on('close', () => timers.forEach(clearTimeout));
  } else {
    sendJson(stream, 404, { error: 'Not found' });
  }
});

server.listen(8443);
