import http from 'node:http';

// This handler runs once for every request, whatever its method or path.
const server = http.createServer((req, res) => {
  // TODO: answer with status 200 and the header `Content-Type: application/json`.
  //       res.writeHead(status, headers) sets both at once.

  // TODO: send the body {"message":"Hello"}. JSON.stringify turns an object into
  //       that text. Finish the response with res.end(body): until end() is called,
  //       the client keeps waiting.
  res.end('Not done yet');
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000 (try: curl -i http://localhost:3000/)');
});
