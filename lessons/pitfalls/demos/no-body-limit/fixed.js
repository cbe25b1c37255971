import http from 'node:http';

const LIMIT = 1024 * 1024;
http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > LIMIT) { // <-
      if (!res.headersSent) { res.writeHead(413, { Connection: 'close' }); res.end('too large\n'); } // <-
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => { if (!res.headersSent) res.end(`stored ${size} bytes\n`); });
}).listen(3000);
