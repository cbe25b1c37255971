import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  const forward = http.request(new URL(req.url, upstream), (answer) => {
    res.writeHead(answer.statusCode, { 'Content-Type': answer.headers['content-type'] });
    answer.pipe(res); // <- when the client leaves, nothing stops the upstream
  });
  forward.on('error', () => res.destroy());
  forward.end();
}).listen(3000);
