// The floor under bench/classroom.js: a raw node:http server that answers every
// POST as soon as its body has arrived (no parsing, no disk), hit the same way
// (300 posts at once, three rounds, from one client process on the same machine).
// Whatever latency this shows, the board cannot beat on this machine.
// Run: node bench/classroom-floor.js
import { spawn } from 'node:child_process';
import http from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './cpu.js';

const LEARNERS = Number(process.env.LEARNERS ?? 300);


if (process.argv[2] === '--server') {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 11 });
      res.end('{"ok":true}');
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
} else {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const deadline = setTimeout(() => {
    child.kill('SIGKILL');
    process.exit(1);
  }, 60_000);
  const port = await new Promise((resolve) => child.stdout.once('data', (data) => resolve(Number(String(data)))));
  // A fresh connection per post, as the outbox and bench/classroom.js (KEEPALIVE=1: reused).
  const agent = process.env.KEEPALIVE ? new http.Agent({ keepAlive: true, maxSockets: Infinity }) : false;
  console.log(`floor: ${LEARNERS} posts at once to a do-nothing node:http server (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
  for (let round = 1; round <= 3; round++) {
    const before = { server: cpuMs(child.pid), client: cpuMs(process.pid) };
    const times = await Promise.all(Array.from({ length: LEARNERS }, (_, i) => new Promise((resolve) => {
      const body = JSON.stringify({ id: `floor-${i}-${round}`, pad: 'x'.repeat(250) });
      let sent = performance.now();
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - sent));
      });
      req.on('finish', () => (sent = performance.now()));
      req.on('error', () => resolve(Infinity));
      req.end(body);
    })));
    times.sort((a, b) => a - b);
    const at = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
    const perPost = (pid, from) => ((cpuMs(pid) - from) / LEARNERS).toFixed(3);
    console.log(`round ${round}: from request sent p50 ${at(50)} ms, p99 ${at(99)} ms; CPU per post: server ${perPost(child.pid, before.server)} ms, client ${perPost(process.pid, before.client)} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (agent) agent.destroy();
  clearTimeout(deadline);
  child.kill('SIGTERM');
}
