import http from 'node:http';

http.createServer((req, res) => {
  if (req.method !== 'GET') {
    res.writeHead(405); // <-
    return res.end('method not allowed\n');
  }
  res.end('items\n');
}).listen(3000);
