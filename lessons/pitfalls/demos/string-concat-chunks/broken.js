import http from 'node:http';

http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; }); // <-
  req.on('end', () => res.end(`Hello, ${body}\n`));
}).listen(3000);
