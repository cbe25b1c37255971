// Lessons 13-15: Node 20 behaviour that the lessons' text states and the checks
// (lessons/13-*, 14-*, 15-*/check.ts) rely on, not covered by the other fact files.
// Anything that may crash or wedge runs in a child process.
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { pipeline } from 'node:stream';
import { CHILD_PRELUDE, HOST, rawExchange, sleep, startChild, startChildServer, startServer, statusOf, withDeadline } from './support.ts';

/** A port where nothing listens: bound, then released. */
async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.concurrent('lesson 13: a failing upstream request', () => {
  it("an upstream request destroyed before its response emits 'error' ECONNRESET \"socket hang up\"; without a listener the process crashes", async () => {
    const upstream = await startServer(() => {
      // Never answers: the request stays open until the client destroys it.
    });
    const source = `
      import http from 'node:http';
      const req = http.request({ host: '${HOST}', port: ${upstream.port}, path: '/slow' });
      if (process.argv[2] === 'listen') req.on('error', (err) => { console.log('error ' + err.code + ' ' + err.message); });
      req.end();
      req.on('socket', (socket) => socket.on('connect', () => setTimeout(() => req.destroy(), 100)));
      setTimeout(() => process.exit(0), 3000).unref();
    `;
    try {
      const [bare, listened] = await Promise.all([
        startChild(source).then(async (child) => {
          try {
            return await child.exit(10_000);
          } finally {
            await child.dispose();
          }
        }),
        startChild(source, { args: ['listen'] }).then(async (child) => {
          try {
            return await child.exit(10_000);
          } finally {
            await child.dispose();
          }
        }),
      ]);
      expect(bare.timedOut).toBe(false);
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain('socket hang up');
      expect(bare.stderr).toContain('ECONNRESET');
      expect(listened.code).toBe(0);
      expect(listened.stdout).toContain('error ECONNRESET socket hang up');
    } finally {
      await upstream.close();
    }
  });

  it("an upstream that closes the connection without answering: 'error' ECONNRESET \"socket hang up\"; a refused one: ECONNREFUSED", async () => {
    const upstream = await startServer((req) => req.socket.destroy());
    const deadPort = await refusedPort();
    const failure = (port: number) =>
      withDeadline(
        new Promise<NodeJS.ErrnoException>((resolve, reject) => {
          const req = http.get({ host: HOST, port, path: '/', agent: false }, () => reject(new Error('got a response')));
          req.on('error', resolve);
        }),
        5_000,
        'upstream error',
      );
    try {
      const [hangUp, refused] = await Promise.all([failure(upstream.port), failure(deadPort)]);
      expect(hangUp.code).toBe('ECONNRESET');
      expect(hangUp.message).toBe('socket hang up');
      expect(refused.code).toBe('ECONNREFUSED');
    } finally {
      await upstream.close();
    }
  });

  it('a client that disconnects mid-response: pipeline(upstreamRes, res) aborts the upstream request, upstreamRes.pipe(res) leaves it open', async () => {
    // The upstream streams a chunk every 50 ms for 2 s and records whether its client went away.
    const aborted: Record<string, boolean> = {};
    const upstream = await startServer((req, res) => {
      const name = req.url ?? '';
      aborted[name] = false;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write('tick\n'), 50);
      const stop = setTimeout(() => res.end('done\n'), 2_000);
      res.on('close', () => {
        clearInterval(timer);
        clearTimeout(stop);
        if (!res.writableFinished) aborted[name] = true;
      });
    });
    const proxy = await startServer((req, res) => {
      const upstreamReq = http.request({ host: HOST, port: upstream.port, path: req.url, agent: false }, (upstreamRes) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        if (req.url === '/pipeline') pipeline(upstreamRes, res, () => {});
        else upstreamRes.pipe(res);
      });
      upstreamReq.on('error', () => {});
      upstreamReq.end();
    });
    try {
      for (const path of ['/pipeline', '/pipe']) {
        await rawExchange(proxy.port, [`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`], { until: (data) => data.includes('tick'), deadlineMs: 3_000 });
      }
      await sleep(500);
      expect(aborted['/pipeline']).toBe(true);
      expect(aborted['/pipe']).toBe(false);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('http.request without Content-Length streams a POST body chunked and adds its own Connection header', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const upstream = await startServer((req, res) => {
      seen = req.headers;
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    try {
      await withDeadline(
        new Promise<void>((resolve, reject) => {
          const req = http.request({ host: HOST, port: upstream.port, method: 'POST', path: '/', headers: { 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('error', reject);
          req.write('{"a":');
          setTimeout(() => req.end('1}'), 20);
        }),
        5_000,
        'chunked POST',
      );
      expect(seen['transfer-encoding']).toBe('chunked');
      expect(seen['content-length']).toBeUndefined();
      expect(seen.connection).toBe('keep-alive');
    } finally {
      await upstream.close();
    }
  });
});

describe.concurrent('lesson 14: timeouts', () => {
  it('headersTimeout greater than requestTimeout makes createServer throw ERR_OUT_OF_RANGE', () => {
    expect(() => http.createServer({ headersTimeout: 6_000, requestTimeout: 5_000 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    // Equal is fine, and a requestTimeout of 0 (none) allows any headersTimeout.
    expect(() => http.createServer({ headersTimeout: 5_000, requestTimeout: 5_000 })).not.toThrow();
    expect(() => http.createServer({ headersTimeout: 6_000, requestTimeout: 0 })).not.toThrow();
  });

  it("the lesson's options (2000/5000/250/1000): a trickling client gets exactly '408 Request Timeout' + Connection: close 2.0–2.6 s after connecting, and the socket closes", async () => {
    const srv = await startServer((_req, res) => res.end('ok'), {
      headersTimeout: 2_000,
      requestTimeout: 5_000,
      connectionsCheckingInterval: 250,
      keepAliveTimeout: 1_000,
    });
    try {
      const parts: Array<string | { pauseMs: number }> = ['GET / HTTP/1.1\r\nHost: localhost\r\n'];
      for (let i = 0; i < 10; i++) parts.push({ pauseMs: 400 }, `X-Slow-${i}: 1\r\n`);
      const result = await rawExchange(srv.port, parts, { readMs: 0, deadlineMs: 5_000 });
      expect(result.data.toString('latin1')).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      expect(result.closed).toBe(true);
      expect(result.closedAtMs).toBeGreaterThanOrEqual(1_950);
      expect(result.closedAtMs).toBeLessThan(2_600);
    } finally {
      await srv.close();
    }
  });

  it('the same options do not limit a slow handler: a response after 2.5 s is delivered', async () => {
    const srv = await startServer((_req, res) => setTimeout(() => res.end('done'), 2_500), {
      headersTimeout: 2_000,
      requestTimeout: 5_000,
      connectionsCheckingInterval: 250,
      keepAliveTimeout: 1_000,
    });
    try {
      const result = await rawExchange(srv.port, ['GET /work HTTP/1.1\r\nHost: localhost\r\n\r\n'], { readMs: 3_500, until: (data) => data.includes('done'), deadlineMs: 5_000 });
      expect(statusOf(result.data)).toBe(200);
      expect(result.data.toString('latin1')).toMatch(/\r\n\r\ndone$/);
      expect(result.elapsedMs).toBeGreaterThanOrEqual(2_450);
    } finally {
      await srv.close();
    }
  });

  it('keepAliveTimeout 1000: the response says Keep-Alive: timeout=1 and the idle socket closes about 2 s after it', async () => {
    const srv = await startServer((_req, res) => res.end('ok'), { keepAliveTimeout: 1_000 });
    try {
      const result = await rawExchange(srv.port, ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'], { readMs: 4_000, deadlineMs: 5_000 });
      expect(result.data.toString('latin1')).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
      expect(result.closed).toBe(true);
      expect(result.closedAtMs).toBeGreaterThanOrEqual(1_700);
      expect(result.closedAtMs).toBeLessThan(2_600);
    } finally {
      await srv.close();
    }
  });
});

describe.concurrent('lesson 14: SIGTERM', () => {
  /** The lesson's shutdown handler; `variant` removes one of its parts. */
  const server = (variant: 'full' | 'no-connection-close' | 'default-keepalive' | 'no-handler' | 'timer-not-unrefd') => `${CHILD_PRELUDE}
    const variant = ${JSON.stringify(variant)};
    let shuttingDown = false;
    const server = http.createServer(
      variant === 'default-keepalive' ? {} : { keepAliveTimeout: 1000 },
      (req, res) => {
        const ms = Number(new URL(req.url, 'http://localhost').searchParams.get('ms')) || 0;
        setTimeout(() => {
          if (shuttingDown && variant !== 'no-connection-close' && variant !== 'default-keepalive') res.setHeader('Connection', 'close');
          res.end('{"done":true}');
        }, ms);
      },
    );
    if (variant !== 'no-handler') {
      process.on('SIGTERM', () => {
        shuttingDown = true;
        console.log('SIGTERM');
        server.close();
        server.closeIdleConnections();
        const net = setTimeout(() => process.exit(1), variant === 'timer-not-unrefd' ? 8000 : 3000);
        if (variant !== 'timer-not-unrefd') net.unref();
      });
    }
    listen(server);
  `;

  /** An idle keep-alive connection, then /work?ms=800, SIGTERM 100 ms later; resolves with how the process ended. */
  async function shutdown(variant: Parameters<typeof server>[0]) {
    const { child, port } = await startChildServer(server(variant));
    try {
      const idle = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], { until: (data) => data.includes('done'), deadlineMs: 3_000 });
      expect(statusOf(idle.data)).toBe(200);
      const idleSocket = net.connect({ port, host: HOST });
      idleSocket.on('error', () => {});
      idleSocket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await sleep(50);
      // Read until the server closes the connection (not until the body): a client
      // that hangs up itself would free the server from waiting for it.
      const work = rawExchange(port, ['GET /work?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n'], { readMs: 5_000, deadlineMs: 6_000 });
      await sleep(100);
      const signalled = Date.now();
      child.proc.kill('SIGTERM');
      const [answered, exit] = await Promise.all([work, child.exit(6_000).then((result) => ({ ...result, afterMs: Date.now() - signalled }))]);
      idleSocket.destroy();
      return { answered, exit };
    } finally {
      await child.dispose();
    }
  }

  it('the full handler: the request in flight gets its 200 and the process exits 0 well within a second', async () => {
    const { answered, exit } = await shutdown('full');
    expect(statusOf(answered.data)).toBe(200);
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeLessThan(1_500);
  });

  it('without Connection: close the in-flight connection lingers: exit 0 only about 2.7 s after the signal (keepAliveTimeout 1000)', async () => {
    const { answered, exit } = await shutdown('no-connection-close');
    expect(statusOf(answered.data)).toBe(200);
    expect(exit.code).toBe(0);
    expect(exit.afterMs).toBeGreaterThanOrEqual(2_200);
    expect(exit.afterMs).toBeLessThan(3_000);
  });

  it('with the default keepAliveTimeout (5 s) the 3 s safety net fires: exit code 1', async () => {
    const { answered, exit } = await shutdown('default-keepalive');
    expect(statusOf(answered.data)).toBe(200);
    expect(exit.code).toBe(1);
    expect(exit.afterMs).toBeGreaterThanOrEqual(2_900);
    expect(exit.afterMs).toBeLessThan(4_000);
  });

  it('a safety-net timer without unref() keeps the process alive until it fires', async () => {
    const { answered, exit } = await shutdown('timer-not-unrefd');
    expect(statusOf(answered.data)).toBe(200);
    expect(exit.timedOut).toBe(true);
  });

  it('with no SIGTERM handler the signal kills the process at once: the request in flight gets nothing', async () => {
    const { answered, exit } = await shutdown('no-handler');
    expect(answered.data.length).toBe(0);
    expect(answered.closed).toBe(true);
    expect(exit.signal).toBe('SIGTERM');
    expect(exit.afterMs).toBeLessThan(1_000);
  });
});

describe.concurrent('lesson 15: errors leaving a handler', () => {
  it('a throw in the request listener is an uncaught exception: exit code 1, the client gets no answer', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      listen(http.createServer(() => { throw new Error('boom'); }));
    `);
    try {
      const result = await rawExchange(port, ['GET /boom HTTP/1.1\r\nHost: x\r\n\r\n'], { readMs: 2_000, deadlineMs: 5_000 });
      expect(result.data.length).toBe(0);
      expect(result.closed).toBe(true);
      const exit = await child.exit(5_000);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('Error: boom');
    } finally {
      await child.dispose();
    }
  });

  it("an async handler's rejection escapes a try/catch around the call: unhandled rejection, exit code 1", async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const handler = async () => { await new Promise((r) => setTimeout(r, 10)); throw new Error('boom after await'); };
      listen(http.createServer((req, res) => {
        try {
          handler(req, res);
        } catch {
          res.statusCode = 500;
          res.end('caught');
        }
      }));
    `);
    try {
      const result = await rawExchange(port, ['GET /boom-async HTTP/1.1\r\nHost: x\r\n\r\n'], { readMs: 2_000, deadlineMs: 5_000 });
      expect(result.data.length).toBe(0);
      const exit = await child.exit(5_000);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('boom after await');
    } finally {
      await child.dispose();
    }
  });

  it('the same rejection caught with .catch() on the returned promise is answered, and the process lives', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const handler = async () => { await new Promise((r) => setTimeout(r, 10)); throw new Error('boom after await'); };
      listen(http.createServer((req, res) => {
        const result = handler(req, res);
        if (result instanceof Promise) result.catch(() => { res.statusCode = 500; res.end('caught'); });
      }));
    `);
    try {
      const result = await rawExchange(port, ['GET /boom-async HTTP/1.1\r\nHost: x\r\n\r\n'], { until: (data) => data.includes('caught'), deadlineMs: 5_000 });
      expect(statusOf(result.data)).toBe(500);
      await sleep(300);
      expect(child.alive()).toBe(true);
    } finally {
      await child.dispose();
    }
  });

  it('decodeURIComponent throws URIError on a broken escape such as %E0', () => {
    expect(() => decodeURIComponent('%E0')).toThrow(URIError);
    expect(decodeURIComponent('J%C3%BC')).toBe('Jü');
  });
});
