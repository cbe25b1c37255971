// Facts behind quiz answers (lessons/*/quiz.md) that no other fact test shows.
// Each quiz question names its proof by this file and a test title here, or by a
// test elsewhere in test/facts/ (test/unit/quiz-proofs.test.ts checks the names).
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { HOST, hasHead, rawExchange, runChild, startServer, withDeadline } from './support.ts';

function headOf(data: Buffer): string {
  const at = data.indexOf('\r\n\r\n');
  return data.subarray(0, at < 0 ? data.length : at).toString('latin1');
}

describe('what Node adds to a response on its own', () => {
  it('a bare writeHead(405) and end() sends no Allow and no Content-Type header: Node adds neither', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(405);
      res.end();
    });
    try {
      const result = await rawExchange(srv.port, ['POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n'], { until: hasHead, readMs: 1_000 });
      const head = headOf(result.data);
      expect(head).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
      expect(head).not.toMatch(/^allow:/im);
      expect(head).not.toMatch(/^content-type:/im);
    } finally {
      await srv.close();
    }
  });
});

describe('routing on req.url', () => {
  it("GET /api/users?page=2 arrives as req.url '/api/users?page=2', and req.url.split('/')[2] of /users/42?format=json is '42?format=json'", async () => {
    const srv = await startServer((req, res) => {
      res.end(JSON.stringify({ url: req.url, exact: req.url === '/api/users', second: req.url!.split('/')[2] }));
    });
    try {
      const ask = async (target: string) => {
        const result = await rawExchange(srv.port, [`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`], { readMs: 1_000 });
        return JSON.parse(result.data.subarray(result.data.indexOf('\r\n\r\n') + 4).toString('utf8')) as { url: string; exact: boolean; second: string };
      };
      expect(await ask('/api/users?page=2')).toMatchObject({ url: '/api/users?page=2', exact: false });
      expect((await ask('/users/42?format=json')).second).toBe('42?format=json');
      expect(new URL('/users/42?format=json', 'http://localhost').pathname.split('/')[2]).toBe('42');
    } finally {
      await srv.close();
    }
  });
});

describe('a broken percent-escape in the path', () => {
  it("GET /users/%E0 reaches the handler as req.url '/users/%E0', and decodeURIComponent of it throws URIError", async () => {
    const srv = await startServer((req, res) => {
      let decoded: string;
      try {
        decoded = `decoded ${decodeURIComponent(req.url!.split('/')[2])}`;
      } catch (error) {
        decoded = `threw ${(error as Error).name}`;
      }
      res.end(JSON.stringify({ url: req.url, decoded }));
    });
    try {
      const result = await rawExchange(srv.port, ['GET /users/%E0 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'], { readMs: 1_000 });
      expect(result.data.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
      const body = JSON.parse(result.data.subarray(result.data.indexOf('\r\n\r\n') + 4).toString('utf8')) as { url: string; decoded: string };
      expect(body).toEqual({ url: '/users/%E0', decoded: 'threw URIError' });
    } finally {
      await srv.close();
    }
  });
});

describe('CPU work wrapped in async code', () => {
  it('a busy loop inside an async function still blocks the loop: a 10 ms timer fires only after the 300 ms loop', async () => {
    // In a child: the loop must not stall the test worker.
    const result = await runChild(
      `
      const started = Date.now();
      setTimeout(() => console.log('TIMER ' + (Date.now() - started)), 10);
      async function work() {
        const until = Date.now() + 300;
        while (Date.now() < until) {}
        return 'done';
      }
      work().then((value) => console.log('WORK ' + value + ' ' + (Date.now() - started)));
      `,
      { deadlineMs: 10_000 },
    );
    expect(result.code).toBe(0);
    const timer = Number(/TIMER (\d+)/.exec(result.stdout)?.[1]);
    const work = Number(/WORK done (\d+)/.exec(result.stdout)?.[1]);
    expect(work).toBeGreaterThanOrEqual(300);
    expect(timer).toBeGreaterThanOrEqual(300);
    // The work finished (its .then ran) before the timer got its turn.
    expect(result.stdout.indexOf('WORK')).toBeLessThan(result.stdout.indexOf('TIMER'));
  });
});

describe('a client that gets a 404', () => {
  it("http.get to a server answering 404 calls the response callback with statusCode 404 and emits no 'error'", async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    });
    try {
      const seen = await withDeadline(
        new Promise<{ status: number; body: string; errors: number }>((resolve) => {
          let errors = 0;
          const req = http.get({ host: HOST, port: srv.port, path: '/missing', agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => setTimeout(() => resolve({ status: res.statusCode ?? 0, body, errors }), 50));
          });
          req.on('error', () => (errors += 1));
        }),
        5_000,
        'http.get of a 404',
      );
      expect(seen).toEqual({ status: 404, body: 'not found', errors: 0 });
    } finally {
      await srv.close();
    }
  });
});
