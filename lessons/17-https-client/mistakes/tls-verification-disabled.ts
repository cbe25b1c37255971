// pitfall: tls-verification-disabled
import https from 'node:https';

const [url] = process.argv.slice(2);

// "unable to verify the first certificate" went away with this, so it stayed.
const req = https.get(url, { rejectUnauthorized: false }, (res) => { // BUG: turns certificate verification off: any server, with any certificate, is accepted
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
