// pitfall: h2-session-not-closed
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [origin, caFile, ...paths] = process.argv.slice(2);
const session = http2.connect(origin, { ca: readFileSync(caFile) }); // BUG: the session is never closed: it keeps the process alive
session.on('error', (err) => fail(err.message));

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      if (status < 200 || status > 299) process.exitCode = 1;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('close', () => {
      if (status === 0 || stream.rstCode !== 0) reject(new Error(`${path}: stream closed with code ${stream.rstCode}`));
      else resolve(`${status} ${Buffer.concat(chunks).toString('utf8')}`);
    });
  });
}

Promise.all(paths.map(get))
  .then((lines) => console.log(lines.join('\n')))
  .catch((err: Error) => fail(err.message));
