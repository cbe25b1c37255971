import http from 'node:http';

const body = JSON.stringify({ name: 'Ada' });
const req = http.request(`${process.argv[2]}/items`, { method: 'POST' }, (res) => res.resume()); // <- no Content-Type
req.end(body);
