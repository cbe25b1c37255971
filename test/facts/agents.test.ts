// Lesson 12: no-keepalive, unbounded-concurrency, unconsumed-response.
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import { HOST, settlesWithin, sleep, startServer, withDeadline } from './support.ts';

/** Agent.keepAlive exists at runtime but is missing from @types/node 20. */
function keepAliveOf(agent: http.Agent): unknown {
  return (agent as http.Agent & { keepAlive?: unknown }).keepAlive;
}

function get(
  port: number,
  path: string,
  agent: http.Agent | undefined,
  consume: boolean,
): Promise<{ status: number; body: string; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, ...(agent ? { agent } : {}) }, (res) => {
      if (!consume) {
        resolve({ status: res.statusCode ?? 0, body: '', res });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, res }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('keep-alive on the client', () => {
  it('http.globalAgent has keepAlive: true (since Node 19)', () => {
    expect(keepAliveOf(http.globalAgent)).toBe(true);
  });

  it('5 sequential http.get calls on the global agent with consumed bodies use 1 connection', async () => {
    const srv = await startServer((req, res) => res.end(`item ${req.url}`));
    try {
      for (let i = 1; i <= 5; i += 1) {
        const { body } = await withDeadline(get(srv.port, `/items/${i}`, undefined, true), 2_000, 'get');
        expect(body).toBe(`item /items/${i}`);
      }
      expect(srv.connections()).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('unconsumed response bodies pin their sockets: every request opens a new connection', async () => {
    const srv = await startServer((_req, res) => res.end('x'.repeat(100)));
    const agent = new http.Agent({ keepAlive: true });
    const responses: http.IncomingMessage[] = [];
    try {
      for (let i = 1; i <= 3; i += 1) {
        const { res } = await withDeadline(get(srv.port, `/items/${i}`, agent, false), 2_000, 'get');
        responses.push(res);
      }
      expect(srv.connections()).toBe(3);
    } finally {
      for (const res of responses) res.destroy();
      agent.destroy();
      await srv.close();
    }
  });

  it('with maxSockets: 1 an unconsumed body stalls every later request', async () => {
    const srv = await startServer((_req, res) => res.end('x'.repeat(100)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let first: http.IncomingMessage | undefined;
    try {
      first = (await withDeadline(get(srv.port, '/items/1', agent, false), 2_000, 'first get')).res;
      const second = get(srv.port, '/items/2', agent, true);
      second.catch(() => {});
      expect(await settlesWithin(second, 800)).toBe(false);
      expect(srv.connections()).toBe(1);
    } finally {
      first?.destroy();
      agent.destroy();
      await srv.close();
    }
  });

  it('new http.Agent() defaults to keepAlive: false: sequential requests use a new connection each', async () => {
    const srv = await startServer((_req, res) => res.end('ok'));
    const agent = new http.Agent();
    try {
      expect(keepAliveOf(agent)).toBe(false);
      for (let i = 1; i <= 3; i += 1) {
        await withDeadline(get(srv.port, `/items/${i}`, agent, true), 2_000, 'get');
        await sleep(20);
      }
      expect(srv.connections()).toBe(3);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  it('Agent({ maxSockets: 4 }) without keepAlive reuses the free sockets for queued requests: 20 requests over 4 connections', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const srv = await startServer((req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end(`item ${req.url?.split('/').pop()}`);
      }, 10 + Math.floor(Math.random() * 40));
    });
    const agent = new http.Agent({ maxSockets: 4 });
    try {
      expect(keepAliveOf(agent)).toBe(false);
      const bodies = await withDeadline(
        Promise.all(Array.from({ length: 20 }, (_, i) => get(srv.port, `/items/${i + 1}`, agent, true).then((r) => r.body))),
        5_000,
        '20 requests',
      );
      expect(bodies).toEqual(Array.from({ length: 20 }, (_, i) => `item ${i + 1}`));
      expect(maxInFlight).toBeLessThanOrEqual(4);
      expect(srv.connections()).toBe(4);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});
