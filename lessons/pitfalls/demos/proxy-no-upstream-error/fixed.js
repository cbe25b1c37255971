import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  const forward = http.request(new URL(req.url, upstream), { method: req.method }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', () => { // <-
    if (!res.headersSent) res.writeHead(502); // <-
    res.end('bad gateway\n');
  });
  req.pipe(forward);
}).listen(3000);
