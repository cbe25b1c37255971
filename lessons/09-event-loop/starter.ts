import crypto from 'node:crypto';
import http from 'node:http';

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');

  if (url.pathname === '/health') {
    sendJson(res, 200, { ok: true });
    return;
  }

  if (url.pathname === '/slow') {
    const ms = Number(url.searchParams.get('ms') ?? '0');
    // TODO: answer 200 {"waited": ms} after `ms` milliseconds, without stopping
    //       the server from answering anybody else in the meantime.
  }

  if (url.pathname === '/hash') {
    const password = url.searchParams.get('password') ?? '';
    // TODO: 200 {"hash": "<hex>"}, the hex of
    //       pbkdf2(password, 'httpdojo', 1_000_000 iterations, 32 bytes, 'sha256').
    //       It takes about 200 ms of CPU: keep it off the event loop.
  }

  sendJson(res, 404, { error: 'Not found' });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
