import http from 'node:http';

// httpdojo passes the URL to fetch as the first program argument.
const url = process.argv[2];

const req = http.get(url, (res) => {
  const status = res.statusCode ?? 0;

  if (status < 200 || status > 299) {
    console.error(`HTTP ${status}`);
    process.exitCode = 1;
    // We don't want this body, but it must still be read (here: thrown away),
    // or the connection stays busy and the process waits for it.
    res.resume();
    return;
  }

  // Collect raw Buffers and decode once at the end: a multi-byte character
  // split between two chunks is then put back together before decoding.
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => {
    process.stdout.write(Buffer.concat(chunks).toString('utf8'));
  });

  // The connection broke in the middle of the body ("aborted").
  res.on('error', (err) => {
    console.error(`Error: ${err.message}`);
    process.exitCode = 1;
  });
});

// Refused, reset, unknown host: without this listener the process crashes
// with an "Unhandled 'error' event" stack trace.
req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
