import http from 'node:http';

http.createServer((req, res) => {
  const text = 'Zoë says hi';
  res.writeHead(200, { 'Content-Length': text.length }); // <- 11 characters
  res.end(text); // 12 bytes
}).listen(3000);
