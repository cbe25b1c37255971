import http from 'node:http';

// httpdojo runs this program with the URL to fetch as its first argument:
//   node client.js http://127.0.0.1:PORT/some/path
const url = process.argv[2];

const req = http.get(url, (res) => {
  // `res` is an http.IncomingMessage: res.statusCode and res.headers are
  // already here; the body is a readable stream that is still arriving.
  console.error(`got status ${res.statusCode}`);

  // TODO: on a 2xx status, collect the body's chunks (Buffers) and, once the
  //       body has ended ('end'), write it to stdout exactly as received.
  // TODO: on any other status, write `HTTP <status>` to stderr and nothing to
  //       stdout, and set process.exitCode = 1.
  // For now the body is read and thrown away, so the connection is freed.
  res.resume();
});

// TODO: a refused or broken connection must print `Error: <message>` to
//       stderr and exit with code 1, instead of crashing with a stack trace.
//       Errors arrive as 'error' events on req (and on res).
console.error(`requesting ${url}`);
