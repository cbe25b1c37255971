// pitfall: headers-after-body
import http from 'node:http';

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function reportLine(n: number, fail: boolean): string {
  if (fail && n === 2) throw new Error('Report failed');
  return `line ${n}\n`;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');

  if (url.pathname !== '/report' && url.pathname !== '/greeting') {
    sendJson(res, 404, { error: 'Not found' });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendJson(res, 405, { error: 'Method not allowed' });
    return;
  }

  if (url.pathname === '/report') {
    const fail = url.searchParams.get('fail') === '1';
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Report-Id': req.headers['x-request-id'] ?? 'none',
    });
    // Stream each line as soon as it is ready...
    for (let n = 1; n <= 3; n++) {
      try {
        res.write(reportLine(n, fail));
      } catch {
        // ...and switch to an error response if a line fails.
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' }); // BUG: 'line 1' already went out under a 200: too late for a status, throws ERR_HTTP_HEADERS_SENT
        res.end(JSON.stringify({ error: 'Report failed' }));
        return;
      }
    }
    res.end();
    return;
  }

  const name = url.searchParams.get('name') ?? 'stranger';
  sendJson(res, 200, { greeting: `Hello, ${name}!` });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
