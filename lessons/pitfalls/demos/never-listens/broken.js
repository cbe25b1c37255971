import http from 'node:http';

const server = http.createServer((req, res) => res.end('ok\n')); // <- created, never listening
console.log('listening on http://localhost:3000');
