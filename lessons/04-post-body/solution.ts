import http from 'node:http';

type User = { id: number; name: string };

// The "database": it lives as long as the process does.
const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];
let nextId = 3;

function sendJson(res: http.ServerResponse, status: number, data: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

// POST /api/users: collect every chunk of the body, and only when 'end' fires
// decode, parse and answer.
function createUser(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
  });
  req.on('end', () => {
    // Join the raw bytes first, decode once: a character split between two
    // chunks is whole again here.
    const text = Buffer.concat(chunks).toString('utf8');

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
  });
}

const server = http.createServer((req, res) => {
  // A fixed base: the Host header is not ours to trust.
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');

  if (pathname === '/api/users') {
    if (req.method === 'GET') return sendJson(res, 200, users);
    if (req.method === 'POST') return createUser(req, res);
    return sendJson(res, 405, { error: 'Method not allowed' }, { Allow: 'GET, POST' });
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
