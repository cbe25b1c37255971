// The probe's `bodyBytesIn` on write/end calls (added for lessons 04-05): how many
// request body bytes the server had received when it answered. A handler that
// answers at once has 0; one that answers in 'end' has the whole body; a 413 in
// the 'data' listener has what arrived up to that chunk. Counting must not change
// the stream: the program's own 'data'/'end' handling sees every byte.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LearnerProcess } from '../../src/engine/learner-process.ts';

const START_MS = 15_000;
const EVENT_MS = 5_000;

const dir = mkdtempSync(join(tmpdir(), 'hdj-probe-bytes-'));
const programs: LearnerProcess[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(programs.splice(0).map((program) => program.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SERVER = [
  "import http from 'node:http';",
  'http.createServer((req, res) => {',
  "  if (req.url === '/at-once') { res.end('early'); return; }",
  '  let size = 0;',
  "  req.on('data', (chunk) => {",
  '    size += chunk.length;',
  "    if (req.url === '/limit' && size > 1000 && !res.headersSent) { res.writeHead(413); res.end('too large'); }",
  '  });',
  "  req.on('end', () => { if (!res.headersSent) res.end(String(size)); });",
  '}).listen(3000);',
];

async function start(): Promise<{ program: LearnerProcess; port: number }> {
  const file = join(dir, `server-${programs.length}.mjs`);
  writeFileSync(file, SERVER.join('\n') + '\n');
  const program = new LearnerProcess({ file });
  programs.push(program);
  const listen = await program.waitForEvent('listen', { timeoutMs: START_MS });
  if (!listen) throw new Error(`never listened: ${program.stderr.text()}`);
  return { program, port: listen.port };
}

async function send(port: number, parts: Array<string | Buffer | number>): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  sockets.push(socket);
  socket.setNoDelay(true);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (const part of parts) {
    if (typeof part === 'number') await new Promise((resolve) => setTimeout(resolve, part));
    else socket.write(part);
  }
  const deadline = Date.now() + EVENT_MS;
  while (!/\r\n\r\n/.test(received) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return received;
}

function endCall(program: LearnerProcess, url: string) {
  const req = program.events.find((event) => event.t === 'req' && event.url === url) as { id: number } | undefined;
  return program.waitForEvent('call', { timeoutMs: EVENT_MS, where: (event) => event.id === req?.id && event.fn === 'end' });
}

describe('bodyBytesIn on write/end calls', () => {
  it('is 0 for an answer given before any body arrived, the whole body in end, and the count so far for a 413 in data', async () => {
    const { program, port } = await start();
    const head = (url: string, length: number) => `POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;

    await send(port, [head('/at-once', 10), 50, '0123456789']);
    expect((await endCall(program, '/at-once'))?.bodyBytesIn).toBe(0);

    const whole = await send(port, [head('/whole', 3000), 'a'.repeat(1000), 30, 'é'.repeat(1000)]);
    expect(whole).toMatch(/\r\n\r\n3000$/);
    expect((await endCall(program, '/whole'))?.bodyBytesIn).toBe(3000);

    await send(port, [head('/limit', 5000), 'a'.repeat(800), 30, 'b'.repeat(800), 30, 'c'.repeat(800)]);
    // 1600 when the pieces are read one by one; a stalled server may read two at once.
    const limit = (await endCall(program, '/limit'))?.bodyBytesIn ?? 0;
    expect(limit).toBeGreaterThan(1000);
    expect(limit).toBeLessThanOrEqual(2400);
  });
});
