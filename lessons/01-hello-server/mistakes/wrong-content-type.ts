// pitfall: wrong-content-type
import http from 'node:http';

const server = http.createServer((_req, res) => {
  const body = JSON.stringify({ message: 'Hello' });
  res.writeHead(200, { 'Content-Type': 'text/plain' }); // BUG: the body is JSON, so the type must be application/json
  res.end(body);
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
