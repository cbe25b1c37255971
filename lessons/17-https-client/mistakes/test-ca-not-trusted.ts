// pitfall: test-ca-not-trusted
import https from 'node:https';

const [url, caFile] = process.argv.slice(2);

const req = https.get(url, { ca: caFile }, (res) => { // BUG: `ca` holds the file's path, not its PEM contents: Node ignores it and trusts only its bundled CAs
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
  res.on('error', (err) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  });
});

req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
