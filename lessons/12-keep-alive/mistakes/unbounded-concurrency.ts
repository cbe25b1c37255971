// pitfall: unbounded-concurrency
import http from 'node:http';

// httpdojo runs: client.js <base-url>   (e.g. http://127.0.0.1:PORT)
const base = process.argv[2].replace(/\/$/, '');
const COUNT = 20;

// One agent for every request: keepAlive reuses connections.
const agent = new http.Agent({ keepAlive: true }); // BUG: no maxSockets: the agent opens as many connections as there are requests

// Sends a GET and resolves as soon as the response head (status line and
// headers) has arrived. The body is still on its way.
function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, resolve);
    req.on('error', reject);
  });
}

// Reads a body to its end. Until it is read, the connection belongs to this
// response: the agent cannot give it to another request.
function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

async function fetchItem(n: number): Promise<string> {
  const res = await get(`${base}/items/${n}`);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    res.resume(); // discard the body: that frees the connection too
    throw new Error(`HTTP ${status} for /items/${n}`);
  }
  return readBody(res);
}

// Promise.all keeps the results in item order, whatever order they finish in.
const items = Array.from({ length: COUNT }, (_, i) => i + 1);

async function main(): Promise<void> {
  try {
    const bodies = await Promise.all(items.map((n) => fetchItem(n))); // BUG: all 20 requests start at once, nothing holds them to 4
    for (const body of bodies) console.log(body);
  } catch (err) {
    console.error(`Error: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    // Close the idle keep-alive connections: we are done with this server.
    agent.destroy();
  }
}

main();
