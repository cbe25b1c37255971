import http from 'node:http';

const LIMIT = 1024;
http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > LIMIT) {
      req.destroy(); // <-
      res.writeHead(413);
      res.end('too large\n');
    }
  });
  req.on('end', () => { if (!res.headersSent) res.end('ok\n'); });
}).listen(3000);
