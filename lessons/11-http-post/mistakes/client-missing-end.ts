// pitfall: client-missing-end
import http from 'node:http';

// httpdojo runs: client.js <url> <name>
const url = process.argv[2];
const name = process.argv[3];

const body = JSON.stringify({ name });

const req = http.request( // BUG: this request is written to but never ended
  url,
  {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      // Content-Length counts bytes, not characters: "Zoë 😀" has a string
      // length of 6 but is 9 bytes long in UTF-8.
      'Content-Length': Buffer.byteLength(body),
    },
  },
  (res) => {
    const status = res.statusCode ?? 0;

    if (status < 200 || status > 299) {
      console.error(`HTTP ${status}`);
      process.exitCode = 1;
      res.resume(); // read and discard the body so the socket is freed
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
  },
);

req.on('error', (err) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});

req.write(body); // BUG: the request is never finished with req.end(): the socket stays busy and the program does not exit
