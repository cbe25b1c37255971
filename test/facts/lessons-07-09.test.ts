// Behaviours that lessons 07, 08 and 09 state and no other fact test shows:
// how Node frames a body (computed Content-Length, chunked) and answers HEAD
// (07); what the path functions do with a decoded "..%2f" and a rejected
// stream/promises pipeline (08); that a busy wait serialises requests a timer
// does not (09). The lesson text says exactly these things; if Node changes, the
// lesson must change with it.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { CHILD_PRELUDE, rawExchange, startChildServer, startServer, statusOf, withDeadline } from './support.ts';

const GET = (target: string) => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
const HEAD = (target: string) => `HEAD ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
const headOf = (data: Buffer) => data.toString('latin1').split('\r\n\r\n')[0].toLowerCase();
const bodyOf = (data: Buffer) => data.subarray(data.indexOf('\r\n\r\n') + 4);
const complete = (data: Buffer) => data.includes('\r\n\r\n');

describe('lesson 07: how Node frames a body', () => {
  const body = JSON.stringify({ greeting: 'Hello, Zoë!' });

  it('"Zoë" in JSON: .length 26, 27 bytes in UTF-8; "😀" has .length 2 and 4 bytes', () => {
    expect(body.length).toBe(26);
    expect(Buffer.byteLength(body)).toBe(27);
    expect('😀'.length).toBe(2);
    expect(Buffer.byteLength('😀')).toBe(4);
  });

  it('setHeader() then end(body): Node computes Content-Length on GET, but a HEAD answer has none', async () => {
    const srv = await startServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(body);
    });
    try {
      const get = await rawExchange(srv.port, [GET('/greeting')], { until: (d) => d.includes('!"}'), readMs: 1_000 });
      expect(headOf(get.data)).toContain('content-length: 27');
      expect(headOf(get.data)).not.toContain('transfer-encoding');
      const head = await rawExchange(srv.port, [HEAD('/greeting')], { until: complete, readMs: 300 });
      expect(statusOf(head.data)).toBe(200);
      expect(headOf(head.data)).not.toContain('content-length');
      expect(bodyOf(head.data).length).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('writeHead() without a length, then end(body): chunked; write() calls then end(): chunked', async () => {
    const srv = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      if (req.url === '/one') res.end(body);
      else {
        res.write('line 1\n');
        res.write('line 2\n');
        res.end();
      }
    });
    try {
      for (const target of ['/one', '/writes']) {
        const result = await rawExchange(srv.port, [GET(target)], { until: (d) => d.includes('\r\n0\r\n\r\n'), readMs: 1_000 });
        expect(headOf(result.data)).toContain('transfer-encoding: chunked');
        expect(headOf(result.data)).not.toContain('content-length');
      }
    } finally {
      await srv.close();
    }
  });

  it('an explicit Content-Length is sent on HEAD too, and Node drops the body passed to end()', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    try {
      // A second request on the same connection shows that no body bytes were sent after the HEAD head.
      const result = await rawExchange(srv.port, [HEAD('/greeting'), { pauseMs: 100 }, GET('/greeting')], { until: (d) => d.includes('!"}'), readMs: 1_000 });
      const text = result.data.toString('utf8');
      const heads = text.split('HTTP/1.1 200 OK');
      expect(heads.length).toBe(3);
      expect(heads[1].toLowerCase()).toContain('content-length: 27');
      expect(heads[1].endsWith('\r\n\r\n')).toBe(true);
      expect(text.endsWith(body)).toBe(true);
    } finally {
      await srv.close();
    }
  });
});

describe('lesson 08: paths and the promise pipeline', () => {
  it('decoding "..%2f" yields "../"; path.join climbs out with it, path.resolve lets an absolute name win, and startsWith(root) without a separator accepts a sibling', () => {
    const root = path.resolve('/srv/site');
    expect(new URL('/files/..%2fsecret.txt', 'http://localhost').pathname).toBe('/files/..%2fsecret.txt');
    expect(decodeURIComponent('..%2fsecret.txt')).toBe('../secret.txt');
    expect(path.join(root, '../secret.txt')).toBe(path.resolve('/srv/secret.txt'));
    expect(path.resolve(root, '/etc/passwd')).toBe(path.resolve('/etc/passwd'));
    expect(path.join(root, '/etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    const sibling = path.resolve(root, '../site-secret/key.txt');
    expect(sibling.startsWith(root)).toBe(true);
    expect(sibling.startsWith(root + path.sep)).toBe(false);
  });

  it('a file read stream reads 64 KiB chunks by default', () => {
    const stream = fs.createReadStream(import.meta.filename ?? new URL(import.meta.url).pathname);
    try {
      expect(stream.readableHighWaterMark).toBe(64 * 1024);
    } finally {
      stream.destroy();
    }
  });

  it("stream/promises pipeline rejects when the client leaves mid-download; not caught, that rejection ends the process", async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      import { pipeline } from 'node:stream/promises';
      import path from 'node:path';
      const FILE = path.resolve('big.bin');
      fs.closeSync(fs.openSync(FILE, 'w'));
      fs.truncateSync(FILE, 32 * 1024 * 1024);
      const server = http.createServer((req, res) => {
        res.writeHead(200, { 'Content-Length': 32 * 1024 * 1024 });
        pipeline(fs.createReadStream(FILE), res); // not awaited, not caught
      });
      listen(server);
    `);
    try {
      await rawExchange(port, [GET('/files/big.bin')], { until: (d) => d.length > 1024 * 1024, readMs: 2_000 });
      const exit = await child.exit(3_000);
      expect(exit.timedOut).toBe(false);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('ERR_STREAM_PREMATURE_CLOSE');
    } finally {
      await child.dispose();
    }
    const handled = await startChildServer(`${CHILD_PRELUDE}
      import { pipeline } from 'node:stream/promises';
      import path from 'node:path';
      const FILE = path.resolve('big.bin');
      fs.closeSync(fs.openSync(FILE, 'w'));
      fs.truncateSync(FILE, 32 * 1024 * 1024);
      const server = http.createServer((req, res) => {
        res.writeHead(200, { 'Content-Length': 32 * 1024 * 1024 });
        pipeline(fs.createReadStream(FILE), res).catch((err) => console.log('REJECTED ' + err.code));
      });
      listen(server);
    `);
    try {
      await rawExchange(handled.port, [GET('/files/big.bin')], { until: (d) => d.length > 1024 * 1024, readMs: 2_000 });
      await handled.child.waitFor(/REJECTED ERR_STREAM_PREMATURE_CLOSE/, 3_000);
      expect(handled.child.alive()).toBe(true);
    } finally {
      await handled.child.dispose();
    }
  });
});

describe('lesson 09: waiting with a timer or a busy loop', () => {
  // Four concurrent requests that each wait 200 ms. A busy wait serialises them, so
  // the last cannot finish before 4 × 200 ms: that bound is exact, not a timing guess.
  const source = (mode: string) => `${CHILD_PRELUDE}
    const server = http.createServer((req, res) => {
      const answer = () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"waited":200}'); };
      if (${JSON.stringify(mode)} === 'timer') { setTimeout(answer, 200); return; }
      const end = Date.now() + 200;
      while (Date.now() < end) {}
      answer();
    });
    listen(server);
  `;

  async function fourAtOnce(port: number): Promise<number[]> {
    const started = performance.now();
    return withDeadline(
      Promise.all(
        Array.from({ length: 4 }, () =>
          rawExchange(port, [GET('/slow?ms=200')], { until: (d) => d.includes('{"waited":200}'), readMs: 3_000 }).then((r) => {
            expect(statusOf(r.data)).toBe(200);
            return performance.now() - started;
          }),
        ),
      ),
      8_000,
      'four /slow requests',
    );
  }

  it('with setTimeout four concurrent 200 ms waits finish together; with a busy wait one after another (the last after 800 ms or more)', async () => {
    const timer = await startChildServer(source('timer'));
    try {
      const times = await fourAtOnce(timer.port);
      expect(Math.max(...times)).toBeLessThan(800);
    } finally {
      await timer.child.dispose();
    }
    const busy = await startChildServer(source('busy'));
    try {
      const times = await fourAtOnce(busy.port);
      expect(Math.max(...times)).toBeGreaterThanOrEqual(800);
    } finally {
      await busy.child.dispose();
    }
  });
});
