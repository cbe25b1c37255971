import http from 'node:http';

// TODO 1: pass options to createServer so that
//         - a client whose headers are not complete after 2 s is cut off
//           (headersTimeout, requestTimeout), and Node actually checks for that
//           more often than every 30 s (connectionsCheckingInterval);
//         - an idle keep-alive connection is closed quickly (keepAliveTimeout).
const server = http.createServer(handle);

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
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
    res.on('close', () => clearTimeout(timer));
    return;
  }

  send(res, 404, 'application/json', JSON.stringify({ error: 'Not found' }));
}

// TODO 2: on SIGTERM
//         - stop accepting connections (server.close());
//         - let requests in flight finish, and make their connections close
//           afterwards instead of staying alive;
//         - close idle keep-alive connections (server.closeIdleConnections());
//         - exit with code 0 once everything is closed, within 4 s
//           (a safety timer is fine, but unref() it).

server.listen(3000, () => {
  console.log('listening on http://localhost:3000');
});
