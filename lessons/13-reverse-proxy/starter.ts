import http from 'node:http';

// httpdojo passes the upstream's origin, e.g. http://127.0.0.1:4000
const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:4000');

// Hop-by-hop headers describe one connection, not the message: never forward them.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const server = http.createServer((req, res) => {
  // TODO 1: http.request() to the upstream with the same method and path
  //         (req.url keeps the query string) and the end-to-end headers,
  //         except Host, which must be the upstream's (upstream.host).
  // TODO 2: stream the request body up: req.pipe(upstreamReq).
  // TODO 3: on 'response', copy the status and end-to-end headers with
  //         res.writeHead(), then stream the body back (pipeline or pipe).
  // TODO 4: on 'error' (upstream refused, reset, ...) answer
  //         502 {"error":"Bad gateway"}, unless the client is gone.
  // TODO 5: when res closes before it finished, the client left:
  //         destroy the upstream request.
  res.writeHead(501, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: `Not implemented yet (upstream: ${upstream.origin})` }));
});

server.listen(3000, () => {
  console.log(`proxy on http://localhost:3000 -> ${upstream.origin}`);
});
