import http from 'node:http';

http.createServer(async (req, res) => {
  let size = 0;
  for await (const chunk of req) size += chunk.length; // <- rejects when the client hangs up
  res.end(`received ${size} bytes\n`);
}).listen(3000);
