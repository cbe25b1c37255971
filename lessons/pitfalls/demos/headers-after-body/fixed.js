import http from 'node:http';

http.createServer((req, res) => {
  res.setHeader('Content-Type', 'application/json'); // <-
  res.write('{"ok":true}');
  res.end();
}).listen(3000);
