import http from 'node:http';

type User = { id: number; name: string };

// The "database": it lives as long as the process does.
const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];
// TODO: new users get the ids 3, 4, 5, ...: keep a counter here.

function sendJson(
  res: http.ServerResponse,
  status: number,
  data: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(data));
}

// Only digits make an id: Number('') is 0 and Number('0x2') is 2, so test first.
function findUser(idText: string): User | undefined {
  if (!/^\d+$/.test(idText)) return undefined;
  const id = Number(idText);
  return users.find((user) => user.id === id);
}

// TODO: write createUser(req, res) for POST /api/users.
//  - The body arrives in 'data' events, as Buffers, possibly many of them.
//    Collect them; answer only once 'end' has fired.
//  - Join the bytes (Buffer.concat) and decode once, never chunk by chunk.
//  - JSON.parse throws on bad input: catch it, answer 400 {"error":"Invalid JSON"}.
//  - Anything but an object with a non-empty string `name`: 400 {"error":"Invalid user"}.
//  - Otherwise store {id, name} and answer 201 with it.

const server = http.createServer((req, res) => {
  // Route on the pathname only: the query string never changes which route runs.
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const idMatch = /^\/api\/users\/([^/]+)$/.exec(pathname);

  if (pathname !== '/api/users' && !idMatch) {
    // Not one of our resources, whatever the method.
    sendJson(res, 404, { error: 'Not found' });
  } else if (req.method !== 'GET') {
    // TODO: POST on /api/users (not /api/users/:id) goes to createUser, and
    //       the Allow header of /api/users becomes "GET, POST".
    // The resource exists, but not for this method. RFC 9110 §15.5.6: a 405
    // must list the methods the resource does support in an Allow header.
    sendJson(res, 405, { error: 'Method not allowed' }, { Allow: 'GET' });
  } else if (!idMatch) {
    sendJson(res, 200, users);
  } else {
    const user = findUser(idMatch[1]);
    // Every branch answers: a missing else here would leave the client hanging.
    if (user) {
      sendJson(res, 200, user);
    } else {
      sendJson(res, 404, { error: 'Not found' });
    }
  }
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000/api/users');
});
