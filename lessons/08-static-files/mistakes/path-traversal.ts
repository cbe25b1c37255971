// pitfall: path-traversal
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';

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

// Turns the part of the URL after "/files/" into a path on disk, or 'bad' for
// something that is not a usable name. new URL() has already removed any "..".
function resolveInRoot(encoded: string): string | 'bad' {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return 'bad'; // a broken escape such as "%E0%A4%A"
  }
  if (name.includes('\0')) return 'bad'; // fs functions throw on NUL bytes
  return path.join(root, name); // BUG: "..%2f" decodes to "../" AFTER new URL() cleaned the path: join() climbs out of root and nothing checks it
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
  if (filePath === 'bad') {
    sendJson(res, 404, { error: 'Not found' });
    return;
  }

  // Look before streaming: a missing file or a folder is a 404, decided while we can
  // still choose the status. The size becomes the Content-Length.
  fs.stat(filePath, (err, stats) => {
    if (err || !stats.isFile()) {
      sendJson(res, 404, { error: 'Not found' });
      return;
    }
    res.writeHead(200, { 'Content-Type': contentType(filePath), 'Content-Length': stats.size });
    if (req.method === 'HEAD') {
      res.end(); // same head as GET, and no reason to open the file
      return;
    }
    // pipeline() moves the file in small chunks, waits when the client is slow, and
    // destroys BOTH streams if either side fails: a client that leaves mid-download
    // closes the file, and a read error cuts the response instead of crashing.
    pipeline(fs.createReadStream(filePath), res, (error) => {
      if (error && error.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        console.error(`while sending ${filePath}: ${error.message}`);
      }
    });
  });
});

server.listen(3000, () => {
  console.log(`Serving ${root} on http://localhost:3000/files/`);
});
