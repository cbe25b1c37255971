import http from 'node:http';

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let data;
    try { data = JSON.parse(Buffer.concat(chunks).toString()); } // <-
    catch { res.writeHead(400); return res.end('invalid JSON\n'); } // <-
    res.end(`Hello, ${data.name}\n`);
  });
}).listen(3000);
