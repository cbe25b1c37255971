import http from 'node:http';

function route(req, res) {
  if (req.url === '/boom') throw new Error('boom');
  res.end('ok\n');
}
http.createServer((req, res) => {
  try { route(req, res); } // <-
  catch { res.writeHead(500); res.end('internal error\n'); } // <-
}).listen(3000);
