import fs from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';

// httpdojo passes the certs folder as the first argument (`httpdojo run` passes the
// workspace's certs/): localhost-key.pem and localhost-cert.pem are in it.
const certs = process.argv[2] ?? 'certs';

const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(certs, 'localhost-key.pem')),
  cert: fs.readFileSync(path.join(certs, 'localhost-cert.pem')),
  // TODO: HTTP/1.1 clients (no ALPN, or ALPN http/1.1) must be served too.
});

function sendJson(res: http2.Http2ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
  const url = new URL(req.url, 'https://localhost');

  if (req.method === 'GET' && url.pathname === '/') {
    // TODO: answer {"httpVersion": "2.0"} or {"httpVersion": "1.1"}: which protocol
    //       did this request come over?
  }

  // TODO: GET /slow?ms=N answers {"waited": N} after N ms (0 to 2000).
  // TODO: GET /events: 200, text/event-stream, no-cache; `data: 1\n\n` at once,
  //       `data: 2\n\n` 100 ms later, `data: 3\n\n` 100 ms after that, then the end.
  // Every one of them must survive a client that cancels, resets or disconnects.

  sendJson(res, 404, { error: 'Not found' });
});

server.listen(8443, () => {
  console.log('Listening on https://localhost:8443/');
});
