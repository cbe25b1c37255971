// pitfall: h2-sequential-requests
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
    stream.on('close', () => {
      if (status === 0 || stream.rstCode !== 0) reject(new Error(`${path}: stream closed with code ${stream.rstCode}`));
      else resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

async function main(): Promise<void> {
  try {
    for (const path of paths) {
      const { status, body } = await get(path); // BUG: waits for each response before sending the next request
      console.log(`${status} ${body}`);
      if (status < 200 || status > 299) process.exitCode = 1;
    }
  } catch (err) {
    fail((err as Error).message);
  } finally {
    session.close();
  }
}

main();
