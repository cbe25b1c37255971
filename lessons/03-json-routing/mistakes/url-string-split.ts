// pitfall: url-string-split
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
  // '/api/users' -> ['', 'api', 'users'], '/api/users/2' -> ['', 'api', 'users', '2']
  const parts = (req.url ?? '/').split('/'); // BUG: splits the raw target, so a query sticks to the last part: "2?format=json"
  const isList = parts.length === 3 && parts[1] === 'api' && parts[2] === 'users';
  const id = parts.length === 4 && parts[1] === 'api' && parts[2] === 'users' ? parts[3] : null;

  if (!isList && id === null) {
    // Not one of our resources, whatever the method.
    sendJson(res, 404, { error: 'Not found' });
  } else if (req.method !== 'GET') {
    // The resource exists, but not for this method. RFC 9110 §15.5.6: a 405
    // must list the methods the resource does support in an Allow header.
    sendJson(res, 405, { error: 'Method not allowed' }, { Allow: 'GET' });
  } else if (id === null) {
    sendJson(res, 200, users);
  } else {
    const user = findUser(id);
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
