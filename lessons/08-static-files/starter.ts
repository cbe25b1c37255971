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

function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');

  if (pathname.startsWith('/files/')) {
    // TODO 1: only GET and HEAD; anything else is 405 with an Allow: GET, HEAD header.
    // TODO 2: decode the rest of the path (decodeURIComponent) and turn it into a path
    //         inside `root`. Anything that would end up outside `root` (think of
    //         "..%2f", "%2fetc%2fpasswd" and a sibling folder named like `root` plus
    //         "-secret") must never be served: answer 403 or 404.
    // TODO 3: fs.stat() it: missing, or not a regular file -> 404 {"error":"Not found"}.
    // TODO 4: 200 with Content-Type from TYPES (by extension, default
    //         application/octet-stream) and Content-Length = the file size.
    //         HEAD ends here; GET streams the file:
    //         pipeline(fs.createReadStream(file), res, (err) => { ... })
  }

  sendJson(res, 404, { error: 'Not found' });
});

server.listen(3000, () => {
  console.log(`Serving ${root} on http://localhost:3000/files/`);
});
