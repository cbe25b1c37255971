// pitfall: client-no-error-handler
import http from 'node:http';

const url = process.argv[2];

http.get(url, (res) => { // BUG: no req.on('error') listener: a refused connection crashes with "Unhandled 'error' event"
  const status = res.statusCode ?? 0;

  if (status < 200 || status > 299) {
    console.error(`HTTP ${status}`);
    process.exitCode = 1;
    res.resume();
    return;
  }

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
