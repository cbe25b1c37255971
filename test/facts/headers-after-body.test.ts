// Lesson 07: headers-after-body.
import { describe, it, expect } from 'vitest';
import { CHILD_PRELUDE, rawExchange, startChildServer, startServer, statusOf } from './support.ts';

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

describe('status and headers after the body started', () => {
  it('writeHead() and setHeader() after write() throw ERR_HTTP_HEADERS_SENT synchronously', async () => {
    const codes: Record<string, string | undefined> = {};
    const srv = await startServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.write('line 1\n');
      try {
        res.writeHead(500);
        codes.writeHead = 'no throw';
      } catch (err) {
        codes.writeHead = (err as NodeJS.ErrnoException).code;
      }
      try {
        res.setHeader('X-Report-Id', 'abc');
        codes.setHeader = 'no throw';
      } catch (err) {
        codes.setHeader = (err as NodeJS.ErrnoException).code;
      }
      res.end('line 2\n');
    });
    try {
      const result = await rawExchange(srv.port, [GET], { until: (d) => d.includes('0\r\n\r\n') });
      expect(codes).toEqual({ writeHead: 'ERR_HTTP_HEADERS_SENT', setHeader: 'ERR_HTTP_HEADERS_SENT' });
      expect(statusOf(result.data)).toBe(200);
      expect(result.data.toString('latin1')).not.toMatch(/x-report-id/i);
    } finally {
      await srv.close();
    }
  });

  it('res.statusCode = 500 after a write is silently ignored: the wire says 200', async () => {
    let threw = false;
    const srv = await startServer((_req, res) => {
      res.write('partial');
      try {
        res.statusCode = 500;
      } catch {
        threw = true;
      }
      res.end();
    });
    try {
      const result = await rawExchange(srv.port, [GET], { until: (d) => d.includes('0\r\n\r\n') });
      expect(threw).toBe(false);
      expect(statusOf(result.data)).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it('an uncaught ERR_HTTP_HEADERS_SENT from a handler makes the process exit with code 1', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const server = http.createServer((req, res) => {
        res.write('partial');
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"error":"Report failed"}');
      });
      listen(server);
    `);
    try {
      const result = await rawExchange(port, [GET], { readMs: 1_000 });
      const exit = await child.exit(10_000);
      expect(exit.timedOut).toBe(false);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('ERR_HTTP_HEADERS_SENT');
      // whatever reached the client, it is never a 500
      expect(statusOf(result.data)).not.toBe(500);
    } finally {
      await child.dispose();
    }
  });
});
