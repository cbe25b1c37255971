// pitfall: host-header-url-base
import http from 'node:http';

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`); // BUG: an empty or malformed Host makes new URL() throw ERR_INVALID_URL

  const info = {
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    userAgent: req.headers['user-agent'] ?? null,
  };

  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(info));
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
