import http from 'node:http';

function sendJson(res: http.ServerResponse, status: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

// GET /countdown?from=N (1 to 10, default 3)
function countdown(url: URL, res: http.ServerResponse): void {
  const raw = url.searchParams.get('from');
  const from = raw === null ? 3 : Number(raw);
  if (!Number.isInteger(from) || from < 1 || from > 10) {
    sendJson(res, 400, { error: 'Invalid from' });
    return;
  }

  // TODO: stream the countdown.
  //  - writeHead 200 with Content-Type text/plain; charset=utf-8 (and no Content-Length).
  //  - write `${from}\n` now, then every 100 ms the next number down to 1,
  //    then end with 'liftoff\n'. One res.write() per line, when it is due.
  //  - After res.end(), nothing may be written: return right after ending.
  //  - Listen for the response's 'close' event and stop the timer there: the
  //    client may leave before liftoff.
  res.writeHead(501, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`TODO: count down from ${from}\n`);
}

// POST /upload
async function upload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  // TODO: count the bytes of the body (a Buffer's .length), then answer
  // 200 {"bytes": <count>}. A client may abort mid-upload: with `for await`,
  // the loop then throws, so wrap it in try/catch (with req.on('data') no
  // error is thrown, but 'end' never comes).
  req.resume();
  sendJson(res, 501, { error: 'Not implemented' });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');

  if (url.pathname === '/countdown' && req.method === 'GET') {
    countdown(url, res);
    return;
  }
  if (url.pathname === '/upload' && req.method === 'POST') {
    void upload(req, res);
    return;
  }
  sendJson(res, 404, { error: 'Not found' });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
