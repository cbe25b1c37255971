import http from 'node:http';

http.createServer(async (req, res) => {
  let page = '';
  for (let i = 1; i <= 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200)); // a slow source: 200 ms a part
    page += `part ${i}\n`; // <-
  }
  res.end(page); // <-
}).listen(3000);
