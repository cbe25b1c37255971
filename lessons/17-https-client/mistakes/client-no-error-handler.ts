// pitfall: client-no-error-handler
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [url, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');

https.get(url, { ca }, (res) => { // BUG: no 'error' listener on the request: a refused certificate or connection crashes the program with a stack trace
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
});
