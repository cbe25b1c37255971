import http from 'node:http';

async function route(req, res) {
  await new Promise((resolve) => setTimeout(resolve, 10)); // a database call
  if (req.url === '/boom-async') throw new Error('boom');
  res.end('ok\n');
}
http.createServer((req, res) => {
  try { route(req, res); } // <- the promise is not awaited: its rejection escapes the try
  catch { res.writeHead(500); res.end('internal error\n'); }
}).listen(3000);
