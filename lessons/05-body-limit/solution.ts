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

// Bodies larger than this are refused. Counted in bytes, as they arrive on the wire.
const MAX_BODY_BYTES = 1024 * 1024; // 1 MiB = 1,048,576 bytes

// After a 413 the client may still be sending. Keep reading (and throwing away)
// what it sends for a while, so that the 413 can reach it; then hang up. The byte
// bound is generous on purpose: several megabytes can already be on their way in
// the kernels' buffers before the client has had a chance to read our answer.
const DRAIN_MS = 2000;
const DRAIN_BYTES = 64 * 1024 * 1024;

function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
  // Answer first, while the connection is still healthy...
  sendJson(res, 413, { error: 'Payload too large' });

  // ...then drain, within limits. If the body ends in time, the connection stays
  // usable for the next request; if not, we cut it. The 413 is already out.
  let drained = 0;
  const hangUp = () => req.socket.destroy();
  const timer = setTimeout(hangUp, DRAIN_MS);
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) hangUp();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

// POST /api/users: collect every chunk of the body, and only when 'end' fires
// decode, parse and answer. Refuse the body as soon as it is too large.
function createUser(req: http.IncomingMessage, res: http.ServerResponse): void {
  // Content-Length announces the size before a single body byte arrives:
  // refuse right away, without reading anything.
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
    refuseTooLarge(req, res);
    return;
  }

  // No Content-Length (a chunked body): count the bytes as they come.
  const chunks: Buffer[] = [];
  let received = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    received += chunk.length; // a Buffer's length is its size in bytes
    if (received > MAX_BODY_BYTES) {
      refused = true;
      chunks.length = 0; // let go of what we collected
      refuseTooLarge(req, res);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (refused) return; // already answered
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
