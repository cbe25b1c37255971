import http from 'node:http';

http.createServer(async (req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  for (let i = 1; i <= 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300)); // a slow source: 300 ms a part
    res.write(`part ${i}\n`); // <-
  }
  res.end(); // <-
}).listen(3000);
