import fs from 'node:fs';
import http from 'node:http';

const file = process.argv[2]; // a 128 MiB file
http.createServer((req, res) => {
  fs.readFile(file, (error, data) => { // <- all 128 MiB in memory, per request
    if (error) { res.writeHead(500); return res.end(); }
    res.end(data);
  });
}).listen(3000);
