// How often a Node client that sends `Connection: close` sees a correct server's
// 413 (lesson 05, "One case you cannot fully fix"). A race, so it is measured here
// and never asserted in a test (test/facts/corrections.test.ts asserts the
// mechanism instead).
//
//   node bench/413-connection-close.mjs [attempts=20] [megabytes=20]
//
// Prints, for the server in its own process and in the client's process, and for
// a keep-alive client, how many attempts got the 413 and which errors the others got.
import { spawn } from 'node:child_process';
import http from 'node:http';

const attempts = Number(process.argv[2] ?? 20);
const megabytes = Number(process.argv[3] ?? 20);

// Lesson 05's answer: 413 at once on Content-Length, then drain for at most 2 s / 64 MiB.
function lesson05Server(http) {
  return http.createServer((req, res) => {
    res.writeHead(413, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'Payload too large' }));
    let drained = 0;
    const hangUp = () => req.socket.destroy();
    const timer = setTimeout(hangUp, 2000);
    req.on('data', (chunk) => {
      drained += chunk.length;
      if (drained > 64 * 1024 * 1024) hangUp();
    });
    req.on('end', () => clearTimeout(timer));
    req.on('close', () => clearTimeout(timer));
    req.resume();
  });
}

const CHILD = `
import http from 'node:http';
const server = (${lesson05Server})(http);
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
setTimeout(() => process.exit(0), 300_000).unref();
`;

async function ownProcessServer() {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { port, close: () => child.kill() };
}

async function inProcessServer() {
  const server = lesson05Server(http);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => server.close() };
}

function upload(port, agent, body) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), 15_000);
    const done = (what) => {
      clearTimeout(timer);
      resolve(what);
    };
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/users', agent, headers: { 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => done(String(res.statusCode)));
      res.on('error', (err) => done(`response ${err.code}`));
    });
    req.on('error', (err) => done(err.code ?? err.message));
    req.end(body);
  });
}

async function measure(name, server, agent) {
  const body = Buffer.alloc(megabytes * 1_000_000, 0x61);
  const tally = {};
  try {
    for (let i = 0; i < attempts; i++) {
      const outcome = await upload(server.port, agent, body);
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }
  } finally {
    server.close();
  }
  console.log(`${name}: ${tally['413'] ?? 0} of ${attempts} got the 413`, JSON.stringify(tally));
}

await measure('Connection: close, server in its own process', await ownProcessServer(), false);
await measure('Connection: close, server in the same process', await inProcessServer(), false);
const keepAlive = new http.Agent({ keepAlive: true });
await measure('keep-alive, server in its own process', await ownProcessServer(), keepAlive);
keepAlive.destroy();
process.exit(0);
