import fs from 'node:fs';
import http from 'node:http';

http.createServer((req, res) => {
  const file = fs.createReadStream('./no-such-file.txt');
  file.on('error', () => { res.writeHead(404); res.end('not found\n'); }); // <-
  file.pipe(res);
}).listen(3000);
