// pitfall: h2-stream-error-crash
import fs from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';

const certs = process.argv[2] ?? 'certs';

const server = http2.createSecureServer({
  key: fs.readFileSync(path.join(certs, 'localhost-key.pem')),
  cert: fs.readFileSync(path.join(certs, 'localhost-cert.pem')),
  allowHTTP1: true,
});

type Json = (status: number, value: unknown) => void;

function slowThenJson(json: Json, ms: number): void {
  setTimeout(() => json(200, { waited: ms }), ms); // BUG: no check that the client is still there: respond() throws on a cancelled stream
}

// HTTP/2 through the core API.
server.on('stream', (stream, headers) => {
  const json: Json = (status, value) => {
    stream.respond({ ':status': status, 'content-type': 'application/json' });
    stream.end(JSON.stringify(value));
  };
  const url = new URL(headers[':path'] ?? '/', 'https://localhost');
  if (url.pathname === '/') {
    json(200, { httpVersion: '2.0' });
  } else if (url.pathname === '/slow') {
    slowThenJson(json, Number(url.searchParams.get('ms')));
  } else if (url.pathname === '/events') {
    stream.respond({ ':status': 200, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    stream.write('data: 1\n\n');
    setTimeout(() => stream.write('data: 2\n\n'), 100);
    setTimeout(() => stream.end('data: 3\n\n'), 200);
  } else {
    json(404, { error: 'Not found' });
  }
});

// HTTP/1.1 through 'request', which also fires for each HTTP/2 stream: leave those alone.
server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
  if (req.httpVersion === '2.0') return;
  const url = new URL(req.url, 'https://localhost');
  const json: Json = (status, value) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  if (url.pathname === '/') {
    json(200, { httpVersion: req.httpVersion });
  } else if (url.pathname === '/slow') {
    slowThenJson(json, Number(url.searchParams.get('ms')));
  } else if (url.pathname === '/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write('data: 1\n\n');
    setTimeout(() => res.write('data: 2\n\n'), 100);
    setTimeout(() => res.end('data: 3\n\n'), 200);
  } else {
    json(404, { error: 'Not found' });
  }
});

server.listen(8443);
