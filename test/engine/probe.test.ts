// The probe, from the outside: small programs run under LearnerProcess (from
// source; tsx is loaded before the probe, so the .ts probe runs as is), and the
// events it reports are checked — listen rebinding, response calls in order
// with the learner's file and line, errors with their code and line, request
// aborts, outgoing requests, fetch, blocking *Sync calls, and the environment
// it leaves to the program's children.

import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LearnerProcess } from '../../src/engine/learner-process.ts';
import type { EventOf, ProbeEvent } from '../../src/engine/probe-events.ts';

/** Generous: starting node + tsx on a loaded 2-core machine. */
const START_MS = 15_000;
const EVENT_MS = 5_000;

const dir = mkdtempSync(join(tmpdir(), 'hdj-probe-'));
const programs: LearnerProcess[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(programs.splice(0).map((program) => program.stop()));
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
interface Program {
  file: string;
  /** 1-based line of the line carrying `// MARK:<name>`. */
  line(name: string): number;
  process: LearnerProcess;
}

function run(extension: string, lines: string[], args: string[] = []): Program {
  const file = join(dir, `program-${counter++}${extension}`);
  const text = lines.join('\n') + '\n';
  writeFileSync(file, text);
  const process = new LearnerProcess({ file, args });
  programs.push(process);
  return {
    file,
    process,
    line(name) {
      const index = lines.findIndex((line) => line.includes(`// MARK:${name}`));
      if (index < 0) throw new Error(`no MARK:${name}`);
      return index + 1;
    },
  };
}

async function listening(program: Program): Promise<EventOf<'listen'>> {
  const listen = await program.process.waitForEvent('listen', { timeoutMs: START_MS });
  if (!listen) throw new Error(`the program never listened; stderr: ${program.process.stderr.text()}`);
  return listen;
}

/** One request over a fresh connection, bounded; resolves with status and body. */
function request(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, timeout: EVENT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no response within ${EVENT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A plain upstream server in the test process, for the client-side events. */
async function upstream(): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('upstream says hi');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

function eventsFor(program: Program, id: number): ProbeEvent[] {
  return program.process.events.filter((event) => 'id' in event && event.id === id && event.t !== 'client-req');
}

describe('listen()', () => {
  it.each([
    ['server.listen(3000, cb)', 'server.listen(3000, () => console.log(`callback ${server.address().port}`)); // MARK:listen', { port: 3000, host: undefined }],
    ["server.listen(3000, 'localhost', cb)", "server.listen(3000, 'localhost', () => console.log(`callback ${server.address().port}`)); // MARK:listen", { port: 3000, host: 'localhost' }],
    ["server.listen({ port: 3000, host: '0.0.0.0' }, cb)", "server.listen({ port: 3000, host: '0.0.0.0' }, () => console.log(`callback ${server.address().port}`)); // MARK:listen", { port: 3000, host: '0.0.0.0' }],
    ["server.listen('3000') then 'listening'", "server.on('listening', () => console.log(`callback ${server.address().port}`)); server.listen('3000'); // MARK:listen", { port: '3000', host: undefined }],
  ])('%s binds a free loopback port instead, reports it, and still calls back', async (_name, listenLine, requested) => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      "const server = http.createServer((req, res) => res.end('ok'));",
      listenLine,
    ]);
    const listen = await listening(program);
    expect(listen).toMatchObject({ http: true, host: '127.0.0.1', at: { file: program.file, line: program.line('listen') } });
    expect(listen.requested).toEqual(requested);
    expect(listen.port).not.toBe(3000);
    expect(listen.port).toBeGreaterThan(0);
    // The program's own callback ran and saw the real port; the port answers.
    const printed = await waitFor(() => /callback (\d+)/.exec(program.process.stdout.text())?.[1], EVENT_MS);
    expect(Number(printed)).toBe(listen.port);
    expect(await request(listen.port, 'GET', '/')).toEqual({ status: 200, body: 'ok' });
  });

  // Two servers on one port: the second fails with EADDRINUSE as under plain
  // node (test/engine/probe-differential.test.ts); three ports, three servers.
  it('three servers on three ports get three free ports, and a plain net server is not http', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      "import net from 'node:net';",
      "http.createServer((req, res) => res.end('one')).listen(3000);",
      "http.createServer((req, res) => res.end('two')).listen(3001);",
      'net.createServer((socket) => socket.end()).listen(3002);',
    ]);
    const listens = await waitFor(() => {
      const found = program.process.events.filter((event): event is EventOf<'listen'> => event.t === 'listen');
      return found.length === 3 ? found : undefined;
    }, START_MS);
    expect(listens!.map((listen) => listen.http)).toEqual([true, true, false]);
    expect(new Set(listens!.map((listen) => listen.port)).size).toBe(3);
    expect(listens!.map((listen) => listen.server)).toEqual([1, 2, 3]);
  });
});

describe('responses', () => {
  it('records each call in order, with the .ts file and its .ts line numbers', async () => {
    const program = run('.ts', [
      "import http, { type IncomingMessage, type ServerResponse } from 'node:http';",
      '',
      'interface Reply {',
      '  status: number;',
      '  type: string;',
      '}',
      '',
      'type Handler = (req: IncomingMessage, res: ServerResponse) => void;',
      '',
      "const reply: Reply = { status: 201, type: 'text/plain' };",
      '',
      'const handle: Handler = (_req, res) => {',
      '  res.statusCode = reply.status; // MARK:status',
      "  res.setHeader('Content-Type', reply.type); // MARK:setHeader",
      "  res.write('first,'); // MARK:write",
      "  res.end('last'); // MARK:end",
      '};',
      '',
      'http.createServer(handle).listen(3000); // MARK:listen',
    ]);
    const listen = await listening(program);
    expect(listen.at).toMatchObject({ file: program.file, line: program.line('listen') });
    expect(await request(listen.port, 'GET', '/hello?x=1')).toEqual({ status: 201, body: 'first,last' });
    const req = await program.process.waitForEvent('req', { timeoutMs: EVENT_MS });
    expect(req).toMatchObject({ method: 'GET', url: '/hello?x=1', server: listen.server });
    await program.process.waitForEvent('res-finish', { timeoutMs: EVENT_MS });
    const calls = eventsFor(program, req!.id).filter((event): event is EventOf<'call'> => event.t === 'call' && !event.nested);
    expect(calls.map((call) => [call.fn, call.at?.file, call.at?.line])).toEqual([
      ['statusCode', program.file, program.line('status')],
      ['setHeader', program.file, program.line('setHeader')],
      ['write', program.file, program.line('write')],
      ['end', program.file, program.line('end')],
    ]);
    expect(calls[0]).toMatchObject({ status: 201, state: { headersSent: false } });
    expect(calls[1]).toMatchObject({ name: 'Content-Type', value: 'text/plain' });
    expect(calls[2]).toMatchObject({ bytes: 6, totalBytes: 6, preview: 'first,', inRequest: req!.id });
    expect(calls[3]).toMatchObject({ bytes: 4, totalBytes: 10, state: { headersSent: true, ended: false } });
    const order = eventsFor(program, req!.id).map((event) => event.t);
    expect(order.indexOf('res-finish')).toBeGreaterThan(order.lastIndexOf('call'));
  });

  it('a statusCode assigned after the body started is recorded, with the headers already sent', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      'http.createServer((req, res) => {',
      "  res.write('body first');",
      '  res.statusCode = 404; // MARK:late',
      '  res.end();',
      '}).listen(3000);',
    ]);
    const listen = await listening(program);
    expect((await request(listen.port, 'GET', '/')).status).toBe(200);
    await program.process.waitForEvent('res-finish', { timeoutMs: EVENT_MS });
    const statusCall = program.process.events.find((event): event is EventOf<'call'> => event.t === 'call' && event.fn === 'statusCode');
    expect(statusCall).toMatchObject({ status: 404, state: { headersSent: true }, at: { file: program.file, line: program.line('late') } });
  });

  it('a setHeader after end() throws ERR_HTTP_HEADERS_SENT: recorded as call-threw with the line', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      'http.createServer((req, res) => {',
      "  res.end('done');",
      '  try {',
      "    res.setHeader('X-Late', '1'); // MARK:late",
      '  } catch (error) {',
      '    console.log(`caught ${error.code}`);',
      '  }',
      '}).listen(3000);',
    ]);
    const listen = await listening(program);
    expect(await request(listen.port, 'GET', '/')).toEqual({ status: 200, body: 'done' });
    const threw = await program.process.waitForEvent('call-threw', { timeoutMs: EVENT_MS });
    expect(threw).toMatchObject({ fn: 'setHeader', code: 'ERR_HTTP_HEADERS_SENT', at: { file: program.file, line: program.line('late') } });
    // The probe records; it does not swallow: the program's own catch saw the error.
    expect(await waitFor(() => program.process.stdout.text().includes('caught ERR_HTTP_HEADERS_SENT') || undefined, EVENT_MS)).toBe(true);
  });

  it('an uncaught error: its name, message, code and the learner line, then the exit', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      "import { readFileSync } from 'node:fs';",
      'http.createServer((req, res) => {',
      "  const text = readFileSync('/definitely/not/here.json', 'utf8'); // MARK:throws",
      '  res.end(text);',
      '}).listen(3000);',
    ]);
    const listen = await listening(program);
    await expect(request(listen.port, 'GET', '/')).rejects.toThrow();
    const uncaught = await program.process.waitForEvent('uncaught', { timeoutMs: EVENT_MS });
    expect(uncaught).toMatchObject({ origin: 'uncaughtException', name: 'Error', code: 'ENOENT', at: { file: program.file, line: program.line('throws') } });
    expect(uncaught!.message).toContain('/definitely/not/here.json');
    const exit = await program.process.waitForExit(EVENT_MS);
    expect(exit).toMatchObject({ code: 1, killedBy: null });
    expect(program.process.events.some((event) => event.t === 'exit' && event.code === 1)).toBe(true);
  });

  it('process.exit() is recorded with its code and the learner line, before the exit (lesson 14)', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      'http.createServer((req, res) => res.end()).listen(3000, () => {',
      '  setTimeout(() => process.exit(3), 50); // MARK:exit',
      '});',
    ]);
    const exit = await program.process.waitForExit(START_MS);
    expect(exit).toMatchObject({ code: 3, killedBy: null });
    const call = program.process.events.find((event): event is EventOf<'exit-call'> => event.t === 'exit-call');
    expect(call).toMatchObject({ code: 3, at: { file: program.file, line: program.line('exit') } });
  });

  it('a client that aborts mid-body: req-close with complete=false', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      'http.createServer((req, res) => {',
      '  req.on("data", () => {});',
      "  req.on('end', () => res.end('whole'));",
      '}).listen(3000);',
    ]);
    const listen = await listening(program);
    const socket = net.connect({ port: listen.port, host: '127.0.0.1' });
    closers.push(async () => void socket.destroy());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    const req = await program.process.waitForEvent('req', { timeoutMs: EVENT_MS });
    expect(req).toMatchObject({ method: 'POST', url: '/upload' });
    socket.destroy();
    const closed = await program.process.waitForEvent('req-close', { timeoutMs: EVENT_MS, where: (event) => event.id === req!.id });
    expect(closed).toMatchObject({ complete: false });
    expect(program.process.events.some((event) => event.t === 'req-end')).toBe(false);
  });

  it('*Sync calls inside a handler, named import or not, are attributed to the request and the line', async () => {
    const program = run('.mjs', [
      "import http from 'node:http';",
      "import crypto, { pbkdf2Sync } from 'node:crypto';",
      'http.createServer((req, res) => {',
      "  const a = pbkdf2Sync('secret', 'salt', 1000, 32, 'sha256'); // MARK:named",
      "  const b = crypto.pbkdf2Sync('secret', 'salt', 1000, 32, 'sha256'); // MARK:member",
      "  res.end(String(a.equals(b)));",
      '}).listen(3000);',
    ]);
    const listen = await listening(program);
    expect(await request(listen.port, 'GET', '/hash')).toEqual({ status: 200, body: 'true' });
    const req = await program.process.waitForEvent('req', { timeoutMs: EVENT_MS });
    await program.process.waitForEvent('res-finish', { timeoutMs: EVENT_MS });
    const syncCalls = program.process.events.filter((event): event is EventOf<'sync-call'> => event.t === 'sync-call' && event.fn === 'crypto.pbkdf2Sync');
    expect(syncCalls.map((call) => [call.inRequest, call.at?.file, call.at?.line])).toEqual([
      [req!.id, program.file, program.line('named')],
      [req!.id, program.file, program.line('member')],
    ]);
    expect(syncCalls[0].arg).toBe('secret');
  });
});

describe('outgoing requests', () => {
  it('http.get: client-req with the line, the socket, the response and its end', async () => {
    const port = await upstream();
    const program = run(
      '.mjs',
      [
        "import http from 'node:http';",
        'const port = Number(process.argv[2]);',
        'http.get(`http://127.0.0.1:${port}/from-client`, (res) => { // MARK:get',
        '  res.resume();',
        "  res.on('end', () => console.log('client done'));",
        '});',
      ],
      [String(port)],
    );
    const exit = await program.process.waitForExit(START_MS);
    expect(exit, program.process.stderr.text()).toMatchObject({ code: 0 });
    expect(program.process.stdout.text()).toContain('client done');
    const clientReq = program.process.events.find((event): event is EventOf<'client-req'> => event.t === 'client-req');
    expect(clientReq).toMatchObject({ method: 'GET', host: '127.0.0.1', path: '/from-client', inRequest: null, agent: { global: true }, at: { file: program.file, line: program.line('get') } });
    const types = program.process.events.filter((event) => 'id' in event && event.id === clientReq!.id).map((event) => event.t);
    for (const type of ['client-socket', 'client-res', 'client-res-end', 'client-close']) expect(types).toContain(type);
    expect(program.process.events.find((event) => event.t === 'client-res')).toMatchObject({ status: 200 });
    // http.get ends the request itself: the end() call is recorded as the client's.
    expect(program.process.events.some((event) => event.t === 'client-call' && event.fn === 'end' && event.id === clientReq!.id)).toBe(true);
  });

  it('a keep-alive agent: the second request reports a reused socket, on the same local port', async () => {
    const port = await upstream();
    const program = run(
      '.mjs',
      [
        "import http from 'node:http';",
        'const port = Number(process.argv[2]);',
        'const agent = new http.Agent({ keepAlive: true });',
        "const get = (path) => new Promise((resolve) => http.get({ host: '127.0.0.1', port, path, agent }, (res) => { res.resume(); res.on('end', resolve); }));",
        "await get('/a');",
        "await get('/b');",
        'agent.destroy();',
      ],
      [String(port)],
    );
    const exit = await program.process.waitForExit(START_MS);
    expect(exit, program.process.stderr.text()).toMatchObject({ code: 0 });
    const sockets = program.process.events.filter((event): event is EventOf<'client-socket'> => event.t === 'client-socket');
    expect(sockets.map((socket) => socket.reused)).toEqual([false, true]);
    expect(sockets[1].localPort).toBe(sockets[0].localPort);
    // maxSockets is Infinity by default, which JSON carries as null.
    expect(program.process.events.filter((event) => event.t === 'client-req').map((event) => (event as EventOf<'client-req'>).agent)).toEqual([
      { global: false, keepAlive: true, maxSockets: null },
      { global: false, keepAlive: true, maxSockets: null },
    ]);
  });

  it('fetch() is recorded with its URL and line', async () => {
    const port = await upstream();
    const program = run(
      '.mjs',
      [
        'const port = Number(process.argv[2]);',
        'const res = await fetch(`http://127.0.0.1:${port}/fetched`); // MARK:fetch',
        'console.log(`fetched ${res.status} ${await res.text()}`);',
      ],
      [String(port)],
    );
    const exit = await program.process.waitForExit(START_MS);
    expect(exit, program.process.stderr.text()).toMatchObject({ code: 0 });
    expect(program.process.stdout.text()).toContain('fetched 200 upstream says hi');
    const fetched = program.process.events.find((event) => event.t === 'fetch');
    expect(fetched).toMatchObject({ url: `http://127.0.0.1:${port}/fetched`, at: { file: program.file, line: program.line('fetch') } });
  });
});

describe('the environment', () => {
  it('HTTPDOJO_PROBE_FD is gone for the program and its children; the run tag stays', async () => {
    const program = run('.mjs', [
      "import { execFileSync } from 'node:child_process';",
      "console.log(`self ${process.env.HTTPDOJO_PROBE_FD ?? 'unset'}`);",
      "const child = execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify({ fd: process.env.HTTPDOJO_PROBE_FD ?? null, run: process.env.HTTPDOJO_RUN ?? null }))'], { encoding: 'utf8' });",
      'console.log(`child ${child.trim()}`);',
    ]);
    const exit = await program.process.waitForExit(START_MS);
    expect(exit, program.process.stderr.text()).toMatchObject({ code: 0 });
    const stdout = program.process.stdout.text();
    expect(stdout).toContain('self unset');
    const child = JSON.parse(/child (.*)/.exec(stdout)![1]) as { fd: string | null; run: string | null };
    expect(child).toEqual({ fd: null, run: program.process.tag });
    // The probe said hello first, with the program's pid and argv.
    expect(program.process.events[0]).toMatchObject({ t: 'hello', pid: program.process.pid, node: process.version });
  });
});

/** Polls `read` every 25 ms until it returns something other than undefined, or `timeoutMs` passes. */
async function waitFor<T>(read: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined || performance.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
