import https from 'node:https';

// httpdojo runs this program with two arguments:
//   node client.js https://127.0.0.1:PORT/some/path /path/to/ca-cert.pem
// The server presents a certificate signed by the lesson's own test CA, which
// Node does not trust until you tell it to.
const [url, caFile] = process.argv.slice(2);

// TODO: read the CA file (its contents, not its path) and pass them as the
//       `ca` option: https.get(url, { ca }, callback).
https.get(url, (res) => {
  console.error(`got status ${res.statusCode}`);

  // TODO: on a 2xx status, collect the body's chunks (Buffers) and write the
  //       whole body to stdout once it has ended.
  // TODO: on any other status, write `HTTP <status>` to stderr, nothing to
  //       stdout, and set process.exitCode = 1.
  res.resume();
});

// TODO: connection and certificate failures arrive as 'error' on req: print a
//       line starting with `Error:` to stderr and set process.exitCode = 1.
console.error(`requesting ${url} (CA file: ${caFile})`);
