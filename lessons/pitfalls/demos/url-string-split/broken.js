import http from 'node:http';

http.createServer((req, res) => {
  const name = req.url.split('?')[1].split('=')[1]; // <-
  res.end(`Hello, ${name}`);
}).listen(3000);
