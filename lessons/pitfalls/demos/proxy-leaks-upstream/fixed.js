import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  const forward = http.request(new URL(req.url, upstream), (answer) => {
    res.writeHead(answer.statusCode, { 'Content-Type': answer.headers['content-type'] });
    answer.pipe(res);
  });
  forward.on('error', () => res.destroy());
  res.on('close', () => { if (!res.writableFinished) forward.destroy(); }); // <-
  forward.end();
}).listen(3000);
