// pitfall: missing-allow-header
import http from 'node:http';

type User = { id: number; name: string };

// The "database": it lives as long as the process does.
const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];

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

const server = http.createServer((req, res) => {
  // Route on the pathname only: the query string never changes which route runs.
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const idMatch = /^\/api\/users\/([^/]+)$/.exec(pathname);

  if (pathname !== '/api/users' && !idMatch) {
    // Not one of our resources, whatever the method.
    sendJson(res, 404, { error: 'Not found' });
  } else if (req.method !== 'GET') {
    // The resource exists, but not for this method.
    sendJson(res, 405, { error: 'Method not allowed' }); // BUG: a 405 must carry an Allow header (Allow: GET)
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
