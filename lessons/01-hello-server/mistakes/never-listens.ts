// pitfall: never-listens
import http from 'node:http';

const server = http.createServer((_req, res) => { // BUG: the server is created but server.listen(3000) is never called
  const body = JSON.stringify({ message: 'Hello' });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(body);
});

console.log('Server ready on http://localhost:3000');
