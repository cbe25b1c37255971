import http from 'node:http';

http.createServer((req, res) => {
  req.once('data', (chunk) => { // <- the first piece only
    try { res.end(`Hello, ${JSON.parse(chunk).name}\n`); }
    catch { res.writeHead(400); res.end('Invalid JSON\n'); }
  });
}).listen(3000);
