import http from 'node:http';

http.createServer((req, res) => {
  const name = new URL(req.url, 'http://localhost').searchParams.get('name'); // <-
  res.end(`Hello, ${name}`);
}).listen(3000);
