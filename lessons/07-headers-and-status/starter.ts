import http from 'node:http';

// One line of the report. Producing a line can fail (when ?fail=1 asks it to),
// and you only find out by calling it. Do not change this function.
function reportLine(n: number, fail: boolean): string {
  if (fail && n === 2) throw new Error('Report failed');
  return `line ${n}\n`;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');

  if (url.pathname === '/report') {
    const fail = url.searchParams.get('fail') === '1';
    // TODO: produce all three lines with reportLine() FIRST. If that throws, answer
    //       500 {"error":"Report failed"} and nothing else.
    // TODO: otherwise send 200 with Content-Type text/plain; charset=utf-8 and
    //       X-Report-Id (the request's X-Request-Id header, or 'none'),
    //       then the lines with res.write() (at least two calls) and res.end().
  }

  if (url.pathname === '/greeting') {
    // TODO: 200 {"greeting":"Hello, <name>!"} with an explicit Content-Length
    //       counted in BYTES. HEAD /greeting must get the very same head.
  }

  // Everything else (for now, everything) is a 404.
  const body = JSON.stringify({ error: 'Not found' });
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(body);
});

server.listen(3000, () => {
  console.log('Listening on http://localhost:3000');
});
