import http from 'node:http';

http.createServer((req, res) => {
  if (req.url === '/missing') {
    res.writeHead(404);
    res.end('not found\n'); // <- no return: the handler goes on
  }
  res.write('the page\n'); // <-
  res.end();
}).listen(3000);
