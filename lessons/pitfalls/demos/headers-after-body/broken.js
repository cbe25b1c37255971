import http from 'node:http';

http.createServer((req, res) => {
  res.write('{"ok":true}');
  res.setHeader('Content-Type', 'application/json'); // <-
  res.end();
}).listen(3000);
