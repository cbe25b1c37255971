import http from 'node:http';

const server = http.createServer((req, res) => res.end('ok\n'));
server.listen(3000, () => console.log('listening on http://localhost:3000')); // <-
