import http from 'node:http';

// httpdojo runs this program as:  node client.js <url> <name>
const url = process.argv[2];
const name = process.argv[3];

// TODO: the body is the JSON text of { name }: use JSON.stringify.
const body = '';

const req = http.request(
  url,
  {
    method: 'POST',
    headers: {
      // TODO: 'Content-Type': 'application/json'
      // TODO: 'Content-Length': the body's length in BYTES (not body.length)
    },
  },
  (res) => {
    console.error(`got status ${res.statusCode}`);
    // TODO: as in lesson 10: on 2xx collect the body and write it to stdout;
    //       otherwise `HTTP <status>` on stderr and process.exitCode = 1.
    res.resume();
  },
);

// TODO: a refused or broken connection must print `Error: <message>` to
//       stderr and exit with code 1 (listen for 'error' on req and on res).

// Sends whatever body is given and finishes the request. Keep this call:
// without end(), the request is never complete.
req.end(body);
console.error(`posting ${JSON.stringify(name)} to ${url}`);
