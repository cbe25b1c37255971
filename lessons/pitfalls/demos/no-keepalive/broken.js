import http from 'node:http';

for (let n = 1; n <= 8; n++) {
  await new Promise((resolve) => {
    http.get(`${process.argv[2]}/items/${n}`, { agent: false }, (res) => { // <- a new connection each time
      res.resume();
      res.on('end', resolve);
    });
  });
}
