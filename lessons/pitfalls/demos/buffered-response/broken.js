import http from 'node:http';

http.createServer(async (req, res) => {
  let page = '';
  for (let i = 1; i <= 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300)); // a slow source: 300 ms a part
    page += `part ${i}\n`; // <-
  }
  res.end(page); // <-
}).listen(3000);
