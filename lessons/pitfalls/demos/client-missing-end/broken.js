import http from 'node:http';

const req = http.request(`${process.argv[2]}/items`, { method: 'POST' }, (res) => {
  res.setEncoding('utf8');
  res.on('data', (text) => process.stdout.write(text));
});
req.write('{"name":"Ada"}'); // <- and no req.end(): the request is never finished
