// The probe behind every lesson: prototype patches from an --import preload, forced
// port 0 listens, call order inside end(), and running learners' TypeScript through tsx.
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HOST, httpGet, startChild, type ChildHandle } from './support.ts';

const PRELOAD = `
import http from 'node:http';
import net from 'node:net';
import module from 'node:module';
const log = (...parts) => process.stderr.write('PROBE ' + parts.join(' ') + '\\n');

const writeHead = http.ServerResponse.prototype.writeHead;
http.ServerResponse.prototype.writeHead = function (...args) {
  const stack = new Error().stack ?? '';
  const where = /\\.end \\(node:_http_outgoing/.test(stack) ? 'inside-end' : 'direct';
  log('writeHead', String(args[0]), where);
  return writeHead.apply(this, args);
};

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const isPath = (typeof first === 'string' && !/^\\d+$/.test(first)) ||
    (first !== null && typeof first === 'object' && 'path' in first);
  if (isPath) return listen.apply(this, args);
  const cb = args.find((a) => typeof a === 'function');
  this.once('listening', () => log('LISTENING', this.address().port));
  return cb ? listen.call(this, 0, '127.0.0.1', cb) : listen.call(this, 0, '127.0.0.1');
};

const createServer = http.createServer;
http.createServer = function (...args) {
  log('createServer-wrapped');
  return createServer.apply(this, args);
};
if (process.env.PROBE_SYNC === '1') module.syncBuiltinESMExports();
`;

const handlerBody = `(req, res) => {
    if (req.url === '/404') { res.statusCode = 404; res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"message":"Hello"}');
  }`;

const ESM_PROGRAM = `
import { createServer } from 'node:http';
const server = createServer(${handlerBody});
server.on('listening', () => console.log('EVENT listening'));
server.listen(3000, () => console.log('CB ' + server.address().port));
`;

const CJS_PROGRAM = `
const http = require('http');
const server = http.createServer(${handlerBody});
server.on('listening', () => console.log('EVENT listening'));
server.listen(3000, () => console.log('CB ' + server.address().port));
`;

async function runProbed(program: string, filename: string, env: NodeJS.ProcessEnv = {}): Promise<ChildHandle> {
  return startChild(program, {
    filename,
    files: { 'probe.mjs': PRELOAD },
    nodeArgs: ['--import', './probe.mjs'],
    env,
  });
}

async function exercise(child: ChildHandle): Promise<{ port: number; stderr: string }> {
  const port = Number((await child.waitFor(/CB (\d+)/, 15_000))[1]);
  await child.waitFor(/EVENT listening/, 5_000);
  const ok = await httpGet(`http://${HOST}:${port}/`, { agent: false });
  const missing = await httpGet(`http://${HOST}:${port}/404`, { agent: false });
  expect(ok.status).toBe(200);
  expect(missing.status).toBe(404);
  return { port, stderr: child.stderr() };
}

describe('patching from an --import preload', () => {
  for (const [label, program, filename] of [
    ['an ESM program (named import)', ESM_PROGRAM, 'server.mjs'],
    ['a CJS program (require)', CJS_PROGRAM, 'server.cjs'],
  ] as const) {
    it(`prototype patches of ServerResponse.writeHead and net.Server.listen reach ${label}; listen(3000) forced to port 0 keeps the callback and 'listening'`, async () => {
      const child = await runProbed(program, filename);
      try {
        const { port, stderr } = await exercise(child);
        expect(port).not.toBe(3000);
        expect(stderr).toContain(`PROBE LISTENING ${port}`);
        expect(stderr).toContain('PROBE writeHead 200 direct');
      } finally {
        await child.dispose();
      }
    });
  }

  it('res.statusCode = 404; res.end() calls writeHead internally, after end() is entered', async () => {
    const child = await runProbed(ESM_PROGRAM, 'server.mjs');
    try {
      const { stderr } = await exercise(child);
      expect(stderr).toContain('PROBE writeHead 404 inside-end');
    } finally {
      await child.dispose();
    }
  });

  it('replacing http.createServer reaches CJS, but ESM named imports only after module.syncBuiltinESMExports()', async () => {
    const [esm, cjs, esmSynced] = await Promise.all([
      runProbed(ESM_PROGRAM, 'server.mjs'),
      runProbed(CJS_PROGRAM, 'server.cjs'),
      runProbed(ESM_PROGRAM, 'server.mjs', { PROBE_SYNC: '1' }),
    ]);
    try {
      await Promise.all([esm, cjs, esmSynced].map((c) => c.waitFor(/CB (\d+)/, 15_000)));
      expect(esm.stderr()).not.toContain('createServer-wrapped');
      expect(cjs.stderr()).toContain('createServer-wrapped');
      expect(esmSynced.stderr()).toContain('createServer-wrapped');
    } finally {
      await Promise.all([esm.dispose(), cjs.dispose(), esmSynced.dispose()]);
    }
  });

  it('forcing port 0 works for listen(port), listen({port, host}), listen(port, "localhost"), listen(port, host, backlog, cb) and two servers on one port; a unix-socket path is left alone', async () => {
    const program = `
      import http from 'node:http';
      import path from 'node:path';
      const variants = [
        ['plain', (s, cb) => s.listen(3000, cb)],
        ['options', (s, cb) => s.listen({ port: 3000, host: '0.0.0.0', exclusive: true }, cb)],
        ['localhost', (s, cb) => s.listen(3000, 'localhost', cb)],
        ['backlog', (s, cb) => s.listen(3000, '0.0.0.0', 511, cb)],
        ['second-on-3000', (s, cb) => s.listen(3000, cb)],
      ];
      for (const [name, listen] of variants) {
        const server = http.createServer((req, res) => res.end(name));
        let event = false;
        server.on('listening', () => { event = true; });
        listen(server, () => console.log('CB ' + name + ' ' + event + ' ' + JSON.stringify(server.address())));
      }
      const unix = http.createServer((req, res) => res.end('unix'));
      const socketPath = path.resolve('s.sock');
      unix.listen(socketPath, () => console.log('CB unix ' + JSON.stringify(unix.address() === socketPath)));
    `;
    const child = await startChild(program, {
      filename: 'variants.mjs',
      files: { 'probe.mjs': PRELOAD },
      nodeArgs: ['--import', './probe.mjs'],
    });
    try {
      const names = ['plain', 'options', 'localhost', 'backlog', 'second-on-3000'];
      for (const name of names) {
        const match = await child.waitFor(new RegExp(`CB ${name} (true|false) (.*)\\n`), 15_000);
        expect(match[1], `'listening' fired before the callback for ${name}`).toBe('true');
        const address = JSON.parse(match[2]) as { address: string; port: number };
        expect(address.address).toBe('127.0.0.1');
        const reply = await httpGet(`http://${HOST}:${address.port}/`, { agent: false });
        expect(reply.body).toBe(name);
      }
      await child.waitFor(/CB unix true/, 5_000);
    } finally {
      await child.dispose();
    }
  });
});

describe('learner TypeScript through tsx', () => {
  const require = createRequire(import.meta.url);
  const tsxUrl = pathToFileURL(require.resolve('tsx')).href;
  const program = [
    "import http from 'node:http';",
    'interface Reply { message: string }',
    'const hello: Reply = { message: "Hello" };',
    'const server = http.createServer((req, res) => {',
    "  if (req.url === '/boom') {",
    "    throw new Error('boom from line 6');",
    '  }',
    "  res.writeHead(200, { 'Content-Type': 'application/json' });",
    '  res.end(JSON.stringify(hello));',
    '});',
    "server.listen(3000, () => console.log('CB ' + (server.address() as { port: number }).port));",
    '',
  ].join('\n');

  it('node --import <absolute tsx URL> --import <probe> server.ts runs, and stacks point at .ts lines', async () => {
    const child = await startChild(program, {
      filename: 'server.ts',
      files: { 'probe.mjs': PRELOAD },
      nodeArgs: ['--import', tsxUrl, '--import', './probe.mjs'],
    });
    try {
      const port = Number((await child.waitFor(/CB (\d+)/, 15_000))[1]);
      const reply = await httpGet(`http://${HOST}:${port}/`, { agent: false });
      expect(JSON.parse(reply.body)).toEqual({ message: 'Hello' });
      expect(child.stderr()).toContain(`PROBE LISTENING ${port}`);
      await httpGet(`http://${HOST}:${port}/boom`, { agent: false }).catch(() => undefined);
      const exit = await child.exit(10_000);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('boom from line 6');
      expect(exit.stderr).toMatch(/server\.ts:6:\d+/);
    } finally {
      await child.dispose();
    }
  });

  it('a bare --import tsx resolves from the learner folder and fails there', async () => {
    const child = await startChild(program, { filename: 'server.ts', nodeArgs: ['--import', 'tsx'] });
    try {
      const exit = await child.exit(15_000);
      expect(exit.timedOut).toBe(false);
      expect(exit.code).not.toBe(0);
      expect(exit.stderr).toContain('ERR_MODULE_NOT_FOUND');
    } finally {
      await child.dispose();
    }
  });
});
