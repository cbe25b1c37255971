// pitfall: ignores-status-code
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [url, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile, 'utf8');

const req = https.get(url, { ca }, (res) => { // BUG: never looks at res.statusCode: a 404 or 500 body is printed like a result, exit code 0
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
