// pitfall: h2-status-misread
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [origin, caFile, ...paths] = process.argv.slice(2);
const session = http2.connect(origin, { ca: readFileSync(caFile) });
session.on('error', (err) => fail(err.message));

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

function get(path: string): Promise<{ status: unknown; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status: unknown;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      status = headers.status; // BUG: the status is the pseudo-header ':status', not 'status'
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      if (stream.rstCode !== 0) reject(new Error(`${path}: stream closed with code ${stream.rstCode}`));
      else resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

Promise.all(paths.map(get))
  .then((results) => {
    for (const { status, body } of results) console.log(`${status} ${body}`);
    if (results.some(({ status }) => Number(status) >= 400)) process.exitCode = 1;
  })
  .catch((err: Error) => fail(err.message))
  .finally(() => session.close());
