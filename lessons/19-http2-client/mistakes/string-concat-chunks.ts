// pitfall: string-concat-chunks
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

// client.js <origin> <ca-file> <path>...
const [origin, caFile, ...paths] = process.argv.slice(2);

// Trust the course's test CA (and only it) for this session: `ca` is the PEM text, not its path.
const session = http2.connect(origin, { ca: readFileSync(caFile) });

// A refused connection or a certificate we must refuse: without this listener
// the session's 'error' crashes the process with a stack trace.
session.on('error', (err) => fail(err.message));

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Every request goes out at once, each on its own stream of the one session.
    const stream = session.request({ ':path': path });
    let status: number | null = null;
    let body = '';
    // ':status' is a number (200), not headers.status.
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.on('data', (chunk: Buffer) => {
      body += chunk; // BUG: each chunk is decoded on its own: a character cut between two DATA frames becomes U+FFFD
    });
    // A refused or reset stream: 'error', then 'close'.
    stream.on('error', reject);
    // 'end' also fires when the server drops the connection mid-body: trust
    // 'close', where rstCode is 0 only for a stream that ended cleanly.
    stream.on('close', () => {
      if (status === null) reject(new Error(`no response for ${path} (stream closed with code ${stream.rstCode})`));
      else if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) reject(new Error(`${path}: the response was cut off (stream closed with code ${stream.rstCode})`));
      else resolve({ status, body });
    });
  });
}

Promise.all(paths.map(get))
  .then((results) => {
    // One line per path, in argument order, whatever order the answers came in.
    for (const { status, body } of results) console.log(`${status} ${body}`);
    if (results.some(({ status }) => status < 200 || status > 299)) process.exitCode = 1;
  })
  .catch((err: Error) => fail(err.message))
  // Every stream has closed (or one failed): close the session, or it keeps the process alive.
  .finally(() => session.close());
