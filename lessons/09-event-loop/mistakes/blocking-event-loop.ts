// pitfall: blocking-event-loop
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
    if (!Number.isFinite(ms) || ms < 0 || ms > 5000) {
      sendJson(res, 400, { error: 'ms must be a number from 0 to 5000' });
      return;
    }
    // Waiting is not work: schedule the answer and return at once. The event loop
    // serves other requests in the meantime.
    const timer = setTimeout(() => sendJson(res, 200, { waited: ms }), ms);
    res.on('close', () => clearTimeout(timer)); // the client left: nobody to answer
    return;
  }

  if (url.pathname === '/hash') {
    const password = url.searchParams.get('password');
    if (password === null) {
      sendJson(res, 400, { error: 'password is required' });
      return;
    }
    const key = crypto.pbkdf2Sync(password, 'httpdojo', 1_000_000, 32, 'sha256'); // BUG: ~200 ms of CPU on the event loop's own thread: every other request waits until it is done
    sendJson(res, 200, { hash: key.toString('hex') });
    return;
  }

  sendJson(res, 404, { error: 'Not found' });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
