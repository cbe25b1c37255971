import http from 'node:http';

const get = (n) => new Promise((resolve) => {
  http.get(`${process.argv[2]}/items/${n}`, (res) => { res.resume(); res.on('end', resolve); });
});
const ids = Array.from({ length: 20 }, (_, i) => i + 1);
const worker = async () => { while (ids.length) await get(ids.shift()); }; // <-
await Promise.all([worker(), worker(), worker(), worker()]); // <- at most 4 in flight
http.globalAgent.destroy();
