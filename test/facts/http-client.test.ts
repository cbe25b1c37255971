// Lessons 10, 11: client-missing-end, client-no-error-handler.
import { describe, it, expect } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { HOST, listenServer, sleep, startChild, startServer } from './support.ts';

/** A raw TCP server that records, per connection, every byte it receives. */
async function recordingServer() {
  const received: Buffer[][] = [];
  const srv = await listenServer(
    net.createServer((socket) => {
      const mine: Buffer[] = [];
      received.push(mine);
      socket.on('data', (c: Buffer) => mine.push(c));
      socket.on('error', () => {});
    }),
  );
  return {
    ...srv,
    connectionBytes: () => received.map((chunks) => Buffer.concat(chunks).toString('latin1')),
  };
}

describe.concurrent('http.request without req.end()', () => {
  it('connects but sends 0 bytes', async () => {
    const srv = await recordingServer();
    const req = http.request({ host: HOST, port: srv.port, method: 'POST', path: '/api/users', agent: false });
    req.on('error', () => {});
    try {
      await sleep(500);
      expect(srv.connections()).toBe(1);
      expect(srv.connectionBytes()).toEqual(['']);
    } finally {
      req.destroy();
      await srv.close();
    }
  });

  it("with req.write(body) and no Content-Length: headers and one chunk are sent, never the terminating chunk; the server's 'end' never fires", async () => {
    const raw = await recordingServer();
    let ended = false;
    let seenBody = '';
    const httpServer = await startServer((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (c: string) => (seenBody += c));
      req.on('end', () => {
        ended = true;
        res.end();
      });
    });
    const toRaw = http.request({ host: HOST, port: raw.port, method: 'POST', path: '/api/users', agent: false });
    const toHttp = http.request({ host: HOST, port: httpServer.port, method: 'POST', path: '/api/users', agent: false });
    toRaw.on('error', () => {});
    toHttp.on('error', () => {});
    try {
      toRaw.write('{"name":"Zoë"}');
      toHttp.write('{"name":"Zoë"}');
      await sleep(600);
      const [bytes] = raw.connectionBytes();
      expect(bytes).toMatch(/^POST \/api\/users HTTP\/1\.1\r\n/);
      expect(bytes).toMatch(/transfer-encoding: chunked\r\n/i);
      expect(bytes.endsWith('\r\n\r\nf\r\n{"name":"Zo\xc3\xab"}\r\n')).toBe(true);
      expect(bytes).not.toContain('0\r\n\r\n');
      expect(seenBody).toBe('{"name":"Zoë"}');
      expect(ended).toBe(false);
    } finally {
      toRaw.destroy();
      toHttp.destroy();
      await raw.close();
      await httpServer.close();
    }
  });

  it('http.get calls end() itself: the whole request head is sent', async () => {
    const srv = await recordingServer();
    const req = http.get({ host: HOST, port: srv.port, path: '/items/1', agent: false });
    req.on('error', () => {});
    try {
      await sleep(300);
      const [bytes] = srv.connectionBytes();
      expect(bytes).toMatch(/^GET \/items\/1 HTTP\/1\.1\r\n[\s\S]*\r\n\r\n$/);
    } finally {
      req.destroy();
      await srv.close();
    }
  });

  it('req.write(body) with Content-Length and no end(): the server answers, the client prints it, then the process lingers', async () => {
    let serverSaw = '';
    const srv = await startServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        serverSaw = Buffer.concat(parts).toString('utf8');
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 3, name: JSON.parse(serverSaw).name }));
      });
    });
    const child = await startChild(
      `
      import http from 'node:http';
      const body = JSON.stringify({ name: 'Zoë' });
      const req = http.request({
        host: '127.0.0.1', port: Number(process.argv[2]), method: 'POST', path: '/api/users',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => console.log('RESPONSE ' + res.statusCode + ' ' + text));
      });
      req.on('error', (err) => console.error('Error: ' + err.message));
      req.write(body);
      // no req.end()
    `,
      { args: [String(srv.port)] },
    );
    try {
      const match = await child.waitFor(/RESPONSE (\d+) (.*)\n/, 10_000);
      expect(match[1]).toBe('201');
      expect(JSON.parse(match[2])).toEqual({ id: 3, name: 'Zoë' });
      expect(serverSaw).toBe('{"name":"Zoë"}');
      // a correct client exits right away (next test: within 2.5 s); this one is still alive 3 s later
      await sleep(3_000);
      expect(child.alive()).toBe(true);
    } finally {
      await child.dispose();
      await srv.close();
    }
  });

  it('the same client with req.end() exits right after the response', async () => {
    const srv = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{"id":3}'));
    });
    const child = await startChild(
      `
      import http from 'node:http';
      const body = JSON.stringify({ name: 'Zoë' });
      const req = http.request({
        host: '127.0.0.1', port: Number(process.argv[2]), method: 'POST', path: '/api/users',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      }, (res) => { res.resume(); res.on('end', () => console.log('RESPONSE ' + res.statusCode)); });
      req.on('error', (err) => console.error('Error: ' + err.message));
      req.end(body);
    `,
      { args: [String(srv.port)] },
    );
    try {
      await child.waitFor(/RESPONSE 200/, 10_000);
      // the lesson allows 2 s after the last response; 2.5 s leaves room for a loaded machine
      const exit = await child.exit(2_500);
      expect(exit.timedOut).toBe(false);
      expect(exit.code).toBe(0);
    } finally {
      await child.dispose();
      await srv.close();
    }
  });
});

describe.concurrent('client errors', () => {
  it("http.get to a closed port emits 'error' ECONNREFUSED; without a listener the process crashes with a stack", async () => {
    // find a port with nobody listening
    const probe = await listenServer(net.createServer());
    const port = probe.port;
    await probe.close();
    const source = (withListener: boolean) => `
      import http from 'node:http';
      const req = http.get('http://127.0.0.1:${port}/', (res) => res.resume());
      ${withListener ? "req.on('error', (err) => { console.error('Error: ' + err.message); process.exitCode = 1; });" : ''}
    `;
    const bare = await startChild(source(false));
    const handled = await startChild(source(true));
    try {
      const [a, b] = await Promise.all([bare.exit(10_000), handled.exit(10_000)]);
      expect(a.code).toBe(1);
      expect(a.stderr).toContain('ECONNREFUSED');
      expect(a.stderr).toMatch(/Unhandled 'error' event|\n\s+at /);
      expect(b.code).toBe(1);
      expect(b.stderr.startsWith('Error: connect ECONNREFUSED')).toBe(true);
      expect(b.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await bare.dispose();
      await handled.dispose();
    }
  });
});

describe('a 3xx answer (lessons 10 and 11)', () => {
  it('http.get does not follow a 302: the callback gets statusCode 302 and its body, and the server sees one request', async () => {
    const paths: string[] = [];
    const srv = await startServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/old') {
        res.writeHead(302, { Location: '/new', 'Content-Type': 'text/plain' });
        res.end('moved to /new');
      } else res.end('the new place');
    });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.get({ host: HOST, port: srv.port, path: '/old', agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        }).on('error', reject);
      });
      expect(status).toBe(302);
      expect(body).toBe('moved to /new');
      await sleep(100);
      expect(paths).toEqual(['/old']);
    } finally {
      await srv.close();
    }
  });
});
