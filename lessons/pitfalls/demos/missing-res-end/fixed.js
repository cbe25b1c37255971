import http from 'node:http';

http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('hello\n'); // <-
}).listen(3000);
