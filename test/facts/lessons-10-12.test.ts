// Lessons 10-12: Node 20 behaviour the client checks (lessons/10-*, 11-*,
// 12-*/check.ts) and the probe's client events rely on, not covered by the
// other fact files.
import { describe, it, expect } from 'vitest';
import dc from 'node:diagnostics_channel';
import http from 'node:http';
import { HOST, sleep, startChild, startServer, withDeadline } from './support.ts';

describe('what the probe can see of a client request', () => {
  it("'http.client.request.start' is published only once the request is finished: never for a request without end()", async () => {
    const srv = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const started: string[] = [];
    const onStart = (message: unknown) => started.push((message as { request: http.ClientRequest }).request.path);
    dc.subscribe('http.client.request.start', onStart);
    const open = http.request({ host: HOST, port: srv.port, method: 'POST', path: '/never-ended', agent: false });
    open.on('error', () => {});
    try {
      open.write('{"name":"Zoë"}');
      const ended = http.request({ host: HOST, port: srv.port, method: 'POST', path: '/ended', agent: false }, (res) => res.resume());
      ended.on('error', () => {});
      expect(started).toEqual([]); // not even for the ended one: it is published from _finish, on a later tick
      ended.end('{}');
      await withDeadline(new Promise((resolve) => ended.on('close', resolve)), 2_000, 'ended request');
      await sleep(100);
      expect(started).toEqual(['/ended']);
    } finally {
      dc.unsubscribe('http.client.request.start', onStart);
      open.destroy();
      await srv.close();
    }
  });
});

describe('a response cut in the middle of its body', () => {
  const server = `
    import http from 'node:http';
    export function start(onListening) {
      const srv = http.createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('half a bo');
        setTimeout(() => res.socket.destroy(), 100);
      });
      srv.listen(0, '127.0.0.1', () => onListening(srv));
    }
  `;
  const client = (withListener: boolean) => `
    import http from 'node:http';
    import { start } from './server.mjs';
    start((srv) => {
      http.get('http://127.0.0.1:' + srv.address().port + '/', (res) => {
        res.on('data', () => {});
        res.on('end', () => console.log('END'));
        ${withListener ? "res.on('error', (err) => { console.error('Error: ' + err.message + ' ' + err.code); process.exitCode = 1; });" : ''}
        res.on('close', () => srv.close());
      }).on('error', (err) => { console.error('REQ ' + err.message); process.exitCode = 1; });
    });
  `;

  it("without an 'error' listener on the response nothing is reported: no crash, no 'end', exit code 0", async () => {
    const child = await startChild(client(false), { files: { 'server.mjs': server } });
    try {
      const result = await child.exit(5_000);
      expect(result.timedOut).toBe(false);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('END');
      expect(result.stderr).toBe('');
    } finally {
      await child.dispose();
    }
  });

  it("with a listener the response emits 'error' (aborted, ECONNRESET), and the request emits none", async () => {
    const child = await startChild(client(true), { files: { 'server.mjs': server } });
    try {
      const result = await child.exit(5_000);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe('Error: aborted ECONNRESET');
      expect(result.stdout).not.toContain('END');
    } finally {
      await child.dispose();
    }
  });

  it('for await over the response rejects (an unhandled rejection if not caught)', async () => {
    const child = await startChild(
      `
      import http from 'node:http';
      import { start } from './server.mjs';
      start((srv) => {
        http.get('http://127.0.0.1:' + srv.address().port + '/', async (res) => {
          res.on('close', () => srv.close());
          for await (const chunk of res) void chunk;
          console.log('END');
        });
      });
    `,
      { files: { 'server.mjs': server } },
    );
    try {
      const result = await child.exit(5_000);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('END');
      expect(result.stderr).toMatch(/Error: aborted/);
    } finally {
      await child.dispose();
    }
  });
});

describe('a response body nobody reads', () => {
  // The status goes to stdout here only so that the test can wait for it.
  const source = (resume: boolean) => `
    import http from 'node:http';
    http.get('http://127.0.0.1:' + process.argv[2] + '/missing', (res) => {
      console.log('HTTP ' + res.statusCode);
      process.exitCode = 1;
      ${resume ? 'res.resume();' : ''}
    });
  `;

  it('keeps the process alive after a 404 until the server drops the connection; res.resume() lets it exit at once', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"Not found"}');
    }, { keepAliveTimeout: 5_000 });
    const unread = await startChild(source(false), { args: [String(srv.port)] });
    const resumed = await startChild(source(true), { args: [String(srv.port)] });
    try {
      await resumed.waitFor(/HTTP 404/, 10_000);
      const quick = await resumed.exit(2_000);
      expect(quick.timedOut).toBe(false);
      expect(quick.code).toBe(1);
      await unread.waitFor(/HTTP 404/, 10_000);
      await sleep(2_500);
      expect(unread.alive()).toBe(true);
    } finally {
      await unread.dispose();
      await resumed.dispose();
      await srv.close();
    }
  });
});

describe('a POST whose Content-Length counts UTF-16 units', () => {
  it('a Node server reads that many bytes as the body and answers the leftover bytes with 400, closing the connection', async () => {
    const name = 'Zoë 😀';
    const body = JSON.stringify({ name });
    const seen: Buffer[] = [];
    const srv = await startServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        seen.push(Buffer.concat(parts));
        setTimeout(() => res.end('{"id":3}'), 50);
      });
    });
    try {
      const outcome = await withDeadline(
        new Promise<{ status?: number; error?: string }>((resolve) => {
          const req = http.request(
            { host: HOST, port: srv.port, method: 'POST', path: '/api/users', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
            (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode }));
            },
          );
          req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code }));
          req.end(body);
        }),
        3_000,
        'POST with a short Content-Length',
      );
      expect(body.length).toBe(17);
      expect(Buffer.byteLength(body)).toBe(20);
      expect(outcome.status).toBe(400);
      expect(seen).toHaveLength(1);
      expect(seen[0].length).toBe(17);
      expect(seen[0].equals(Buffer.from(body).subarray(0, 17))).toBe(true);
    } finally {
      await srv.close();
    }
  });
});

describe('keep-alive between a Node agent and a Node server', () => {
  async function connectionsFor(keepAliveTimeout: number): Promise<number> {
    const srv = await startServer((_req, res) => res.end('ok'), { keepAliveTimeout });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      for (let i = 0; i < 4; i++) {
        await withDeadline(
          new Promise<void>((resolve, reject) => {
            http.get({ host: HOST, port: srv.port, path: `/items/${i + 1}`, agent }, (res) => {
              res.resume();
              res.on('end', () => resolve());
            }).on('error', reject);
          }),
          2_000,
          'get',
        );
        await sleep(20);
      }
      return srv.connections();
    } finally {
      agent.destroy();
      await srv.close();
    }
  }

  it('a server advertising Keep-Alive: timeout=1 gets no reuse; timeout=5 (the default, what the test server uses) gets one connection', async () => {
    expect(await connectionsFor(1_000)).toBe(4);
    expect(await connectionsFor(5_000)).toBe(1);
  });

  it('four workers through Agent({ maxSockets: 4 }) without keepAlive open far more than 4 connections for 20 requests', async () => {
    const srv = await startServer((req, res) => {
      setTimeout(() => res.end(`item ${req.url?.split('/').pop()}`), 20 + Math.floor(Math.random() * 60));
    });
    const agent = new http.Agent({ maxSockets: 4 });
    let next = 1;
    const get = (n: number) =>
      new Promise<string>((resolve, reject) => {
        http.get({ host: HOST, port: srv.port, path: `/items/${n}`, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (s: string) => (text += s));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
    const worker = async () => {
      while (next <= 20) await get(next++);
    };
    try {
      await withDeadline(Promise.all([worker(), worker(), worker(), worker()]), 10_000, '4 workers');
      expect(srv.connections()).toBeGreaterThan(8);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});
