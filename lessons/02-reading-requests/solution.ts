import http from 'node:http';

// req.url is only the request target ("/path?query"), so new URL() needs a base.
// The base is fixed on purpose: the Host header is chosen by the client, and an
// empty or malformed one would make new URL() throw and crash the process.
const BASE = 'http://localhost';

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', BASE);

  const info = {
    method: req.method,
    // Path without the query string; percent-escapes stay as sent ("/caf%C3%A9").
    path: url.pathname,
    // URLSearchParams decodes names and values: "a+b%20c" becomes "a b c".
    query: Object.fromEntries(url.searchParams),
    // Header names are lowercase in req.headers. A missing header is undefined,
    // which JSON.stringify would silently drop, so turn it into null.
    userAgent: req.headers['user-agent'] ?? null,
  };

  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(info));
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
