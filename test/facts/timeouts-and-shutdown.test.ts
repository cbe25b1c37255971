// Lesson 14: slowloris-unbounded, shutdown-hangs; idle keep-alive timing.
import { describe, it, expect } from 'vitest';
import net from 'node:net';
import { HOST, rawExchange, settlesWithin, startServer, statusOf, withDeadline, type Part } from './support.ts';

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

/** A keep-alive raw connection; resolves `response` at the first response head, `closed` at close. */
async function keepAliveConnection(port: number, request: string) {
  const started = Date.now();
  const socket = net.connect({ port, host: HOST });
  socket.on('error', () => {});
  let data = '';
  let responseAt = -1;
  let onResponse: () => void = () => {};
  const response = new Promise<void>((resolve) => (onResponse = resolve));
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  socket.on('data', (c: Buffer) => {
    data += c.toString('latin1');
    if (responseAt < 0 && data.includes('\r\n\r\n')) {
      responseAt = Date.now() - started;
      onResponse();
    }
  });
  await withDeadline(new Promise<void>((resolve) => socket.once('connect', resolve)), 2_000, 'connect');
  socket.write(request);
  return {
    socket,
    response,
    closed,
    data: () => data,
    responseAt: () => responseAt,
    sinceStart: () => Date.now() - started,
  };
}

describe.concurrent('idle keep-alive connections on the server', () => {
  it('an idle keep-alive socket closes keepAliveTimeout + ~1000 ms after the last response (500 ms → ≈1.5 s); the header says timeout=0', async () => {
    const srv = await startServer((_req, res) => res.end('ok'), { keepAliveTimeout: 500 });
    const conn = await keepAliveConnection(srv.port, GET);
    try {
      await withDeadline(conn.response, 2_000, 'response');
      const closedAt = await withDeadline(conn.closed, 4_000, 'server closes idle socket');
      const idleMs = closedAt - conn.responseAt();
      expect(conn.data()).toMatch(/\r\nKeep-Alive: timeout=0\r\n/i);
      expect(idleMs).toBeGreaterThanOrEqual(1_200);
      expect(idleMs).toBeLessThanOrEqual(2_500);
    } finally {
      conn.socket.destroy();
      await srv.close();
    }
  });
});

describe.concurrent('server.close()', () => {
  it('closes an idle keep-alive connection at once', async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    const conn = await keepAliveConnection(srv.port, GET);
    try {
      await withDeadline(conn.response, 2_000, 'response');
      const t = Date.now();
      const closed = new Promise<void>((resolve) => srv.server.close(() => resolve()));
      expect(await settlesWithin(closed, 500)).toBe(true);
      expect(Date.now() - t).toBeLessThan(500);
    } finally {
      conn.socket.destroy();
      await srv.close();
    }
  });

  it("waits for a keep-alive connection whose response was in flight: it gets 'Connection: keep-alive' and lingers ≈ keepAliveTimeout + 1 s", async () => {
    const srv = await startServer((_req, res) => setTimeout(() => res.end('done'), 200), { keepAliveTimeout: 500 });
    const conn = await keepAliveConnection(srv.port, 'GET /work?ms=200 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    try {
      await new Promise((r) => setTimeout(r, 50));
      const t = Date.now();
      const closed = new Promise<void>((resolve) => srv.server.close(() => resolve()));
      await withDeadline(conn.response, 2_000, 'in-flight response');
      expect(statusOf(Buffer.from(conn.data(), 'latin1'))).toBe(200);
      expect(conn.data()).toMatch(/\r\nConnection: keep-alive\r\n/i);
      expect(await settlesWithin(closed, 1_000)).toBe(false);
      await withDeadline(closed, 3_000, 'close callback');
      const waited = Date.now() - t;
      expect(waited).toBeGreaterThanOrEqual(1_200);
      expect(waited).toBeLessThanOrEqual(3_000);
    } finally {
      conn.socket.destroy();
      await srv.close();
    }
  });

  it('closeIdleConnections() after the in-flight response finished lets close() complete at once', async () => {
    const srv = await startServer((_req, res) => {
      setTimeout(() => {
        res.end('done');
        res.on('finish', () => setImmediate(() => srv.server.closeIdleConnections()));
      }, 200);
    });
    const conn = await keepAliveConnection(srv.port, 'GET /work?ms=200 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    try {
      await new Promise((r) => setTimeout(r, 50));
      const t = Date.now();
      const closed = new Promise<void>((resolve) => srv.server.close(() => resolve()));
      await withDeadline(closed, 2_000, 'close callback');
      expect(conn.data()).toMatch(/\r\n\r\ndone$/);
      expect(Date.now() - t).toBeLessThan(1_000);
    } finally {
      conn.socket.destroy();
      await srv.close();
    }
  });
});

describe.concurrent('slow request headers', () => {
  const trickle = (lines: number, pauseMs: number): Part[] => {
    const parts: Part[] = ['GET / HTTP/1.1\r\nHost: localhost\r\n'];
    for (let i = 0; i < lines; i += 1) parts.push({ pauseMs }, `X-Slow-${i}: 1\r\n`);
    return parts;
  };

  it('headersTimeout is enforced only every connectionsCheckingInterval: 500 ms with a 100 ms interval cuts a trickling client (408 or close), with the default 30 s interval it does not', async () => {
    const checked = await startServer((_req, res) => res.end('ok'), {
      headersTimeout: 500,
      requestTimeout: 1_000,
      connectionsCheckingInterval: 100,
    });
    const unchecked = await startServer((_req, res) => res.end('ok'), { headersTimeout: 500, requestTimeout: 1_000 });
    try {
      const [cut, kept] = await Promise.all([
        rawExchange(checked.port, trickle(12, 200), { readMs: 0, deadlineMs: 4_000 }),
        rawExchange(unchecked.port, trickle(8, 200), { readMs: 0, deadlineMs: 4_000 }),
      ]);
      const status = statusOf(cut.data);
      expect(status === 408 || (cut.data.length === 0 && cut.closed)).toBe(true);
      expect(cut.closed).toBe(true);
      expect(cut.closedAtMs).toBeLessThan(2_000);
      expect(kept.closed).toBe(false);
      expect(kept.data.length).toBe(0);
      expect(kept.elapsedMs).toBeGreaterThanOrEqual(1_500);
    } finally {
      await checked.close();
      await unchecked.close();
    }
  });

  it('server.setTimeout() cuts a silent slow client but not one that trickles a header line every 200 ms', async () => {
    const srv = await startServer((_req, res) => res.end('ok'), {}, (server) => server.setTimeout(500));
    try {
      const [silent, trickling] = await Promise.all([
        rawExchange(srv.port, ['GET / HTTP/1.1\r\nHost: localhost\r\n'], { readMs: 2_000 }),
        rawExchange(srv.port, trickle(8, 200), { readMs: 0, deadlineMs: 4_000 }),
      ]);
      expect(silent.closed).toBe(true);
      expect(silent.closedAtMs).toBeGreaterThanOrEqual(400);
      expect(silent.closedAtMs).toBeLessThan(1_500);
      expect(trickling.closed).toBe(false);
      expect(trickling.elapsedMs).toBeGreaterThanOrEqual(1_500);
    } finally {
      await srv.close();
    }
  });
});
