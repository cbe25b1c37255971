import http from 'node:http';

http.get(`${process.argv[2]}/items/42`, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (text) => { body += text; });
  res.on('end', () => console.log(body)); // <- a 404 printed as if it were the item
});
