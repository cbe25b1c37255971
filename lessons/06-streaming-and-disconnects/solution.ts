import http from 'node:http';

function sendJson(res: http.ServerResponse, status: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

// GET /countdown?from=N: one line now, one line every 100 ms, each its own write.
function countdown(url: URL, res: http.ServerResponse): void {
  const raw = url.searchParams.get('from');
  const from = raw === null ? 3 : Number(raw);
  if (!Number.isInteger(from) || from < 1 || from > 10) {
    sendJson(res, 400, { error: 'Invalid from' });
    return;
  }

  // No Content-Length: we don't know the length yet, so Node uses chunked encoding
  // and every write goes out as its own chunk, right away.
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });

  let n = from;
  res.write(`${n}\n`);

  const timer = setInterval(() => {
    n -= 1;
    if (n === 0) {
      clearInterval(timer);
      res.end('liftoff\n');
      return; // without it, the write below would run after end()
    }
    res.write(`${n}\n`);
  }, 100);

  // 'close' fires when the response is done: finished normally, or because the
  // client went away. Either way, nobody is listening any more: stop the timer.
  res.on('close', () => clearInterval(timer));
}

// POST /upload: count the body's bytes, without keeping them.
async function upload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let bytes = 0;
  try {
    for await (const chunk of req) {
      bytes += (chunk as Buffer).length;
    }
  } catch {
    // The client aborted mid-upload: the loop rejects with ECONNRESET ("aborted").
    // There is nobody left to answer; just stop.
    return;
  }
  sendJson(res, 200, { bytes });
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
