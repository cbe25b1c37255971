import http from 'node:http';

const req = http.request(`${process.argv[2]}/items`, { method: 'POST' }, (res) => {
  res.setEncoding('utf8');
  res.on('data', (text) => process.stdout.write(text));
});
req.end('{"name":"Ada"}'); // <-
