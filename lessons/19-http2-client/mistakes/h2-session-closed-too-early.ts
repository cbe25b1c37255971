// pitfall: h2-session-closed-too-early
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [origin, caFile, ...paths] = process.argv.slice(2);
const session = http2.connect(origin, { ca: readFileSync(caFile) });
session.on('error', (err) => fail(err.message));

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

const results: string[] = [];
let done = 0;
paths.forEach((path, index) => {
  const stream = session.request({ ':path': path });
  let status = 0;
  const chunks: Buffer[] = [];
  stream.on('response', (headers) => {
    status = Number(headers[':status']);
  });
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('error', (err) => fail(err.message));
  stream.on('end', () => {
    results[index] = `${status} ${Buffer.concat(chunks).toString('utf8')}`;
    if (status < 200 || status > 299) process.exitCode = 1;
    if (++done === paths.length) console.log(results.join('\n'));
  });
});

// Every request has been made: we are done with the session.
session.close(); // BUG: closes before the requests were sent; close once every stream has closed
