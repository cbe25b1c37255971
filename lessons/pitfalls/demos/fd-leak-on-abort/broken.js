import fs from 'node:fs';
import http from 'node:http';

const file = process.argv[2]; // a 32 MiB file
http.createServer((req, res) => {
  fs.createReadStream(file).pipe(res); // <- an aborted download leaves the file open
}).listen(3000);
