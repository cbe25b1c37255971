import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
for (let i = 1; i <= 3; i++) {
  http.get(`${process.argv[2]}/items/${i}`, { agent }, (res) => {
    console.log(`item ${i}: ${res.statusCode}`); // <- the body is never read: the socket is never freed
  });
}
