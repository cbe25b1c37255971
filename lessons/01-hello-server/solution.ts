import http from 'node:http';

// The handler runs once for every request. This server gives the same answer
// whatever the method or path, so it never needs to look at the request.
const server = http.createServer((_req, res) => {
  const body = JSON.stringify({ message: 'Hello' });

  // Status line and headers. The Content-Type tells the client the body is JSON.
  res.writeHead(200, { 'Content-Type': 'application/json' });

  // end() sends the body and marks the response complete. Node never does this
  // for you: without it the client waits forever, and a keep-alive connection
  // cannot carry the next request.
  res.end(body);
});

// listen() opens the port. The listening server keeps the process running.
server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
