// pitfall: buffered-response
import fs from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';

// httpdojo passes the certs folder as the first argument (`httpdojo run` passes the
// workspace's certs/). Read the files: key and cert want the PEM text, not a path.
const certs = process.argv[2] ?? 'certs';

// One TLS server for both protocols. ALPN picks the protocol during the handshake:
// `h2` goes to the HTTP/2 code, and allowHTTP1 hands everything else (no ALPN, or
// `http/1.1`) to Node's HTTP/1.1 server, with the same 'request' event.
const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(certs, 'localhost-key.pem')),
  cert: fs.readFileSync(path.join(certs, 'localhost-cert.pem')),
  allowHTTP1: true,
});

// The compatibility API: req and res look like node:http's, for both protocols.
type Req = http2.Http2ServerRequest;
type Res = http2.Http2ServerResponse;

function sendJson(res: Res, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function slow(res: Res, ms: number): void {
  // A client that cancels its stream (or drops the connection) closes res: stop the
  // timer so that nothing is sent on a stream that is gone.
  const timer = setTimeout(() => sendJson(res, 200, { waited: ms }), ms);
  res.on('close', () => clearTimeout(timer));
}

function events(res: Res): void {
  // No Connection or Keep-Alive header: those are HTTP/1-only and HTTP/2 forbids them.
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  // Collect the events, send them when the last one is ready.
  let text = 'data: 1\n\n';
  const timers = [
    setTimeout(() => { text += 'data: 2\n\n'; }, 100),
    setTimeout(() => res.end(text + 'data: 3\n\n'), 200), // BUG: the three events leave together at 200 ms
  ];
  res.on('close', () => timers.forEach(clearTimeout));
}

server.on('request', (req: Req, res: Res) => {
  const url = new URL(req.url, 'https://localhost');
  if (req.method === 'GET' && url.pathname === '/') {
    sendJson(res, 200, { httpVersion: req.httpVersion }); // '2.0' or '1.1'
  } else if (req.method === 'GET' && url.pathname === '/slow') {
    const ms = Number(url.searchParams.get('ms'));
    if (!Number.isInteger(ms) || ms < 0 || ms > 2000) sendJson(res, 400, { error: 'ms must be 0 to 2000' });
    else slow(res, ms);
  } else if (req.method === 'GET' && url.pathname === '/events') {
    events(res);
  } else {
    sendJson(res, 404, { error: 'Not found' });
  }
});

server.listen(8443, () => {
  console.log('Listening on https://localhost:8443/ (HTTP/2 and HTTP/1.1)');
});
