// Lesson 19 (an HTTP/2 client): the Node 20 behaviour the lesson text, its
// pitfall pages and its quiz claim, on the running Node, against HTTP/2 servers
// on 127.0.0.1 with the course's certificates (lessons/certs). Client programs
// that may crash or hang run in a child process.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { runChild, sleep, withDeadline } from './support.ts';

const CERTS = path.resolve(__dirname, '../../lessons/certs');
const CA = readFileSync(path.join(CERTS, 'ca-cert.pem'), 'utf8');
const KEY = readFileSync(path.join(CERTS, 'localhost-key.pem'), 'utf8');
const CERT = readFileSync(path.join(CERTS, 'localhost-cert.pem'), 'utf8');
const checks = (name: string) => readFileSync(path.join(CERTS, 'checks', name), 'utf8');

interface H2 { origin: string; sockets: TLSSocket[]; alpn: Array<string | false | null>; close(): Promise<void> }

/** An HTTP/2 server on 127.0.0.1 with the lesson's (or a bad) certificate; `origin` is https://localhost:<port>. */
async function h2Server(onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, server: H2) => void, pair = { key: KEY, cert: CERT }, allowHTTP1 = false): Promise<H2> {
  const server = http2.createSecureServer({ ...pair, allowHTTP1 });
  const h2: H2 = {
    origin: '', sockets: [], alpn: [],
    close: () => new Promise((resolve) => {
      for (const socket of h2.sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    h2.sockets.push(socket);
    h2.alpn.push(socket.alpnProtocol);
  });
  server.on('stream', (stream, headers) => onStream(stream, headers, h2));
  server.on('request', (req, res) => {
    if (req.httpVersionMajor === 1) res.writeHead(505).end('use HTTP/2');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  h2.origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  return h2;
}

const ok = (stream: http2.ServerHttp2Stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain; charset=utf-8' });
  stream.end('item 1');
};

/** A client script (ESM) run with origin and CA file as arguments. */
const client = (body: string) => `
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
const [origin, caFile] = process.argv.slice(2);
${body}
`;

describe('lesson 19: sessions, streams and the status', () => {
  it("':status' is the number 200 in the 'response' headers, and headers.status is undefined", async () => {
    const server = await h2Server(ok);
    const session = http2.connect(server.origin, { ca: CA });
    try {
      const headers = await withDeadline(new Promise<http2.IncomingHttpHeaders>((resolve) => session.request({ ':path': '/items/1' }).on('response', resolve).resume()), 2000, 'response');
      expect(headers[':status']).toBe(200);
      expect(typeof headers[':status']).toBe('number');
      expect((headers as Record<string, unknown>).status).toBeUndefined();
    } finally {
      session.close();
      await server.close();
    }
  });

  it('ALPN picks h2, client streams get odd ids, and every request of a session shares one TLS connection', async () => {
    let open = 0;
    let most = 0;
    const server = await h2Server((stream) => {
      most = Math.max(most, ++open);
      stream.on('close', () => open--);
      setTimeout(() => ok(stream), 100);
    });
    const session = http2.connect(server.origin, { ca: CA });
    try {
      const streams = [1, 2, 3].map((n) => session.request({ ':path': `/items/${n}` }));
      await withDeadline(Promise.all(streams.map((stream) => new Promise((resolve) => stream.on('close', resolve).resume()))), 3000, 'three streams');
      expect(streams.map((stream) => stream.id)).toEqual([1, 3, 5]);
      expect(server.alpn).toEqual(['h2']);
      expect(most).toBe(3);
      // A second http2.connect is a second connection: Node pools nothing for HTTP/2.
      const other = http2.connect(server.origin, { ca: CA });
      await withDeadline(new Promise((resolve) => other.request({ ':path': '/' }).on('close', resolve).resume()), 2000, 'other session');
      other.close();
      expect(server.sockets.length).toBe(2);
    } finally {
      session.close();
      await server.close();
    }
  });

  it('session.close() right after request() fails the pending stream with ERR_HTTP2_GOAWAY_SESSION', async () => {
    const server = await h2Server(ok);
    const session = http2.connect(server.origin, { ca: CA });
    try {
      const stream = session.request({ ':path': '/items/1' });
      const failed = new Promise<NodeJS.ErrnoException>((resolve) => stream.on('error', resolve));
      session.close();
      const error = await withDeadline(failed, 2000, 'stream error');
      expect(error.code).toBe('ERR_HTTP2_GOAWAY_SESSION');
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it("closing the session as soon as the stream is 'ready' gets it refused by a Node server (REFUSED_STREAM)", async () => {
    const server = await h2Server(ok);
    try {
      for (let i = 0; i < 3; i++) {
        const session = http2.connect(server.origin, { ca: CA });
        const stream = session.request({ ':path': '/items/1' });
        stream.on('ready', () => session.close());
        const error = await withDeadline(new Promise<NodeJS.ErrnoException>((resolve) => stream.on('error', resolve)), 2000, 'stream error');
        expect(error.code).toBe('ERR_HTTP2_STREAM_ERROR');
        expect(stream.rstCode).toBe(http2.constants.NGHTTP2_REFUSED_STREAM);
      }
    } finally {
      await server.close();
    }
  });

  it('a client stream has no statusCode, and a Connection header is refused (ERR_HTTP2_INVALID_CONNECTION_HEADERS)', async () => {
    const server = await h2Server(ok);
    const session = http2.connect(server.origin, { ca: CA });
    try {
      const stream = session.request({ ':path': '/items/1' });
      expect('statusCode' in stream).toBe(false);
      expect(() => session.request({ ':path': '/', connection: 'keep-alive' })).toThrow(expect.objectContaining({ code: 'ERR_HTTP2_INVALID_CONNECTION_HEADERS' }));
      await withDeadline(new Promise((resolve) => stream.on('close', resolve).resume()), 2000, 'close');
    } finally {
      session.close();
      await server.close();
    }
  });

  it('session.unref() lets the process exit with the session still open', async () => {
    const server = await h2Server(ok);
    try {
      const result = await runChild(client(`
const session = http2.connect(origin, { ca: readFileSync(caFile) });
session.request({ ':path': '/items/1' }).on('close', () => { console.log('closed'); session.unref(); }).resume();
`), { args: [server.origin, path.join(CERTS, 'ca-cert.pem')], deadlineMs: 2500 });
      expect(result.stdout).toContain('closed');
      expect(result.timedOut).toBe(false);
      expect(result.code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a client session that is never closed keeps the process running after its stream closed', async () => {
    const server = await h2Server(ok);
    try {
      const result = await runChild(client(`
const session = http2.connect(origin, { ca: readFileSync(caFile) });
session.request({ ':path': '/items/1' }).on('close', () => console.log('closed')).resume();
`), { args: [server.origin, path.join(CERTS, 'ca-cert.pem')], deadlineMs: 2500 });
      expect(result.stdout).toContain('closed');
      expect(result.timedOut).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('lesson 19: failures', () => {
  it("a TLS connection dropped mid-body ends the client stream with 'end' and rstCode 8, and no 'error'", async () => {
    const server = await h2Server((stream, _headers, h2) => {
      stream.respond({ ':status': 200 });
      stream.write('Zo');
      // session.socket.destroy() throws ERR_HTTP2_NO_SOCKET_MANIPULATION: drop the TLSSocket itself.
      expect(() => stream.session?.socket.destroy()).toThrow(/should not be directly manipulated/);
      setTimeout(() => h2.sockets[0].destroy(), 50);
    });
    const session = http2.connect(server.origin, { ca: CA });
    session.on('error', () => {});
    try {
      const seen: string[] = [];
      const stream = session.request({ ':path': '/greeting' });
      stream.on('response', () => seen.push('response'));
      stream.on('data', () => {});
      stream.on('end', () => seen.push('end'));
      stream.on('aborted', () => seen.push('aborted'));
      stream.on('error', () => seen.push('error'));
      await withDeadline(new Promise((resolve) => stream.on('close', resolve)), 2000, 'close');
      expect(seen).toEqual(['response', 'end']);
      expect(stream.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
      expect(http2.constants.NGHTTP2_CANCEL).toBe(8);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it("a stream still waiting for its headers when the connection drops gets no 'response': 'end', then 'close' with rstCode 8", async () => {
    const server = await h2Server((stream, headers, h2) => {
      if (headers[':path'] === '/items/1') return ok(stream);
      setTimeout(() => h2.sockets[0].destroy(), 100);
    });
    const session = http2.connect(server.origin, { ca: CA });
    session.on('error', () => {});
    try {
      const seen: string[] = [];
      const stream = session.request({ ':path': '/items/2' });
      stream.on('response', () => seen.push('response'));
      stream.on('end', () => seen.push('end'));
      stream.on('error', () => seen.push('error'));
      stream.resume();
      await withDeadline(new Promise((resolve) => stream.on('close', resolve)), 2000, 'close');
      expect(seen).toEqual(['end']);
      expect(stream.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it("a stream refused with REFUSED_STREAM emits 'error' ERR_HTTP2_STREAM_ERROR; without a listener the process crashes", async () => {
    const server = await h2Server((stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM));
    try {
      const session = http2.connect(server.origin, { ca: CA });
      const stream = session.request({ ':path': '/items/2' });
      const error = await withDeadline(new Promise<NodeJS.ErrnoException>((resolve) => stream.on('error', resolve)), 2000, 'stream error');
      expect(error.code).toBe('ERR_HTTP2_STREAM_ERROR');
      expect(error.message).toMatch(/NGHTTP2_REFUSED_STREAM/);
      expect(stream.rstCode).toBe(http2.constants.NGHTTP2_REFUSED_STREAM);
      session.close();
      const crash = await runChild(client(`
const session = http2.connect(origin, { ca: readFileSync(caFile) });
session.on('error', () => {});
session.request({ ':path': '/items/2' }).resume();
`), { args: [server.origin, path.join(CERTS, 'ca-cert.pem')], deadlineMs: 3000 });
      expect(crash.code).toBe(1);
      expect(crash.stderr).toMatch(/ERR_HTTP2_STREAM_ERROR/);
    } finally {
      await server.close();
    }
  });

  it('a refused certificate is a session error and cancels the pending streams (ERR_HTTP2_STREAM_CANCEL); without the ca option the test CA is not trusted', async () => {
    for (const [name, pair, expected] of [
      ['wrong-host', { key: checks('wrong-host-key.pem'), cert: checks('wrong-host-cert.pem') }, 'ERR_TLS_CERT_ALTNAME_INVALID'],
      ['other-ca', { key: checks('other-ca-key.pem'), cert: checks('other-ca-cert.pem') }, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      ['no ca option', { key: KEY, cert: CERT }, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ] as const) {
      const server = await h2Server(ok, pair);
      const session = http2.connect(server.origin, name === 'no ca option' ? {} : { ca: CA });
      try {
        const sessionError = new Promise<NodeJS.ErrnoException>((resolve) => session.on('error', resolve));
        const stream = session.request({ ':path': '/items/1' });
        const streamError = new Promise<NodeJS.ErrnoException>((resolve) => stream.on('error', resolve));
        const error = await withDeadline(sessionError, 2000, name);
        expect(error.code).toBe(expected);
        if (name === 'no ca option') expect(error.message).toBe('unable to verify the first certificate');
        expect((await withDeadline(streamError, 2000, name)).code).toBe('ERR_HTTP2_STREAM_CANCEL');
      } finally {
        session.destroy();
        await server.close();
      }
    }
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 set while the program runs disables verification for http2.connect', async () => {
    const server = await h2Server(ok, { key: checks('wrong-host-key.pem'), cert: checks('wrong-host-cert.pem') });
    try {
      const result = await runChild(client(`
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
process.removeAllListeners('warning');
const session = http2.connect(origin);
session.on('error', (err) => console.log('error', err.code));
const stream = session.request({ ':path': '/items/1' });
stream.on('response', (headers) => console.log('status', headers[':status']));
stream.resume();
stream.on('close', () => session.close());
`), { args: [server.origin, path.join(CERTS, 'ca-cert.pem')], deadlineMs: 3000, env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: undefined, NODE_EXTRA_CA_CERTS: undefined } });
      expect(result.stdout).toContain('status 200');
    } finally {
      await server.close();
    }
  });

  it('an https client to an HTTP/2 server with allowHTTP1 offers no ALPN, speaks HTTP/1.1 and gets the fallback answer', async () => {
    const server = await h2Server(ok, { key: KEY, cert: CERT }, true);
    try {
      const answer = await withDeadline(new Promise<{ status: number; version: string }>((resolve, reject) => {
        https.get(`${server.origin}/items/1`, { ca: CA, agent: false }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, version: res.httpVersion });
        }).on('error', reject);
      }), 2000, 'https answer');
      expect(answer).toEqual({ status: 505, version: '1.1' });
      await sleep(10);
      expect(server.alpn).toEqual([false]);
    } finally {
      await server.close();
    }
  });
});
