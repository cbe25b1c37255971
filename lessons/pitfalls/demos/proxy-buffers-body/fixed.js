import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  const forward = http.request(new URL(req.url, upstream), { method: req.method }, (answer) => answer.pipe(res));
  forward.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(forward); // <- each chunk goes on as it arrives
}).listen(3000);
