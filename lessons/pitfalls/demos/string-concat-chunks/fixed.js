import http from 'node:http';

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk)); // <-
  req.on('end', () => res.end(`Hello, ${Buffer.concat(chunks).toString('utf8')}\n`)); // <-
}).listen(3000);
