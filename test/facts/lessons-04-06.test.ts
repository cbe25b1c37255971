// Claims made in the text of lessons 04-06 that the other fact files do not cover:
// - 04: answering 405 without reading the body leaves the connection reusable (Node
//   discards the unread body itself); 'data' chunks are at most 64 KiB.
// - 05: a malformed Content-Length gets Node's own 400 before any handler runs;
//   `Expect: 100-continue` gets an automatic `100 Continue`.
// - 06: res.writableFinished in 'close' tells a finished response from a client that
//   left; a write after end() returns normally and the error comes later (a tick on).
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { CHILD_PRELUDE, HOST, rawExchange, sleep, startChildServer, startServer, statusOf, withDeadline } from './support.ts';

/** Every status line in the bytes received, in order. */
function statuses(data: Buffer): number[] {
  return [...data.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

describe('lesson 04: reading a body', () => {
  it('a 405 answered without reading the body leaves the keep-alive connection usable: the next request on it is answered', async () => {
    let handled = 0;
    const srv = await startServer((req, res) => {
      handled += 1;
      if (req.method === 'POST') {
        // Never touches req: Node must skip the unread body to find the next request.
        res.writeHead(405, { 'Content-Type': 'application/json', Allow: 'GET' });
        res.end('{"error":"Method not allowed"}');
        return;
      }
      res.end('second');
    });
    try {
      const body = Buffer.alloc(200 * 1024, 0x61);
      const result = await rawExchange(
        srv.port,
        [
          `POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          body.subarray(0, 1024),
          { pauseMs: 100 }, // the 405 is out before most of the body
          body.subarray(1024),
          'GET /api/users HTTP/1.1\r\nHost: localhost\r\n\r\n',
        ],
        { until: (data) => data.toString('latin1').endsWith('second'), readMs: 2_000 },
      );
      expect(statuses(result.data)).toEqual([405, 200]);
      expect(result.data.toString('latin1').endsWith('second')).toBe(true);
      expect(handled).toBe(2);
      expect(srv.connections()).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it("'data' chunks are at most 64 KiB: a 5 MB body arrives as many Buffers", async () => {
    const sizes: number[] = [];
    const srv = await startServer((req, res) => {
      req.on('data', (chunk: Buffer) => sizes.push(chunk.length));
      req.on('end', () => res.end('ok'));
    });
    try {
      const total = 5 * 1000 * 1000;
      const status = await withDeadline(
        new Promise<number>((resolve, reject) => {
          const req = http.request({ host: HOST, port: srv.port, method: 'POST', path: '/', agent: false, headers: { 'Content-Length': total } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(Buffer.alloc(total, 0x62));
        }),
        5_000,
        '5 MB upload',
      );
      expect(status).toBe(200);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
      expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(total / (64 * 1024)));
    } finally {
      await srv.close();
    }
  });
});

describe('lesson 05: what Node answers before your handler', () => {
  it("a malformed Content-Length gets Node's own 400 Bad Request; the handler never runs", async () => {
    let handled = 0;
    const srv = await startServer((req, res) => {
      handled += 1;
      req.resume();
      res.end('handled');
    });
    try {
      for (const value of ['abc', '12abc', '-5', '1, 2']) {
        const result = await rawExchange(srv.port, [`POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${value}\r\n\r\nhello`], { readMs: 1_000 });
        expect(statusOf(result.data), `Content-Length: ${value}`).toBe(400);
        expect(result.closed, `Content-Length: ${value}`).toBe(true);
      }
      expect(handled).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it("'Expect: 100-continue' gets an automatic 'HTTP/1.1 100 Continue' before the body, then the handler's answer", async () => {
    const srv = await startServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.end(`got ${bytes}`));
    });
    const socket = net.connect({ host: HOST, port: srv.port });
    try {
      const received: Buffer[] = [];
      let wake = () => {};
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        wake();
      });
      await withDeadline(new Promise((resolve) => socket.once('connect', resolve)), 2_000, 'connect');
      const waitFor = (text: string) =>
        withDeadline(
          new Promise<void>((resolve) => {
            const check = () => (Buffer.concat(received).includes(text) ? resolve() : undefined);
            wake = check;
            check();
          }),
          2_000,
          `waiting for ${JSON.stringify(text)}`,
        );
      socket.write('POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
      await waitFor('\r\n\r\n');
      // Nothing of the body has been sent yet, and the interim response is already here.
      expect(Buffer.concat(received).toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      socket.write('hello');
      await waitFor('got 5');
      expect(statuses(Buffer.concat(received))).toEqual([100, 200]);
    } finally {
      socket.destroy();
      await srv.close();
    }
  });
});

describe('lesson 06: ends and disconnects', () => {
  it("res.writableFinished in 'close' is true for a finished response and false when the client left first", async () => {
    const seen: Record<string, boolean> = {};
    const srv = await startServer((req, res) => {
      res.on('close', () => {
        seen[req.url ?? ''] = res.writableFinished;
      });
      if (req.url === '/done') {
        res.end('done');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first\n'); // and never ends: the client leaves
    });
    try {
      await rawExchange(srv.port, ['GET /done HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'], { readMs: 1_000 });
      await rawExchange(srv.port, ['GET /left HTTP/1.1\r\nHost: localhost\r\n\r\n'], { until: (data) => data.includes('first\n'), readMs: 1_000 });
      const deadline = Date.now() + 2_000;
      while (Object.keys(seen).length < 2 && Date.now() < deadline) await sleep(10);
      expect(seen).toEqual({ '/done': true, '/left': false });
    } finally {
      await srv.close();
    }
  });

  it("a write after end() returns normally (false, no throw); the 'error' (ERR_STREAM_WRITE_AFTER_END) comes later, after the handler returned", async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const server = http.createServer((req, res) => {
        let returned = false;
        res.on('error', (err) => console.log('ERROR_EVENT ' + err.code + ' returned=' + returned));
        res.end('first');
        let result;
        try {
          result = res.write('second');
        } catch (err) {
          console.log('SYNC_THROW ' + err.code);
        }
        returned = true;
        console.log('WRITE_RETURNED ' + result);
      });
      listen(server);
    `);
    try {
      const result = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'], { readMs: 1_000 });
      await child.waitFor(/ERROR_EVENT/, 3_000);
      const out = child.stdout();
      expect(out).not.toContain('SYNC_THROW');
      expect(out).toContain('WRITE_RETURNED false');
      expect(out).toContain('ERROR_EVENT ERR_STREAM_WRITE_AFTER_END returned=true');
      expect(out.indexOf('WRITE_RETURNED')).toBeLessThan(out.indexOf('ERROR_EVENT'));
      expect(result.data.toString('latin1')).toMatch(/\r\n\r\nfirst$/);
      // With an 'error' listener, nothing crashes.
      expect(child.alive()).toBe(true);
    } finally {
      await child.dispose();
    }
  });
});
