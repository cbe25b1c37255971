// pitfall: ignores-status-code
import http from 'node:http';

const url = process.argv[2];

const req = http.get(url, (res) => { // BUG: res.statusCode is never looked at: a 404 page is printed like a success
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    process.stdout.write(Buffer.concat(chunks).toString('utf8')); // BUG: printed (and exit code 0) whatever the status
  });

  res.on('error', (err) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  });
});

req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
