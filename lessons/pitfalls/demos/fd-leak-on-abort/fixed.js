import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream';

const file = process.argv[2]; // a 32 MiB file
http.createServer((req, res) => {
  pipeline(fs.createReadStream(file), res, () => {}); // <- destroys the file stream when res closes
}).listen(3000);
