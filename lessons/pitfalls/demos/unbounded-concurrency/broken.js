import http from 'node:http';

const get = (n) => new Promise((resolve) => {
  http.get(`${process.argv[2]}/items/${n}`, (res) => { res.resume(); res.on('end', resolve); });
});
const ids = Array.from({ length: 20 }, (_, i) => i + 1);
await Promise.all(ids.map(get)); // <- all 20 at once
http.globalAgent.destroy();
