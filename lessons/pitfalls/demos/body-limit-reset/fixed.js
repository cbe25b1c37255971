import http from 'node:http';

const LIMIT = 1024;
http.createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= LIMIT) return;
    if (!res.headersSent) { res.writeHead(413); res.end('too large\n'); } // <-
    if (size > 16 * 1024 * 1024) req.socket.destroy(); // give up only on an endless sender // <-
  });
  req.on('end', () => { if (!res.headersSent) res.end('ok\n'); });
}).listen(3000);
