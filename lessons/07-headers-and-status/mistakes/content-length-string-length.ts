// pitfall: content-length-string-length
import http from 'node:http';

// Sends a whole JSON document in one go, with its length announced up front.
function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length }); // BUG: body.length counts UTF-16 units, not bytes: too small for 'Zoë'
  res.end(body); // for a HEAD request Node sends the head and drops this body
}

// One line of the report. Producing a line can fail (here: when ?fail=1 asks it to),
// and we only find out by running it.
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
    // Build every line BEFORE writing anything: once the first byte of body is
    // written, the status line and headers are already on the wire.
    const fail = url.searchParams.get('fail') === '1';
    let lines: string[];
    try {
      lines = [1, 2, 3].map((n) => reportLine(n, fail));
    } catch {
      sendJson(res, 500, { error: 'Report failed' });
      return;
    }

    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Report-Id': req.headers['x-request-id'] ?? 'none',
    });
    for (const line of lines) res.write(line); // no Content-Length: Node sends it chunked
    res.end();
    return;
  }

  // /greeting: one body, so we can (and do) announce its exact size up front.
  const name = url.searchParams.get('name') ?? 'stranger';
  sendJson(res, 200, { greeting: `Hello, ${name}!` });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
