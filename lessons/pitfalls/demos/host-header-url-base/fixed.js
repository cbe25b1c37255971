import http from 'node:http';

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost'); // <- a fixed base: only the path matters
  res.end(`path: ${url.pathname}\n`);
}).listen(3000);
