// pitfall: respond-before-body-end
import http from 'node:http';

type User = { id: number; name: string };

// The "database": it lives as long as the process does.
const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];
let nextId = 3;

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

// POST /api/users: collect the chunks of the body, then decode, parse and answer.
function createUser(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
  });

  const text = Buffer.concat(chunks).toString('utf8'); // BUG: runs at once, before any 'data' event: the body has not arrived yet

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    sendJson(res, 400, { error: 'Invalid JSON' });
    return;
  }

  // JSON.parse happily returns null, numbers, arrays... check the shape.
  const name = typeof data === 'object' && data !== null ? (data as { name?: unknown }).name : undefined;
  if (typeof name !== 'string' || name === '') {
    sendJson(res, 400, { error: 'Invalid user' });
    return;
  }

  const user: User = { id: nextId++, name };
  users.push(user);
  sendJson(res, 201, user);
}

const server = http.createServer((req, res) => {
  // Route on the pathname only: the query string never changes which route runs.
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const idMatch = /^\/api\/users\/([^/]+)$/.exec(pathname);

  if (pathname !== '/api/users' && !idMatch) {
    // Not one of our resources, whatever the method.
    sendJson(res, 404, { error: 'Not found' });
  } else if (!idMatch && req.method === 'POST') {
    // The body is still on its way: createUser answers once it has all of it.
    createUser(req, res);
  } else if (req.method !== 'GET') {
    // The resource exists, but not for this method. RFC 9110 §15.5.6: a 405
    // must list the methods the resource does support in an Allow header.
    sendJson(res, 405, { error: 'Method not allowed' }, { Allow: idMatch ? 'GET' : 'GET, POST' });
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
