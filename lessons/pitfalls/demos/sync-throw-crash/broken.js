import http from 'node:http';

http.createServer((req, res) => {
  if (req.url === '/boom') throw new Error('boom'); // <- a bug in one route
  res.end('ok\n');
}).listen(3000);
