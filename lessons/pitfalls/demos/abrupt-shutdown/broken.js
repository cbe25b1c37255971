import http from 'node:http';

const server = http.createServer((req, res) => {
  setTimeout(() => res.end('report ready\n'), 800); // a slow request
});
server.listen(3000);
process.on('SIGTERM', () => process.exit(0)); // <-
