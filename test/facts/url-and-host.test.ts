// Lessons 02, 03, 08: url-string-split, host-header-url-base, path-traversal, garbage bytes.
import { describe, it, expect } from 'vitest';
import { CHILD_PRELUDE, hasHead, rawExchange, startChildServer, startServer, statusOf } from './support.ts';

function bodyOf(data: Buffer): string {
  const at = data.indexOf('\r\n\r\n');
  return at < 0 ? '' : data.subarray(at + 4).toString('utf8');
}

function invalidUrlCode(input: string, base?: string): string | undefined {
  try {
    new URL(input, base);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}

describe('req.url and the Host header', () => {
  it('req.url is the raw request target: /a?b, http://other/x, *, //evil.com/admin', async () => {
    const srv = await startServer((req, res) => res.end(JSON.stringify({ url: req.url })));
    try {
      const targets = ['/a?b', 'http://other/x', '*', '//evil.com/admin'];
      const urls = await Promise.all(
        targets.map(async (target) => {
          const method = target === '*' ? 'OPTIONS' : 'GET';
          const result = await rawExchange(
            srv.port,
            [`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`],
            { readMs: 1_000 },
          );
          return (JSON.parse(bodyOf(result.data)) as { url: string }).url;
        }),
      );
      expect(urls).toEqual(targets);
    } finally {
      await srv.close();
    }
  });

  it("new URL(path, 'http://' + host) throws ERR_INVALID_URL for an empty Host, 'a b' and port 99999", () => {
    expect(invalidUrlCode('/a?b=1', 'http://')).toBe('ERR_INVALID_URL');
    expect(invalidUrlCode('/a?b=1', 'http://a b')).toBe('ERR_INVALID_URL');
    expect(invalidUrlCode('/a?b=1', 'http://localhost:99999')).toBe('ERR_INVALID_URL');
    expect(invalidUrlCode('/a?b=1', 'http://localhost')).toBeUndefined();
  });

  it('Node passes an empty Host header to the handler, so a URL built from it crashes the process', async () => {
    const { child, port } = await startChildServer(`${CHILD_PRELUDE}
      const server = http.createServer((req, res) => {
        console.log('HOST ' + JSON.stringify(req.headers.host));
        const url = new URL(req.url, 'http://' + req.headers.host);
        res.end(url.pathname);
      });
      listen(server);
    `);
    try {
      await rawExchange(port, ['GET /a?b=1 HTTP/1.1\r\nHost: \r\n\r\n'], { readMs: 1_000 });
      const exit = await child.exit(10_000);
      expect(exit.stdout).toContain('HOST ""');
      expect(exit.timedOut).toBe(false);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('ERR_INVALID_URL');
    } finally {
      await child.dispose();
    }
  });

  it('an attacker-chosen Host leaks into a URL built from it; a constant base does not', () => {
    expect(new URL('/admin', 'http://' + 'evil.example').host).toBe('evil.example');
    expect(new URL('/admin', 'http://localhost').host).toBe('localhost');
  });

  it('with a constant base, a target like //evil.com/admin still changes the host: reject targets not starting with a single /', () => {
    const url = new URL('//evil.com/admin', 'http://localhost');
    expect(url.host).toBe('evil.com');
    expect(url.pathname).toBe('/admin');
  });

  it('an HTTP/1.1 request without Host gets an automatic 400 and never reaches the handler', async () => {
    let calls = 0;
    const srv = await startServer((_req, res) => {
      calls += 1;
      res.end('ok');
    });
    try {
      const result = await rawExchange(srv.port, ['GET / HTTP/1.1\r\n\r\n'], { until: hasHead, readMs: 1_000 });
      expect(statusOf(result.data)).toBe(400);
      expect(calls).toBe(0);
    } finally {
      await srv.close();
    }
  });
});

describe('pathname and query parsing', () => {
  it('URL.pathname keeps percent-escapes; URLSearchParams decodes + and %20 as spaces', () => {
    const url = new URL('/caf%C3%A9/a%20b?q=hello+world&n=%20x%2By&e=', 'http://localhost');
    expect(url.pathname).toBe('/caf%C3%A9/a%20b');
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'hello world', n: ' x+y', e: '' });
  });
});

describe('path traversal and new URL()', () => {
  const base = 'http://localhost';
  it('new URL() collapses .. and %2e%2e segments', () => {
    expect(new URL('/files/../secret.txt', base).pathname).toBe('/secret.txt');
    expect(new URL('/files/%2e%2e/secret.txt', base).pathname).toBe('/secret.txt');
    expect(new URL('/files/%2E%2E/%2e%2e/etc/passwd', base).pathname).toBe('/etc/passwd');
  });

  it('new URL() does not collapse ..%2f: decoding afterwards yields a real ../', () => {
    const pathname = new URL('/files/..%2fsecret.txt', base).pathname;
    expect(pathname).toBe('/files/..%2fsecret.txt');
    expect(decodeURIComponent(pathname)).toBe('/files/../secret.txt');
  });

  it('doubled slashes survive in the pathname', () => {
    expect(new URL('/files//etc/passwd', base).pathname).toBe('/files//etc/passwd');
  });
});

describe('garbage bytes', () => {
  it('without a clientError listener Node answers 400 Bad Request and keeps serving', async () => {
    let calls = 0;
    const srv = await startServer((_req, res) => {
      calls += 1;
      res.end('ok');
    });
    try {
      const garbage = await rawExchange(srv.port, ['\x16\x03\x01 not http at all\r\n\r\n'], {
        until: hasHead,
        readMs: 1_000,
      });
      expect(statusOf(garbage.data)).toBe(400);
      const next = await rawExchange(srv.port, ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'], {
        until: (d) => d.includes('ok'),
        readMs: 1_000,
      });
      expect(statusOf(next.data)).toBe(200);
      expect(calls).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('a clientError listener that does nothing leaves the socket open and unanswered', async () => {
    const srv = await startServer((_req, res) => res.end('ok'), {}, (server) => server.on('clientError', () => {}));
    try {
      const result = await rawExchange(srv.port, ['hello garbage\r\n\r\n'], { readMs: 600 });
      expect(result.data.length).toBe(0);
      expect(result.closed).toBe(false);
    } finally {
      await srv.close();
    }
  });
});
