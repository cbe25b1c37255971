import http from 'node:http';

// httpdojo runs this program as:  node client.js <base-url>
const base = process.argv[2].replace(/\/$/, '');

// TODO: create ONE agent for every request:
//         new http.Agent({ keepAlive: true, maxSockets: 4 })
//       and pass it to each request: http.get(url, { agent }, ...).

// Fetches one item and resolves with its body, read to the end.
function fetchItem(n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/items/${n}`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  // TODO: fetch items 1 to 20, several at a time but never more than 4 in
  //       flight, and print each body on its own line in item order (1..20),
  //       whatever order the responses finish in.
  console.log(await fetchItem(1));

  // TODO: when everything is printed, close the idle connections: agent.destroy().
}

main().catch((err: Error) => {
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
});
