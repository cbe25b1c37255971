// Lesson 16 (an HTTPS server and a redirect to it): every claim of its lesson text,
// pitfall pages (tls-options-on-http-server, pem-path-not-contents, open-redirect,
// redirect-drops-target, redirect-changes-method) and quiz, on the running Node,
// with the lesson's own certificates, talking only to 127.0.0.1.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST, hasHead, listenServer, rawExchange, startServer, withDeadline } from './support.ts';

const CERTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lessons/certs');
const KEY = fs.readFileSync(path.join(CERTS, 'localhost-key.pem'));
const CERT = fs.readFileSync(path.join(CERTS, 'localhost-cert.pem'));
const CA = fs.readFileSync(path.join(CERTS, 'ca-cert.pem'));

type Answer = { status?: number; body?: string; protocol?: string | null; alpn?: string | false | null; error?: string; code?: string };

/** One HTTPS request trusting only the test CA; resolves with what came back or the error (bounded). */
function ask(port: number, options: https.RequestOptions & { body?: string } = {}): Promise<Answer> {
  return withDeadline(new Promise<Answer>((resolve) => {
    const req = https.request({ host: HOST, port, servername: 'localhost', ca: CA, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const socket = res.socket as tls.TLSSocket;
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), protocol: socket.getProtocol(), alpn: socket.alpnProtocol });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.message, code: error.code }));
    req.end(options.body);
  }), 3_000, 'https request');
}

async function secureServer(handler: http.RequestListener, options: https.ServerOptions = {}) {
  return listenServer(https.createServer({ key: KEY, cert: CERT, ...options }, handler));
}

function echoProtocol(req: http.IncomingMessage, res: http.ServerResponse): void {
  const socket = req.socket as tls.TLSSocket;
  res.end(JSON.stringify({ tls: socket instanceof tls.TLSSocket, protocol: socket.getProtocol(), url: req.url }));
}

describe('the key and the certificate', () => {
  it("a file path as cert makes https.createServer throw ERR_OSSL_PEM_NO_START_LINE at once; as key, ERR_OSSL_UNSUPPORTED 'DECODER routines::unsupported'", () => {
    const certPath = path.join(CERTS, 'localhost-cert.pem');
    const keyPath = path.join(CERTS, 'localhost-key.pem');
    expect(() => https.createServer({ key: KEY, cert: certPath })).toThrow(expect.objectContaining({ code: 'ERR_OSSL_PEM_NO_START_LINE', message: expect.stringContaining('no start line') }));
    expect(() => https.createServer({ key: keyPath, cert: CERT })).toThrow(expect.objectContaining({ code: 'ERR_OSSL_UNSUPPORTED', message: expect.stringContaining('DECODER routines::unsupported') }));
    // Both paths: the certificate is read first.
    expect(() => https.createServer({ key: keyPath, cert: certPath })).toThrow(expect.objectContaining({ code: 'ERR_OSSL_PEM_NO_START_LINE' }));
  });

  it('http.createServer({ key, cert }, handler) runs without a warning, is no tls.Server, and serves plaintext HTTP', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const srv = await listenServer(http.createServer({ key: KEY, cert: CERT } as http.ServerOptions, (_req, res) => res.end('plain')));
    try {
      expect(srv.server instanceof tls.Server).toBe(false);
      const result = await rawExchange(srv.port, ['GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'], { readMs: 1_000 });
      expect(result.data.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*plain$/);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await srv.close();
    }
  });

  it("a TLS client on a plaintext HTTP port fails with 'wrong version number': Node answers its ClientHello with HTTP/1.1 400 Bad Request", async () => {
    const srv = await listenServer(http.createServer({ key: KEY, cert: CERT } as http.ServerOptions, (_req, res) => res.end('plain')));
    // Capture a real ClientHello, then hand those bytes to the HTTP server ourselves.
    const catcher = await listenServer(net.createServer());
    try {
      const hello = new Promise<Buffer>((resolve) => catcher.server.once('connection', (socket: net.Socket) => socket.once('data', resolve)));
      const client = tls.connect({ host: HOST, port: catcher.port, servername: 'localhost', ca: CA });
      client.on('error', () => {});
      const bytes = await withDeadline(hello, 2_000, 'ClientHello');
      client.destroy();
      expect(bytes[0]).toBe(0x16); // a TLS handshake record
      const reply = await rawExchange(srv.port, [bytes], { until: hasHead, readMs: 1_000 });
      expect(reply.data.toString('latin1')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      const answer = await ask(srv.port);
      expect(answer.error).toMatch(/wrong version number/);
    } finally {
      await catcher.close();
      await srv.close();
    }
  });
});

describe('versions and ALPN', () => {
  it("Node 20 negotiates TLS 1.2 to 1.3 and picks 1.3: getProtocol() says 'TLSv1.3', or 'TLSv1.2' for a client capped at 1.2; req.socket is a tls.TLSSocket", async () => {
    expect([tls.DEFAULT_MIN_VERSION, tls.DEFAULT_MAX_VERSION]).toEqual(['TLSv1.2', 'TLSv1.3']);
    const srv = await secureServer(echoProtocol);
    try {
      const modern = await ask(srv.port, { path: '/docs/a%20b?x=1&y=%C3%A9' });
      expect(JSON.parse(modern.body ?? '')).toEqual({ tls: true, protocol: 'TLSv1.3', url: '/docs/a%20b?x=1&y=%C3%A9' });
      const capped = await ask(srv.port, { maxVersion: 'TLSv1.2' });
      expect(JSON.parse(capped.body ?? '')).toMatchObject({ protocol: 'TLSv1.2' });
      expect(capped.protocol).toBe('TLSv1.2');
    } finally {
      await srv.close();
    }
  });

  it("an https.Server answers ALPN with http/1.1 by default; a client offering only h2 is refused with 'no application protocol'; one offering nothing gets no ALPN and speaks HTTP/1.1", async () => {
    const srv = await secureServer(echoProtocol);
    try {
      expect((await ask(srv.port, { ALPNProtocols: ['h2', 'http/1.1'] } as https.RequestOptions)).alpn).toBe('http/1.1');
      const none = await ask(srv.port);
      expect([none.status, none.alpn]).toEqual([200, false]);
      const h2only = await ask(srv.port, { ALPNProtocols: ['h2'] } as https.RequestOptions);
      expect(h2only.error).toMatch(/no application protocol/);
    } finally {
      await srv.close();
    }
  });

  it('the lesson certificate verifies for the name localhost and for the IP 127.0.0.1 against the test CA only; without the CA it is refused', async () => {
    const srv = await secureServer(echoProtocol);
    try {
      expect((await ask(srv.port)).status).toBe(200);
      expect((await ask(srv.port, { servername: undefined })).status).toBe(200);
      const untrusted = await ask(srv.port, { ca: undefined });
      expect(untrusted.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      await srv.close();
    }
  });
});

describe('redirects', () => {
  it('fetch re-sends a POST as a GET without its body after 301, 302 and 303; after 307 and 308 it keeps the method and the body', async () => {
    const seen: Array<{ method: string; body: string }> = [];
    const srv = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url?.startsWith('/from/')) {
          res.writeHead(Number(req.url.slice(6)), { Location: '/to', 'Content-Length': 0 });
          return res.end();
        }
        seen.push({ method: req.method ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    try {
      for (const status of [301, 302, 303, 307, 308]) {
        const res = await fetch(`http://${HOST}:${srv.port}/from/${status}`, { method: 'POST', body: '{"name":"Zoë"}', signal: AbortSignal.timeout(3_000) });
        await res.text();
      }
      expect(seen).toEqual([
        { method: 'GET', body: '' }, { method: 'GET', body: '' }, { method: 'GET', body: '' },
        { method: 'POST', body: '{"name":"Zoë"}' }, { method: 'POST', body: '{"name":"Zoë"}' },
      ]);
    } finally {
      await srv.close();
    }
  });

  it("an origin built from the request: Host evil.example gives https://evil.example/…, HTTP/1.0 without Host gives 'https://undefined/…', an empty Host gives https:///x, which URL reads as host x", async () => {
    const srv = await startServer((req, res) => {
      res.writeHead(301, { Location: `https://${req.headers.host}${req.url}`, 'Content-Length': 0 });
      res.end();
    });
    try {
      const locationOf = async (request: string) => /\r\nlocation: ([^\r]*)/i.exec((await rawExchange(srv.port, [request], { until: hasHead })).data.toString('latin1'))?.[1];
      expect(await locationOf('GET /x HTTP/1.1\r\nHost: evil.example\r\n\r\n')).toBe('https://evil.example/x');
      expect(await locationOf('GET /x HTTP/1.0\r\n\r\n')).toBe('https://undefined/x');
      expect(await locationOf('GET /x HTTP/1.1\r\nHost: \r\n\r\n')).toBe('https:///x');
      expect(new URL('https:///x').href).toBe('https://x/');
    } finally {
      await srv.close();
    }
  });

  it("req.url keeps the target as received (percent-escapes, query, a leading //), and new URL('//evil.example/x', origin).href is https://evil.example/x", async () => {
    const srv = await startServer((req, res) => res.end(req.url));
    try {
      for (const target of ['/docs/a%20b?x=1&y=%C3%A9', '/login?next=%2Fadmin', '//evil.example/x']) {
        const result = await rawExchange(srv.port, [`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`], { readMs: 1_000 });
        expect(result.data.toString('latin1').endsWith(`\r\n\r\n${target}`)).toBe(true);
      }
      const origin = 'https://localhost:8443';
      expect(new URL('//evil.example/x', origin).href).toBe('https://evil.example/x');
      expect(new URL(origin + '//evil.example/x').host).toBe('localhost:8443');
      const url = new URL(origin + '/docs/a%20b?x=1&y=%C3%A9');
      expect([url.pathname, url.pathname + url.search]).toEqual(['/docs/a%20b', '/docs/a%20b?x=1&y=%C3%A9']);
      expect(new URL('https://localhost:443/x').port).toBe('');
    } finally {
      await srv.close();
    }
  });

  it('writeHead(301, { Location }) without res.end() sends nothing: the redirect never leaves', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(301, { Location: 'https://localhost:8443/' });
    });
    try {
      const result = await rawExchange(srv.port, ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'], { readMs: 400 });
      expect(result.data.length).toBe(0);
    } finally {
      await srv.close();
    }
  });
});
