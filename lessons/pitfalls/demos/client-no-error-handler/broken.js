import http from 'node:http';

const req = http.get(`${process.argv[2]}/items/1`, (res) => { // <- no 'error' listener
  res.setEncoding('utf8');
  res.on('data', (text) => process.stdout.write(text));
});
