import http from 'node:http';

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => { // <- the whole body
    try { res.end(`Hello, ${JSON.parse(Buffer.concat(chunks)).name}\n`); }
    catch { res.writeHead(400); res.end('Invalid JSON\n'); }
  });
}).listen(3000);
