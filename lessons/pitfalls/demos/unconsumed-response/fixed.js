import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let left = 3;
for (let i = 1; i <= 3; i++) {
  http.get(`${process.argv[2]}/items/${i}`, { agent }, (res) => {
    console.log(`item ${i}: ${res.statusCode}`);
    res.resume(); // <- read (and drop) the body: the socket goes back to the agent
    res.on('end', () => { if (--left === 0) agent.destroy(); });
  });
}
