import { readFileSync } from 'node:fs';
import https from 'node:https';

// httpdojo runs: client.ts <url> <ca-file>
const [url, caFile] = process.argv.slice(2);

// The CA's PEM text, not its path: `ca` takes certificates, and a string that
// is not PEM is silently ignored. Given `ca`, Node trusts exactly these CAs
// (instead of its bundled public ones) and still checks the name and the dates.
const ca = readFileSync(caFile, 'utf8');

const req = https.get(url, { ca }, (res) => {
  const status = res.statusCode ?? 0;

  if (status < 200 || status > 299) {
    console.error(`HTTP ${status}`);
    process.exitCode = 1;
    res.resume(); // read and drop the body, or the connection stays busy
    return;
  }

  // Raw Buffers, decoded once: a character split between two chunks survives.
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    process.stdout.write(Buffer.concat(chunks).toString('utf8'));
  });
  res.on('error', (err) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  });
});

// Refused connections and refused certificates (wrong name, unknown CA,
// self-signed, expired) all arrive here, before any request is sent.
req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
