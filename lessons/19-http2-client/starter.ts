import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

// httpdojo runs this program as:
//   node client.js https://localhost:PORT /path/to/ca-cert.pem /items/1 /items/2 ...
const [origin, caFile, ...paths] = process.argv.slice(2);

// One session is one TLS connection; `ca` makes Node trust the course's test CA.
const session = http2.connect(origin, { ca: readFileSync(caFile) });

// TODO: a refused connection or a bad certificate is an 'error' on the session:
//       print `Error: <message>` to stderr and set process.exitCode = 1.

// For now only the first path is asked for, and nothing is printed.
const stream = session.request({ ':path': paths[0] });
stream.on('response', (headers) => {
  console.error(`status ${headers[':status']} for ${paths[0]}`);
});
stream.resume();

// TODO: request every path at once (one stream each), collect each body's
//       Buffers, and print `<status> <body>` per path, in argument order.
// TODO: exit code 1 unless every status is 2xx; an 'error' on a stream, or a
//       stream that closes with rstCode !== 0, is a failure (`Error: ...`).
// TODO: close the session once every stream has closed, or the process never exits.
