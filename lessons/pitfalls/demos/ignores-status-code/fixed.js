import http from 'node:http';

http.get(`${process.argv[2]}/items/42`, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (text) => { body += text; });
  res.on('end', () => {
    if (res.statusCode !== 200) { // <-
      console.error(`Error: the server answered ${res.statusCode}`); // <-
      process.exitCode = 1;
      return;
    }
    console.log(body);
  });
});
