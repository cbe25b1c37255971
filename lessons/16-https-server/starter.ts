import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

// argv[2] is the folder holding the lesson's key and certificate (httpdojo passes
// it; under `httpdojo run` it is your workspace's certs/ folder).
const certsDir = process.argv[2] ?? 'certs';
const keyFile = path.join(certsDir, 'localhost-key.pem');
const certFile = path.join(certsDir, 'localhost-cert.pem');

// TODO: the HTTPS server. https.createServer takes { key, cert } (their contents,
//       read from keyFile and certFile) and answers every request with
//       200 {"secure": true, "tlsVersion": <the negotiated version>, "url": req.url}.
//       Listen on 8443.

// The plain-HTTP server: for now it answers like the HTTPS one should, in the clear.
// TODO: redirect every request to the same target on https://localhost:8443
//       (301 for GET and HEAD, 308 for everything else).
const plain = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ secure: false, url: req.url }));
});

plain.listen(8080, () => console.log('HTTP on http://localhost:8080/'));
