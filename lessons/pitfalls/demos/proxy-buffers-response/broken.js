import http from 'node:http';

const upstream = process.argv[2];
http.createServer((req, res) => {
  http.get(new URL(req.url, upstream), (answer) => {
    const chunks = [];
    answer.on('data', (chunk) => chunks.push(chunk)); // <-
    answer.on('end', () => res.end(Buffer.concat(chunks))); // <- only once the upstream is done
  }).on('error', () => { res.writeHead(502); res.end(); });
}).listen(3000);
