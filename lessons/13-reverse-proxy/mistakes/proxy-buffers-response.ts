// pitfall: proxy-buffers-response
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
  // A Connection header may name more hop-by-hop headers: "Connection: close, x-trace".
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

function badGateway(res: http.ServerResponse): void {
  if (res.headersSent) {
    // Part of the upstream's answer is already on the wire: all we can do is cut it.
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: 'Bad gateway' });
  res.writeHead(502, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const headers = endToEnd(req.headers);
  headers.host = upstream.host; // the upstream sees its own name, not ours

  const upstreamReq = http.request({
    protocol: upstream.protocol,
    hostname: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: req.url, // path and query string, unchanged
    headers,
  });

  upstreamReq.on('response', (upstreamRes) => {
    // Read the upstream's whole answer, then send it to the client.
    const chunks: Buffer[] = [];
    upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk)); // BUG: the client sees nothing until the upstream has finished
    upstreamRes.on('end', () => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, endToEnd(upstreamRes.headers));
      res.end(Buffer.concat(chunks)); // BUG: the whole body in one piece, after the upstream finished
    });
  });

  // Refused, reset, ...: the upstream failed before it answered. This also fires
  // ("socket hang up") when we destroy upstreamReq ourselves because the client left.
  upstreamReq.on('error', () => {
    if (res.writableEnded || res.destroyed) return; // the client is gone or already served
    badGateway(res);
    req.resume(); // read (and drop) whatever is left of the request body
  });

  // The client left before the response was complete: stop the upstream's work too.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });

  // Stream the request body up as it arrives. pipe(), not pipeline(): pipeline() would
  // destroy req when the upstream fails, and the connection's next request would hang.
  req.pipe(upstreamReq);
});

server.listen(3000, () => {
  console.log(`proxy on http://localhost:3000 -> ${upstream.origin}`);
});
