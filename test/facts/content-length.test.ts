// Lessons 07, 11: content-length-string-length.
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import { HOST, rawExchange, startServer, withDeadline } from './support.ts';

const BODY = JSON.stringify({ greeting: 'Hello, Zoë 😀!' });

describe('Content-Length computed with string .length', () => {
  it('string .length is smaller than Buffer.byteLength for non-ASCII text', () => {
    expect(BODY.length).toBeLessThan(Buffer.byteLength(BODY));
    expect(Buffer.byteLength(BODY) - BODY.length).toBe(3);
  });

  it('Node sends every byte of the body under a too-small Content-Length header', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
      res.end(BODY);
    });
    try {
      const result = await rawExchange(srv.port, ['GET /greeting HTTP/1.1\r\nHost: localhost\r\n\r\n'], {
        until: (d) => d.includes('!"}'),
        readMs: 1_000,
      });
      const text = result.data.toString('utf8');
      expect(text).toMatch(new RegExp(`content-length: ${BODY.length}\\r\\n`, 'i'));
      expect(text.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('http.get truncates the body and the leftover bytes poison the keep-alive connection with HPE_INVALID_CONSTANT', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
      res.end(BODY);
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const outcome = await withDeadline(
        new Promise<{ body: string; error?: string }>((resolve) => {
          let error: string | undefined;
          let body: string | undefined;
          const settle = () => {
            if (body !== undefined && error !== undefined) resolve({ body, error });
          };
          const req = http.get({ host: HOST, port: srv.port, agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              body = Buffer.concat(chunks).toString('utf8');
              settle();
            });
            res.on('error', () => {});
          });
          req.on('error', (err: NodeJS.ErrnoException) => {
            error = err.code;
            settle();
          });
          // if no error ever comes, resolve with what we have
          setTimeout(() => resolve({ body: body ?? '', error }), 1_500).unref();
        }),
        3_000,
        'http.get with short Content-Length',
      );
      expect(Buffer.byteLength(outcome.body)).toBe(BODY.length);
      expect(BODY.startsWith(outcome.body)).toBe(true);
      expect(outcome.body).not.toBe(BODY);
      expect(outcome.error).toBe('HPE_INVALID_CONSTANT');
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  it('fetch truncates the body silently', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
      res.end(BODY);
    });
    try {
      const response = await fetch(`http://${HOST}:${srv.port}/greeting`, { signal: AbortSignal.timeout(3_000) });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(Buffer.byteLength(text)).toBe(BODY.length);
      expect(text).not.toBe(BODY);
    } finally {
      await srv.close();
    }
  });

  it('res.strictContentLength = true makes end() throw ERR_HTTP_CONTENT_LENGTH_MISMATCH', async () => {
    let code: string | undefined;
    const srv = await startServer((_req, res) => {
      res.strictContentLength = true;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
      try {
        res.end(BODY);
        code = 'no throw';
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code;
        res.destroy();
      }
    });
    try {
      await rawExchange(srv.port, ['GET /greeting HTTP/1.1\r\nHost: localhost\r\n\r\n'], { readMs: 500 });
      expect(code).toBe('ERR_HTTP_CONTENT_LENGTH_MISMATCH');
    } finally {
      await srv.close();
    }
  });

  it('with Buffer.byteLength and strictContentLength the body arrives whole', async () => {
    const srv = await startServer((_req, res) => {
      res.strictContentLength = true;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) });
      res.end(BODY);
    });
    try {
      const response = await fetch(`http://${HOST}:${srv.port}/greeting`, { signal: AbortSignal.timeout(3_000) });
      expect(await response.text()).toBe(BODY);
    } finally {
      await srv.close();
    }
  });
});
