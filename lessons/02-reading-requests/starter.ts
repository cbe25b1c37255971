import http from 'node:http';

const server = http.createServer((req, res) => {
  // TODO: parse the request target. req.url is only "/path?query", so
  //       new URL(req.url, base) needs a base: use a fixed one such as
  //       'http://localhost', never one built from the Host header.

  const info = {
    method: req.method,
    path: req.url, // TODO: the path without the query string: url.pathname
    query: {}, // TODO: every query parameter, decoded: url.searchParams (Object.fromEntries helps)
    userAgent: null, // TODO: the User-Agent header (names are lowercase in req.headers), or null
  };

  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(info));
});

server.listen(3000, () => {
  console.log("Listening on http://localhost:3000 (try: curl 'http://localhost:3000/search?q=a+b')");
});
