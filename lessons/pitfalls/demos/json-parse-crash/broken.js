import http from 'node:http';

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const data = JSON.parse(Buffer.concat(chunks).toString()); // <-
    res.end(`Hello, ${data.name}\n`);
  });
}).listen(3000);
