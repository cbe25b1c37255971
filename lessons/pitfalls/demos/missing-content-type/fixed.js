import http from 'node:http';

const body = JSON.stringify({ name: 'Ada' });
const req = http.request(`${process.argv[2]}/items`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' }, // <-
}, (res) => res.resume());
req.end(body);
