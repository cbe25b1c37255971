import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream';

const file = process.argv[2]; // a 128 MiB file
http.createServer((req, res) => {
  pipeline(fs.createReadStream(file), res, () => {}); // <- 64 KiB at a time, at the client's pace
}).listen(3000);
