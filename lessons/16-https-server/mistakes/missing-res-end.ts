// pitfall: missing-res-end
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

// argv[2] is the folder holding the lesson's key and certificate (httpdojo passes
// it; under `httpdojo run` it is your workspace's certs/ folder).
const certsDir = process.argv[2] ?? 'certs';

// The ports are fixed here, and so is the origin every redirect points at: never
// build it from the request's Host header, which the client chooses.
const HTTPS_PORT = 8443;
const HTTP_PORT = 8080;
const ORIGIN = `https://localhost:${HTTPS_PORT}`;

// key and cert are the PEM *contents*, not the file names.
const tlsOptions: https.ServerOptions = {
  key: fs.readFileSync(path.join(certsDir, 'localhost-key.pem')),
  cert: fs.readFileSync(path.join(certsDir, 'localhost-cert.pem')),
};

const secure = https.createServer(tlsOptions, (req, res) => {
  // req.socket is a tls.TLSSocket here: getProtocol() names the version negotiated.
  const socket = req.socket as import('node:tls').TLSSocket;
  const body = JSON.stringify({ secure: true, tlsVersion: socket.getProtocol(), url: req.url });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});

const plain = http.createServer((req, res) => {
  // 301 would let a client turn a POST into a GET; 308 keeps the method and body.
  const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
  // req.url is the target as received ("/docs/a%20b?x=1"): appended to a fixed
  // origin, even "//evil.example/x" stays a path on our own host.
  res.writeHead(status, { Location: ORIGIN + req.url }); // BUG: no res.end(): the redirect never leaves
});

secure.listen(HTTPS_PORT, () => console.log(`HTTPS on ${ORIGIN}/`));
plain.listen(HTTP_PORT, () => console.log(`HTTP on http://localhost:${HTTP_PORT}/ (redirects)`));
