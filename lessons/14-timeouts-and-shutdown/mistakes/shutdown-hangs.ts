// pitfall: shutdown-hangs
import http from 'node:http';

// Every timeout below guards the *receiving* side of a connection.
// Node checks headersTimeout and requestTimeout only once per
// connectionsCheckingInterval (30 s by default), so that interval must come down too.
const server = http.createServer(
  {
    headersTimeout: 2000, // the request's headers must be complete 2 s after it started
    requestTimeout: 5000, // the whole request (headers + body) within 5 s
    connectionsCheckingInterval: 250, // look for overdue connections four times a second
    keepAliveTimeout: 1000, // an idle keep-alive connection is closed after ~1 s (+1 s that Node adds)
  },
  handle,
);

let shuttingDown = false;

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  // A response finished after SIGTERM tells the client this connection is done,
  // so Node closes the socket right after it instead of keeping it alive.
  if (shuttingDown) res.setHeader('Connection', 'close');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');

  if (req.method === 'GET' && url.pathname === '/') {
    send(res, 200, 'text/plain; charset=utf-8', 'ok');
    return;
  }

  if (req.method === 'GET' && url.pathname === '/work') {
    const ms = Math.max(0, Math.min(Number(url.searchParams.get('ms')) || 0, 10_000));
    const timer = setTimeout(() => {
      send(res, 200, 'application/json', JSON.stringify({ done: true }));
    }, ms);
    // The client went away: no point finishing the work.
    res.on('close', () => clearTimeout(timer));
    return;
  }

  send(res, 404, 'application/json', JSON.stringify({ error: 'Not found' }));
}

process.on('SIGTERM', () => {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('SIGTERM: finishing requests in flight, then exiting');

  // 1. Stop accepting connections. The callback runs once every connection is gone.
  server.close(() => {
    console.log('all connections closed, bye');
    // Nothing else is left on the event loop, so the process now exits with code 0.
  });

  // 2. Close keep-alive connections that sit idle between requests.
  //    (Connections with a request in flight are left alone; `send` closes them.)
  server.closeIdleConnections();

  // 3. A safety net: if something still holds the process after 10 s, give up.
  setTimeout(() => { // BUG: without unref() this timer itself keeps the process alive for 10 s after everything else closed
    console.error('shutdown took too long, forcing exit');
    process.exit(1);
  }, 10_000);
});

server.listen(3000, () => {
  console.log('listening on http://localhost:3000');
});
