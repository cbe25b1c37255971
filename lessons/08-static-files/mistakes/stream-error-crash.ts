// pitfall: stream-error-crash
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

// httpdojo passes the folder to serve as the first program argument:
//   node server.ts ./public
const root = path.resolve(process.argv[2] ?? '.');

const TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.js': 'text/javascript',
};

function contentType(filePath: string): string {
  return TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// Turns the part of the URL after "/files/" into a path on disk.
// Returns 'bad' for something that is not a usable name and 'outside' for a path
// that would leave the root (after decoding: "..%2f", "%2fetc%2fpasswd", ...).
function resolveInRoot(encoded: string): string | 'bad' | 'outside' {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return 'bad'; // a broken escape such as "%E0%A4%A"
  }
  if (name.includes('\0')) return 'bad'; // fs functions throw on NUL bytes
  const full = path.resolve(root, name); // also resolves "..", and an absolute name wins
  // The separator matters: "/srv/site-secret/x".startsWith("/srv/site") is true.
  const inside = full === root || full.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  return inside ? full : 'outside';
}

const server = http.createServer((req, res) => {
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    sendJson(res, 400, { error: 'Bad request' });
    return;
  }

  if (!pathname.startsWith('/files/')) {
    sendJson(res, 404, { error: 'Not found' });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'Method not allowed' }, { Allow: 'GET, HEAD' });
    return;
  }

  const filePath = resolveInRoot(pathname.slice('/files/'.length));
  if (filePath === 'outside') {
    sendJson(res, 403, { error: 'Forbidden' });
    return;
  }
  if (filePath === 'bad') {
    sendJson(res, 404, { error: 'Not found' });
    return;
  }

  // Open the file first, then ask the open descriptor for its size: no gap between a
  // stat() and the open() in which the file could change.
  const file = fs.createReadStream(filePath); // BUG: no 'error' listener: for a missing file the stream emits ENOENT and the process crashes
  res.on('close', () => file.destroy()); // a client that leaves closes the file
  file.on('open', (fd) => {
    fs.fstat(fd, (err, stats) => {
      if (err || !stats.isFile()) {
        file.destroy();
        sendJson(res, 404, { error: 'Not found' });
        return;
      }
      res.writeHead(200, { 'Content-Type': contentType(filePath), 'Content-Length': stats.size });
      if (req.method === 'HEAD') {
        file.destroy();
        res.end();
        return;
      }
      file.pipe(res);
    });
  });
});

server.listen(3000, () => {
  console.log(`Serving ${root} on http://localhost:3000/files/`);
});
