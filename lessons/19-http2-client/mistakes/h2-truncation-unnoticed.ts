// pitfall: h2-truncation-unnoticed
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [origin, caFile, ...paths] = process.argv.slice(2);
const session = http2.connect(origin, { ca: readFileSync(caFile) });
session.on('error', (err) => fail(err.message));

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') })); // BUG: 'end' also fires when the connection was dropped mid-body
  });
}

Promise.all(paths.map(get))
  .then((results) => {
    for (const { status, body } of results) console.log(`${status} ${body}`);
    if (results.some(({ status }) => status < 200 || status > 299)) process.exitCode = 1;
  })
  .catch((err: Error) => fail(err.message))
  .finally(() => session.close());
