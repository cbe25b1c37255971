import http from 'node:http';

http.createServer((req, res) => {
  let n = 10;
  const timer = setInterval(() => {
    res.write(`${n}\n`);
    if (--n === 0) { clearInterval(timer); res.end('liftoff\n'); }
  }, 100);
  res.on('close', () => clearInterval(timer)); // <-
}).listen(3000);
