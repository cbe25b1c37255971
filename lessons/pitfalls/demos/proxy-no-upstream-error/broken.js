import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  const forward = http.request(new URL(req.url, upstream), { method: req.method }, (answer) => { // <- no 'error' listener
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  req.pipe(forward);
}).listen(3000);
