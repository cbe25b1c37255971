// pitfall: http-module-for-https
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [url, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');

// The options look right; the module does not: node:http speaks plain HTTP only.
const req = http.get(url, { ca } as http.RequestOptions, (res) => { // BUG: http.get on an https: URL throws ERR_INVALID_PROTOCOL before anything is sent
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    console.error(`HTTP ${status}`);
    process.exitCode = 1;
    res.resume();
    return;
  }
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => process.stdout.write(Buffer.concat(chunks).toString('utf8')));
  res.on('error', (err) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  });
});

req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
