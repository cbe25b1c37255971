import http from 'node:http';

http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`); // <-
  res.end(`path: ${url.pathname}\n`);
}).listen(3000);
