import crypto from 'node:crypto';
import http from 'node:http';

http.createServer((req, res) => {
  if (req.url === '/hash') {
    const key = crypto.pbkdf2Sync('password', 'salt', 2_000_000, 64, 'sha512'); // <-
    return res.end(key.toString('hex').slice(0, 16) + '\n');
  }
  res.end('ok\n'); // /health
}).listen(3000);
