// pitfall: url-string-split
import http from 'node:http';

const server = http.createServer((req, res) => {
  const [path, queryString = ''] = (req.url ?? '/').split('?'); // BUG: splitting the raw target by hand decodes nothing

  const query: Record<string, string> = {};
  for (const pair of queryString.split('&')) {
    if (pair === '') continue;
    const [name, value = ''] = pair.split('='); // BUG: "a+b%20c" stays "a+b%20c": no + to space, no %-decoding
    query[name] = value;
  }

  const info = {
    method: req.method,
    path,
    query,
    userAgent: req.headers['user-agent'] ?? null,
  };

  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(info));
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
