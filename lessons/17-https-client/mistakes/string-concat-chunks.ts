// pitfall: string-concat-chunks
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [url, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');

const req = https.get(url, { ca }, (res) => {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    console.error(`HTTP ${status}`);
    process.exitCode = 1;
    res.resume();
    return;
  }
  let body = '';
  res.on('data', (chunk: Buffer) => {
    body += chunk; // BUG: each chunk is decoded on its own: a character split between two TLS records becomes U+FFFD
  });
  res.on('end', () => process.stdout.write(body));
  res.on('error', (err) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  });
});

req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
