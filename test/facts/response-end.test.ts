// Lessons 01, 03, 06: missing-res-end, write-after-end, writes-after-disconnect.
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import {
  CHILD_PRELUDE,
  HOST,
  rawExchange,
  settlesWithin,
  sleep,
  startChildServer,
  startServer,
  statusOf,
  httpGet,
} from './support.ts';

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

describe.concurrent('a forgotten res.end()', () => {
  it('writeHead alone puts nothing on the wire although res.headersSent turns true', async () => {
    let seen: { headersSent: boolean; writableEnded: boolean } | undefined;
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      seen = { headersSent: res.headersSent, writableEnded: res.writableEnded };
    });
    try {
      const result = await rawExchange(srv.port, [GET], { readMs: 800 });
      expect(seen).toEqual({ headersSent: true, writableEnded: false });
      expect(result.data.length).toBe(0);
      expect(result.closed).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('res.write() without end() sends the headers and one chunk, never the terminating chunk', async () => {
    const srv = await startServer((_req, res) => {
      res.write('x');
    });
    try {
      const result = await rawExchange(srv.port, [GET], { readMs: 800 });
      const text = result.data.toString('latin1');
      expect(statusOf(result.data)).toBe(200);
      expect(text).toMatch(/transfer-encoding: chunked/i);
      expect(text.endsWith('\r\n\r\n1\r\nx\r\n')).toBe(true);
      expect(text).not.toContain('0\r\n\r\n');
      expect(result.closed).toBe(false);
    } finally {
      await srv.close();
    }
  });

  it('an http.get client never sees the response end: no completion within a bounded wait', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"message":');
    });
    const agent = new http.Agent();
    try {
      const ended = new Promise<void>((resolve, reject) => {
        const req = http.get({ host: HOST, port: srv.port, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', reject);
        });
        req.on('error', reject);
      });
      expect(await settlesWithin(ended, 1_200)).toBe(false);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  it('requestTimeout, headersTimeout and keepAliveTimeout do not cut an unfinished response; server.timeout does', async () => {
    const guarded = await startServer(
      (_req, res) => {
        res.write('x');
      },
      { requestTimeout: 400, headersTimeout: 300, keepAliveTimeout: 200, connectionsCheckingInterval: 100 },
    );
    const withSocketTimeout = await startServer(
      (_req, res) => {
        res.write('x');
      },
      {},
      (server) => server.setTimeout(400),
    );
    try {
      const [a, b] = await Promise.all([
        rawExchange(guarded.port, [GET], { readMs: 1_500 }),
        rawExchange(withSocketTimeout.port, [GET], { readMs: 1_500 }),
      ]);
      expect(statusOf(a.data)).toBe(200);
      expect(a.closed).toBe(false);
      expect(statusOf(b.data)).toBe(200);
      expect(b.closed).toBe(true);
    } finally {
      await guarded.close();
      await withSocketTimeout.close();
    }
  });
});

describe.concurrent('fresh server defaults', () => {
  it('a fresh http.Server has timeout 0, requestTimeout 300 s, headersTimeout 60 s, keepAliveTimeout 5 s, connectionsCheckingInterval 30 s, requireHostHeader true', () => {
    const server = http.createServer();
    expect({
      timeout: server.timeout,
      requestTimeout: server.requestTimeout,
      headersTimeout: server.headersTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
      connectionsCheckingInterval: (server as http.Server & { connectionsCheckingInterval?: number })
        .connectionsCheckingInterval,
      requireHostHeader: (server as http.Server & { requireHostHeader?: boolean }).requireHostHeader,
    }).toEqual({
      timeout: 0,
      requestTimeout: 300_000,
      headersTimeout: 60_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 30_000,
      requireHostHeader: true,
    });
  });

  it('the header size limit is http.maxHeaderSize = 16384 bytes: bigger request headers get 431', async () => {
    expect(http.maxHeaderSize).toBe(16_384);
    const srv = await startServer((_req, res) => res.end('ok'));
    try {
      const small = await rawExchange(
        srv.port,
        [`GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(15_000)}\r\n\r\n`],
        { until: (d) => d.includes('ok'), readMs: 1_000 },
      );
      const big = await rawExchange(
        srv.port,
        [`GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(17_000)}\r\n\r\n`],
        { until: (d) => d.includes('\r\n\r\n'), readMs: 1_000 },
      );
      expect(statusOf(small.data)).toBe(200);
      expect(statusOf(big.data)).toBe(431);
    } finally {
      await srv.close();
    }
  });
});

describe.concurrent('end() twice and write after end', () => {
  it('a second res.end() without data is ignored: no error, the server keeps serving', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const server = http.createServer((req, res) => {
        res.end('first');
        const again = res.end();
        console.log('SECOND_END_RETURNED ' + (again === res));
      });
      listen(server);
    `);
    try {
      const one = await httpGet(`http://${HOST}:${port}/`, { agent: false });
      const two = await httpGet(`http://${HOST}:${port}/`, { agent: false });
      await sleep(100);
      expect(one.body).toBe('first');
      expect(two.body).toBe('first');
      expect(child.alive()).toBe(true);
      expect(child.stderr()).toBe('');
    } finally {
      await child.dispose();
    }
  });

  for (const [label, call] of [
    ['res.end(data) after end()', "res.end('second')"],
    ['res.write() after end()', "res.write('second')"],
  ] as const) {
    it(`${label} in the same tick crashes the process with ERR_STREAM_WRITE_AFTER_END, try/catch does not help, the first response is delivered`, async () => {
      const { child, port } = await startChildServer(`${CHILD_PRELUDE}
        const server = http.createServer((req, res) => {
          res.end('first');
          try { ${call}; console.log('NO_SYNC_THROW'); } catch (err) { console.log('SYNC_THROW ' + err.code); }
        });
        listen(server);
      `);
      try {
        const result = await rawExchange(port, [GET], { readMs: 1_000 });
        const exit = await child.exit(10_000);
        expect(result.data.toString('latin1')).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\nfirst$/);
        expect(exit.stdout).toContain('NO_SYNC_THROW');
        expect(exit.timedOut).toBe(false);
        expect(exit.code).toBe(1);
        expect(exit.stderr).toContain('ERR_STREAM_WRITE_AFTER_END');
      } finally {
        await child.dispose();
      }
    });
  }

  it('a write from a timer after the response has closed is silently dropped: no crash, no bytes', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const server = http.createServer((req, res) => {
        res.end('done');
        res.on('close', () => console.log('CLOSED'));
        setTimeout(() => {
          const ok = res.write('late');
          res.end('later');
          console.log('LATE_WRITE_RETURNED ' + ok);
        }, 150);
      });
      listen(server);
    `);
    try {
      // keep-alive connection: anything written late would show up on it
      const result = await rawExchange(port, [GET], { readMs: 600 });
      await child.waitFor(/LATE_WRITE_RETURNED false/, 5_000);
      await sleep(100);
      expect(result.data.toString('latin1')).toMatch(/\r\n\r\ndone$/);
      expect(result.closed).toBe(false);
      expect(child.stdout()).toContain('CLOSED');
      expect(child.alive()).toBe(true);
      expect(child.stderr()).toBe('');
    } finally {
      await child.dispose();
    }
  });
});

describe.concurrent('writing after the client left', () => {
  it('writes to a response whose client disconnected are silently dropped and nothing crashes', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      let afterClose = 0;
      const server = http.createServer((req, res) => {
        let closed = false;
        res.on('close', () => { closed = true; console.log('CLOSE'); });
        res.write('tick 0\\n');
        let n = 0;
        const timer = setInterval(() => {
          n += 1;
          if (closed) afterClose += 1;
          res.write('tick ' + n + '\\n');
          // stop after 5 writes past 'close', or after 60 ticks (3 s) at most
          if (afterClose === 5 || n === 60) { clearInterval(timer); res.end(); console.log('AFTER_CLOSE ' + afterClose); }
        }, 50);
      });
      listen(server);
    `);
    try {
      const socket = net.connect({ port, host: HOST });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.write(GET);
          socket.once('data', () => resolve());
        });
      } finally {
        socket.destroy();
      }
      const match = await child.waitFor(/AFTER_CLOSE (\d+)/, 8_000);
      await sleep(100);
      expect(child.stdout()).toContain('CLOSE');
      expect(Number(match[1])).toBeGreaterThan(0);
      expect(child.alive()).toBe(true);
      expect(child.stderr()).toBe('');
    } finally {
      await child.dispose();
    }
  });
});
