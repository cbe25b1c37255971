import http from 'node:http';

const server = http.createServer((req, res) => res.end('ok\n')); // <- Node 20's defaults: headersTimeout 60 s
server.listen(3000);
