import http from 'node:http';

const LIMIT = 1024;
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (body.length > LIMIT) { res.writeHead(413); return res.end('too large\n'); } // <-
    res.end('ok\n');
  });
}).listen(3000);
