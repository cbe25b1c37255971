// The classroom board under a workshop's worst minute: 300 learners posting a
// verify at the same moment (three rounds), 5 boards listening over SSE.
// Reports errors, acknowledgement latency (p50/p99/max, which includes the
// batched fsync) and event-to-board latency (post sent -> learner's new state in
// every board's stream). The board runs as the real CLI in its own process, on
// 127.0.0.1. Run after `npm run build`: node bench/classroom.js
// (BOARD_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the board.)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './cpu.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Wall-clock ms with sub-ms precision, comparable across processes (same system clock). */
const wall = () => performance.timeOrigin + performance.now();

// The boards run in a process of their own (`--boards <stream URL> <n>`), so that
// parsing their frames does not delay the learners' posts in this one.
if (process.argv[2] === '--boards') {
  const [, , , streamUrl, count] = process.argv;
  const seen = new Set();
  let open = 0;
  for (let board = 0; board < Number(count); board++) {
    http.get(streamUrl, (res) => {
      if (++open === Number(count)) process.stdout.write('ready\n');
      let buffer = '';
      res.setEncoding('utf8').on('data', (text) => {
        buffer += text;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const line = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!line) continue;
          const now = wall();
          const out = [];
          for (const learner of JSON.parse(line.slice(6)).learners) {
            const key = `${board} ${learner.id} ${learner.cells['01-hello-server']?.attempts}`;
            if (!seen.has(key)) {
              seen.add(key);
              out.push(`${key} ${now}`);
            }
          }
          if (out.length) process.stdout.write(out.join('\n') + '\n');
        }
      });
      res.on('error', () => process.stdout.write('error\n'));
    }).on('error', () => process.stdout.write('error\n'));
  }
  process.on('SIGTERM', () => process.exit(0));
  await new Promise(() => {});
}

const LEARNERS = Number(process.env.LEARNERS ?? 300);
const BOARDS = Number(process.env.BOARDS ?? 5);
const ROUNDS = 3;

const data = mkdtempSync(join(tmpdir(), 'hdj-bench-classroom-'));
const child = spawn(process.execPath, [...(process.env.BOARD_NODE_FLAGS ? process.env.BOARD_NODE_FLAGS.split(' ') : []), join(root, 'bin/httpdojo.js'), 'classroom', '--json', '--host', '127.0.0.1', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
let listener;
const cleanup = () => {
  child.kill('SIGKILL');
  listener?.kill('SIGKILL');
  rmSync(data, { recursive: true, force: true });
};
// However the script ends (an exception included, such as a board that exits at
// start), the board, the listeners and the data folder go with it.
process.on('exit', () => {
  child.kill('SIGKILL');
  listener?.kill('SIGKILL');
  rmSync(data, { recursive: true, force: true });
});
const deadline = setTimeout(() => {
  console.error('bench: gave up after 120 s');
  cleanup();
  process.exit(1);
}, 120_000);

const urls = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text) => {
    out += text;
    if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
  });
  child.once('exit', () => reject(new Error('the board exited')));
});


const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (value) => `${value.toFixed(1)} ms`;

// ------------------------------------------------------------ boards
const seenAt = new Map(); // `${board} ${learner} ${attempts}` -> wall time seen
let streamErrors = 0;
listener = spawn(process.execPath, [fileURLToPath(import.meta.url), '--boards', urls.board.replace('/board?', '/stream?'), String(BOARDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve) => {
  let buffer = '';
  if (BOARDS === 0) resolve();
  listener.stdout.setEncoding('utf8').on('data', (text) => {
    buffer += text;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) {
      if (line === 'ready') resolve();
      else if (line === 'error') streamErrors += 1;
      else {
        const at = line.lastIndexOf(' ');
        seenAt.set(line.slice(0, at), Number(line.slice(at + 1)));
      }
    }
  });
});

// ------------------------------------------------------------ learners
// A fresh connection per post (`agent: false`, so `Connection: close`), as the
// learners' outbox sends (src/workspace/classroom-outbox.ts). KEEPALIVE=1 reuses
// connections instead (rounds 2 and 3 then skip the connection setup).
const agent = process.env.KEEPALIVE ? new http.Agent({ keepAlive: true, maxSockets: Infinity }) : false;
function post(learner, attempts) {
  const body = JSON.stringify({ id: `bench-${learner}-${attempts}`, type: 'verify', learner: `learner-${String(learner).padStart(4, '0')}`, name: `Learner ${learner}`, lesson: '01-hello-server', passed: attempts === ROUNDS, failed: attempts === ROUNDS ? [] : [{ id: 'answers', pitfall: 'missing-res-end' }], attempts, lessonMs: attempts * 60_000, version: 'bench' });
  const started = performance.now();
  const startedWall = wall();
  return new Promise((resolve) => {
    const req = http.request(`${urls.join}/events`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      const serverMs = Number(/dur=([\d.]+)/.exec(res.headers['server-timing'] ?? '')?.[1] ?? NaN);
      res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode, startedWall, ms: performance.now() - started, sentMs: performance.now() - sentAt, serverMs }));
    });
    // When the whole request has left this process: the wait a learner on a machine of its own would see.
    let sentAt = started;
    req.on('finish', () => (sentAt = performance.now()));
    req.on('error', (error) => resolve({ ok: false, status: error.code, startedWall, ms: performance.now() - started }));
    req.end(body);
  });
}

const acks = [];
const serverAcks = [];
const sentAcks = [];
const sent = new Map(); // `${learner}:${attempts}` -> time sent
let errors = 0;
const cpu = { board: 0, clients: 0, boards: 0 };
for (let round = 1; round <= ROUNDS; round++) {
  const before = { board: cpuMs(child.pid), clients: cpuMs(process.pid), boards: cpuMs(listener.pid) };
  const results = await Promise.all(Array.from({ length: LEARNERS }, (_, learner) => {
    const promise = post(learner, round);
    return promise.then((result) => {
      sent.set(`learner-${String(learner).padStart(4, '0')}:${round}`, result.startedWall);
      return result;
    });
  }));
  for (const result of results) {
    if (result.ok) {
      acks.push(result.ms);
      sentAcks.push(result.sentMs);
      serverAcks.push(result.serverMs);
    }
    else errors += 1;
  }
  // The CPU each process spent on this round, from its first post to its last ack
  // (the frames pushed after the last ack are left out, in all three).
  const spent = {};
  for (const [key, pid] of [['board', child.pid], ['clients', process.pid], ['boards', listener.pid]]) cpu[key] += spent[key] = cpuMs(pid) - before[key];
  if (process.env.VERBOSE) console.error(`round ${round}: from request sent p50 ${ms(percentile(results.map((r) => r.sentMs), 50))}, p99 ${ms(percentile(results.map((r) => r.sentMs), 99))}; CPU per post: board ${(spent.board / LEARNERS).toFixed(3)} ms, clients ${(spent.clients / LEARNERS).toFixed(3)} ms, boards listening ${(spent.boards / LEARNERS).toFixed(3)} ms`);
  await new Promise((r) => setTimeout(r, 500));
}
// Let the last frames arrive.
await new Promise((r) => setTimeout(r, 1000));

const toBoard = [];
let missing = 0;
for (const [key, started] of sent) {
  const [learner, attempts] = key.split(':');
  for (let board = 0; board < BOARDS; board++) {
    const seen = seenAt.get(`${board} ${learner} ${attempts}`);
    if (seen === undefined) missing += 1;
    else toBoard.push(seen - started);
  }
}

console.log(`classroom bench: ${LEARNERS} learners x ${ROUNDS} rounds posting at once, ${BOARDS} boards on SSE (node ${process.version}, load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
console.log(`| what | value |\n|---|---|`);
console.log(`| posts | ${LEARNERS * ROUNDS} |`);
console.log(`| errors (non-200 or network) | ${errors + streamErrors} |`);
console.log(`| ack latency from request created (one client process for all 300) p50 / p99 / max | ${ms(percentile(acks, 50))} / ${ms(percentile(acks, 99))} / ${ms(Math.max(...acks))} |`);
console.log(`| ack latency from request sent p50 / p99 / max | ${ms(percentile(sentAcks, 50))} / ${ms(percentile(sentAcks, 99))} / ${ms(Math.max(...sentAcks))} |`);
console.log(`| ack latency inside the board (Server-Timing) p50 / p99 / max | ${ms(percentile(serverAcks, 50))} / ${ms(percentile(serverAcks, 99))} / ${ms(Math.max(...serverAcks))} |`);
if (toBoard.length) console.log(`| event-to-board p50 / p99 / max | ${ms(percentile(toBoard, 50))} / ${ms(percentile(toBoard, 99))} / ${ms(Math.max(...toBoard))} |`);
console.log(`| updates never seen on a board | ${missing} |`);
console.log(`| CPU per post during the rounds: board / clients / boards listening | ${(cpu.board / (LEARNERS * ROUNDS)).toFixed(3)} / ${(cpu.clients / (LEARNERS * ROUNDS)).toFixed(3)} / ${(cpu.boards / (LEARNERS * ROUNDS)).toFixed(3)} ms |`);

listener.kill('SIGTERM');
if (agent) agent.destroy();
clearTimeout(deadline);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(data, { recursive: true, force: true });
process.exitCode = errors + streamErrors + missing === 0 ? 0 : 1;
