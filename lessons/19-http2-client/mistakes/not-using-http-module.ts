// pitfall: not-using-http-module
import https from 'node:https';
import { readFileSync } from 'node:fs';

const [origin, caFile, ...paths] = process.argv.slice(2);
const ca = readFileSync(caFile);

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(path, origin), { ca }, (res) => { // BUG: node:https speaks HTTP/1.1, not HTTP/2
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
}

Promise.all(paths.map(get))
  .then((results) => {
    for (const { status, body } of results) console.log(`${status} ${body}`);
    if (results.some(({ status }) => status < 200 || status > 299)) process.exitCode = 1;
  })
  .catch((err: Error) => fail(err.message));
