import http from 'node:http';

http.createServer((req, res) => {
  if (req.url === '/missing') {
    res.writeHead(404);
    return res.end('not found\n'); // <-
  }
  res.write('the page\n');
  res.end();
}).listen(3000);
