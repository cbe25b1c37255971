import http from 'node:http';

const server = http.createServer((req, res) => res.end('ok\n'));
server.listen(3000);
const stats = setInterval(() => {}, 1000); // a metrics timer
process.on('SIGTERM', () => {
  server.close(); // <- the interval still holds the process open
});
