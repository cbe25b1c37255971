// pitfall: missing-res-end
import http from 'node:http';

const server = http.createServer((_req, res) => {
  const body = JSON.stringify({ message: 'Hello' });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.write(body); // BUG: write() sends the headers and a chunk, but nothing ever calls res.end()
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
