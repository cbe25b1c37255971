import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  http.get(new URL(req.url, upstream), (answer) => {
    res.writeHead(answer.statusCode, { 'Content-Type': answer.headers['content-type'] });
    answer.pipe(res); // <- each chunk goes on as it arrives
  }).on('error', () => { res.writeHead(502); res.end(); });
}).listen(3000);
