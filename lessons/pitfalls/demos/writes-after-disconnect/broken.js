import http from 'node:http';

http.createServer((req, res) => {
  let n = 10;
  const timer = setInterval(() => {
    res.write(`${n}\n`); // <- goes on after the client has left
    if (--n === 0) { clearInterval(timer); res.end('liftoff\n'); }
  }, 100);
}).listen(3000);
