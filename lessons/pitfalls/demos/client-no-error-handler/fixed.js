import http from 'node:http';

const req = http.get(`${process.argv[2]}/items/1`, (res) => {
  res.setEncoding('utf8');
  res.on('data', (text) => process.stdout.write(text));
});
req.on('error', (error) => { // <-
  console.error(`Error: ${error.message}`); // <-
  process.exitCode = 1;
});
