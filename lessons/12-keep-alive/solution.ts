import http from 'node:http';

// httpdojo runs: client.js <base-url>   (e.g. http://127.0.0.1:PORT)
const base = process.argv[2].replace(/\/$/, '');
const COUNT = 20;
const LIMIT = 4;

// One agent for every request. keepAlive: a connection whose response has
// been read goes back to the agent's pool instead of being closed.
// maxSockets: never more than 4 connections to this server at once; a fifth
// request would wait in the agent's queue for a free one.
const agent = new http.Agent({ keepAlive: true, maxSockets: LIMIT });

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

// Four workers, each fetching one item at a time: at most four requests are
// in flight. Each body is stored at its item's index, so the print-out is in
// order even though the responses finish in any order.
const bodies: string[] = new Array(COUNT);
let next = 1;

async function worker(): Promise<void> {
  while (next <= COUNT) {
    const n = next++;
    bodies[n - 1] = await fetchItem(n);
  }
}

async function main(): Promise<void> {
  try {
    await Promise.all(Array.from({ length: LIMIT }, () => worker()));
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
