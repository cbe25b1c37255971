import http from 'node:http';

// Lesson 03's API, complete. This lesson adds POST /api/users.

type User = { id: number; name: string };

// The "database": it lives as long as the process does.
const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];
// TODO: new users get the ids 3, 4, 5, ... keep a counter here.

function sendJson(res: http.ServerResponse, status: number, data: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

// TODO: write createUser(req, res) for POST /api/users.
//  - The body arrives in 'data' events, as Buffers, possibly many of them.
//    Collect them; answer only once 'end' has fired.
//  - Decode the bytes once, after joining them (Buffer.concat), never chunk by chunk.
//  - JSON.parse throws on bad input: catch it and answer 400 {"error":"Invalid JSON"}.
//  - Anything but an object with a non-empty string `name`: 400 {"error":"Invalid user"}.
//  - Otherwise store {id, name} and answer 201 with it.

const server = http.createServer((req, res) => {
  // A fixed base: the Host header is not ours to trust.
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');

  if (pathname === '/api/users') {
    if (req.method === 'GET') return sendJson(res, 200, users);
    // TODO: POST creates a user (call createUser), and Allow becomes "GET, POST".
    return sendJson(res, 405, { error: 'Method not allowed' }, { Allow: 'GET' });
  }

  const match = /^\/api\/users\/([^/]+)$/.exec(pathname);
  if (match) {
    if (req.method !== 'GET') {
      return sendJson(res, 405, { error: 'Method not allowed' }, { Allow: 'GET' });
    }
    const id = /^\d+$/.test(match[1]) ? Number(match[1]) : NaN;
    const user = users.find((u) => u.id === id);
    if (!user) return sendJson(res, 404, { error: 'Not found' });
    return sendJson(res, 200, user);
  }

  sendJson(res, 404, { error: 'Not found' });
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
