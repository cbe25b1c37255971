import fs from 'node:fs';
import http from 'node:http';

http.createServer((req, res) => {
  fs.createReadStream('./no-such-file.txt').pipe(res); // <- no 'error' listener
}).listen(3000);
