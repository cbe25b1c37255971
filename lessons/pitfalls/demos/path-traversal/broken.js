import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const root = path.join(import.meta.dirname, 'public');
http.createServer((req, res) => {
  const file = path.join(root, decodeURIComponent(req.url.slice('/files/'.length))); // <-
  fs.readFile(file, (error, data) => {
    if (error) { res.writeHead(404); return res.end('not found\n'); }
    res.end(data);
  });
}).listen(3000);
