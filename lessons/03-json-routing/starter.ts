import http from 'node:http';

type User = { id: number; name: string };

const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];

// Sends `data` as JSON with the given status and any extra headers.
function sendJson(
  res: http.ServerResponse,
  status: number,
  data: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(data));
}

const server = http.createServer((req, res) => {
  // TODO: get the pathname with new URL(req.url, 'http://localhost'): req.url
  //       still carries the query string, which must not change the route.

  // TODO: GET /api/users -> 200 and the users array.
  // TODO: GET /api/users/:id -> 200 and that user; 404 {"error":"Not found"} if
  //       there is none (a non-numeric id included). A regular expression such as
  //       /^\/api\/users\/([^/]+)$/ picks the id out of the pathname.
  // TODO: any other method on those two paths -> 405 {"error":"Method not allowed"}
  //       with an `Allow: GET` header.
  // TODO: make sure every branch sends exactly one response.

  // Any other path:
  sendJson(res, 404, { error: 'Not found' });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000/api/users');
});
