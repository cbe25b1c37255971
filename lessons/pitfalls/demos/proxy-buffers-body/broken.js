import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk)); // <-
  req.on('end', () => { // <- the upstream hears nothing until the upload is over
    const forward = http.request(new URL(req.url, upstream), { method: req.method }, (answer) => answer.pipe(res));
    forward.on('error', () => { res.writeHead(502); res.end(); });
    forward.end(Buffer.concat(chunks));
  });
}).listen(3000);
