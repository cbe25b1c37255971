import http from 'node:http';

http.createServer((req, res) => {
  const text = 'Zoë says hi';
  res.writeHead(200, { 'Content-Length': Buffer.byteLength(text) }); // <- 12 bytes
  res.end(text);
}).listen(3000);
