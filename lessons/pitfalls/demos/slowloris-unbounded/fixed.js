import http from 'node:http';

const server = http.createServer(
  { headersTimeout: 1000, requestTimeout: 2000, connectionsCheckingInterval: 250 }, // <-
  (req, res) => res.end('ok\n'),
);
server.listen(3000);
