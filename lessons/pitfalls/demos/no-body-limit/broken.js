import http from 'node:http';

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk)); // <-
  req.on('end', () => res.end(`stored ${Buffer.concat(chunks).length} bytes\n`));
}).listen(3000);
