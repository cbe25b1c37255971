import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 }); // <-
for (let n = 1; n <= 8; n++) {
  await new Promise((resolve) => {
    http.get(`${process.argv[2]}/items/${n}`, { agent }, (res) => { // <-
      res.resume();
      res.on('end', resolve);
    });
  });
}
agent.destroy();
