import http from 'node:http';

http.createServer(async (req, res) => {
  let size = 0;
  try {
    for await (const chunk of req) size += chunk.length; // <-
  } catch {
    return; // <- the client is gone: nobody to answer
  }
  res.end(`received ${size} bytes\n`);
}).listen(3000);
