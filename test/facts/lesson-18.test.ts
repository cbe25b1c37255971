// Lesson 18 (an HTTP/2 server with an HTTP/1.1 fallback): every claim of its lesson text,
// its pitfall pages (h2c-cleartext, no-http1-fallback, http1-requests-unanswered,
// h2-connection-header, h2-stream-error-crash) and its quiz, on the running Node, with the
// lesson's own certificates, talking only to 127.0.0.1. What may crash runs in a child.
import fs from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST, listenServer, settlesWithin, sleep, startChildServer, withDeadline } from './support.ts';

const CERTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lessons/certs');
const KEY = fs.readFileSync(path.join(CERTS, 'localhost-key.pem'));
const CERT = fs.readFileSync(path.join(CERTS, 'localhost-cert.pem'));
const CA = fs.readFileSync(path.join(CERTS, 'ca-cert.pem'));

type Answer = { status?: number; body?: string; error?: string; code?: string };
type H2Answer = { status: number | null; body: string; rstCode: number | null; error: string | null; chunks: number[] };

/** An HTTPS/1.1 request (optionally offering ALPN), trusting the test CA only; bounded. */
function ask1(port: number, alpn?: string[], timeoutMs = 3_000): Promise<Answer> {
  return withDeadline(new Promise<Answer>((resolve) => {
    const req = https.get({ host: HOST, port, servername: 'localhost', ca: CA, agent: false, ...(alpn ? { ALPNProtocols: alpn } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.message, code: error.code }));
    req.setTimeout(timeoutMs - 500, () => req.destroy(Object.assign(new Error('no answer'), { code: 'TIMEOUT' })));
  }), timeoutMs, 'https request');
}

/** One HTTP/2 session to 127.0.0.1 (name localhost), the test CA only; a bounded connect. */
async function session(port: number): Promise<http2.ClientHttp2Session> {
  const client = http2.connect(`https://localhost:${port}`, { ca: CA, createConnection: () => tls.connect({ host: HOST, port, servername: 'localhost', ca: CA, ALPNProtocols: ['h2'] }) });
  client.on('error', () => {});
  await withDeadline(new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); }), 3_000, 'h2 connect');
  return client;
}

/** One request on a session; resolves when its stream closed (never rejects); `act` may cancel or reset it. */
function get(client: http2.ClientHttp2Session, urlPath: string, act?: (req: http2.ClientHttp2Stream) => void): Promise<H2Answer> {
  return withDeadline(new Promise<H2Answer>((resolve) => {
    const started = performance.now();
    const req = client.request({ ':path': urlPath });
    const answer: H2Answer = { status: null, body: '', rstCode: null, error: null, chunks: [] };
    req.on('response', (headers) => { answer.status = Number(headers[':status']); });
    req.on('data', (chunk: Buffer) => { answer.body += chunk; answer.chunks.push(Math.round(performance.now() - started)); });
    req.on('error', (error: NodeJS.ErrnoException) => { answer.error = error.code ?? error.message; });
    req.on('close', () => { answer.rstCode = req.rstCode ?? null; resolve(answer); });
    act?.(req);
  }), 4_000, `h2 GET ${urlPath}`);
}

async function secureServer(options: http2.SecureServerOptions = {}) {
  return listenServer(http2.createSecureServer({ key: KEY, cert: CERT, ...options }));
}

const CHILD = (body: string) => `
import fs from 'node:fs';
import http2 from 'node:http2';
const [key, cert] = ['localhost-key.pem', 'localhost-cert.pem'].map((f) => fs.readFileSync(process.argv[2] + '/' + f));
setTimeout(() => process.exit(99), 30_000).unref();
const server = http2.createSecureServer({ key, cert, allowHTTP1: true });
${body}
server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
`;

/** A child server whose HTTP/2 streams get `body`'s handlers; returns what happened after `act` ran. */
async function childAfter(body: string, act: (port: number) => Promise<void>): Promise<{ alive: boolean; code: number | null; stderr: string }> {
  const { child, port } = await startChildServer(CHILD(body), { args: [CERTS] });
  try {
    await act(port);
    await sleep(500);
    const alive = child.alive();
    const result = await child.dispose();
    return { alive, code: alive ? null : result.code, stderr: result.stderr };
  } finally {
    await child.dispose();
  }
}

describe('ALPN: createSecureServer with and without allowHTTP1', () => {
  it('without allowHTTP1, https.get (no ALPN) gets a canned 403 "Missing ALPN Protocol, expected `h2` to be available…" and ALPN http/1.1 fails with ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', async () => {
    const { server, port } = await secureServer();
    server.on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end('h2'); });
    try {
      const plain = await ask1(port);
      expect(plain.status).toBe(403);
      expect(plain.body).toMatch(/^Missing ALPN Protocol, expected `h2` to be available\.\nIf this is a HTTP request: The server was not configured with the `allowHTTP1` option or a listener for the `unknownProtocol` event\./);
      // https.get reports the alert as EPROTO; tls.connect (and curl) name it.
      const alpn = await ask1(port, ['http/1.1']);
      expect(alpn.code).toBe('EPROTO');
      expect(alpn.error).toMatch(/tlsv1 alert no application protocol/);
      const refused = await withDeadline(new Promise<NodeJS.ErrnoException>((resolve) => {
        const socket = tls.connect({ host: HOST, port, servername: 'localhost', ca: CA, ALPNProtocols: ['http/1.1'] }, () => resolve(Object.assign(new Error('handshake completed'), { code: 'NONE' })));
        socket.on('error', resolve);
      }), 3_000, 'tls connect offering http/1.1');
      expect(refused.code).toBe('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
      const h2 = await session(port);
      expect((await get(h2, '/')).body).toBe('h2');
      h2.close();
    } finally {
      server.close();
    }
  });

  it("with allowHTTP1, one 'request' listener serves HTTP/2 (httpVersion '2.0') and HTTP/1.1 with or without ALPN (httpVersion '1.1')", async () => {
    const { server, port } = await secureServer({ allowHTTP1: true });
    server.on('request', (req, res) => res.end(req.httpVersion));
    try {
      expect(await ask1(port)).toMatchObject({ status: 200, body: '1.1' });
      expect(await ask1(port, ['http/1.1'])).toMatchObject({ status: 200, body: '1.1' });
      const h2 = await session(port);
      expect((await get(h2, '/')).body).toBe('2.0');
      h2.close();
    } finally {
      server.close();
    }
  });

  it("with allowHTTP1 and only a 'stream' listener, an HTTP/1.1 request is accepted and never answered", async () => {
    const { server, port } = await secureServer({ allowHTTP1: true });
    server.on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end('h2'); });
    try {
      const h1 = await ask1(port, undefined, 1_500);
      expect(h1.code).toBe('TIMEOUT');
      const h2 = await session(port);
      expect((await get(h2, '/')).body).toBe('h2');
      h2.close();
    } finally {
      server.close();
    }
  });

  it("'request' also fires for every HTTP/2 stream when a 'stream' listener exists", async () => {
    const { server, port } = await secureServer({ allowHTTP1: true });
    const seen: string[] = [];
    server.on('stream', (stream) => { seen.push('stream'); stream.respond({ ':status': 200 }); stream.end('core'); });
    server.on('request', (req) => { seen.push(`request ${req.httpVersion}`); });
    try {
      const h2 = await session(port);
      expect((await get(h2, '/')).body).toBe('core');
      h2.close();
      expect(seen).toEqual(['stream', 'request 2.0']);
    } finally {
      server.close();
    }
  });
});

describe('h2c: http2.createServer', () => {
  it("http2.createServer({ key, cert }) warns nothing; https.get and http2.connect('https://…') fail with wrong version number; a prior-knowledge h2c client is served", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const { server, port } = await listenServer(http2.createServer({ key: KEY, cert: CERT } as http2.ServerOptions));
    server.on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end('h2c'); });
    try {
      const h1 = await ask1(port);
      expect(h1.code).toBe('EPROTO');
      expect(h1.error).toMatch(/wrong version number/);
      const failed = await withDeadline(new Promise<NodeJS.ErrnoException>((resolve) => http2.connect(`https://localhost:${port}`, { ca: CA }).on('error', resolve)), 3_000, 'h2 over tls');
      expect(failed.code).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
      const clear = http2.connect(`http://${HOST}:${port}`);
      expect((await get(clear, '/')).body).toBe('h2c');
      clear.close();
      expect(server instanceof tls.Server).toBe(false);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      server.close();
    }
  });
});

describe('connection-specific headers', () => {
  it('stream.respond() throws ERR_HTTP2_INVALID_CONNECTION_HEADERS synchronously for connection, keep-alive, transfer-encoding, upgrade, proxy-connection and te other than trailers', async () => {
    const { server, port } = await secureServer();
    const thrown: Record<string, string> = {};
    server.on('stream', (stream, headers) => {
      const [name, value] = String(headers[':path']).slice(1).split('=');
      try {
        stream.respond({ ':status': 200, [name]: value });
        stream.end('ok');
      } catch (error) {
        thrown[`${name}=${value}`] = (error as NodeJS.ErrnoException).code ?? '';
        stream.respond({ ':status': 500 });
        stream.end();
      }
    });
    try {
      const h2 = await session(port);
      const asked = ['connection=keep-alive', 'keep-alive=timeout=5', 'transfer-encoding=chunked', 'upgrade=h2c', 'proxy-connection=keep-alive', 'te=gzip', 'te=trailers'];
      for (const header of asked) await get(h2, `/${header}`);
      h2.close();
      expect(thrown).toEqual(Object.fromEntries(asked.filter((h) => h !== 'te=trailers').map((h) => [h.replace('timeout=5', 'timeout'), 'ERR_HTTP2_INVALID_CONNECTION_HEADERS'])));
    } finally {
      server.close();
    }
  });

  it('the compatibility API drops Connection with one UnsupportedWarning per process and throws ERR_HTTP2_INVALID_CONNECTION_HEADERS for Transfer-Encoding, Keep-Alive and Upgrade from writeHead, write or end', async () => {
    const { child, port } = await startChildServer(CHILD(`
      const warnings = [];
      process.on('warning', (w) => { warnings.push(w.name); });
      server.on('request', (req, res) => {
        const mode = req.url.slice(1);
        try {
          if (mode === 'connection') { res.writeHead(200, { Connection: 'keep-alive' }); res.end('ok'); }
          if (mode === 'te') { res.setHeader('Transfer-Encoding', 'chunked'); res.writeHead(200); }
          if (mode === 'ka') { res.setHeader('Keep-Alive', 'timeout=5'); res.write('x'); }
          if (mode === 'upgrade') { res.setHeader('Upgrade', 'h2c'); res.end('x'); }
          if (mode === 'warnings') res.end(warnings.join(','));
        } catch (error) { console.log(mode, error.code); res.stream.close(); }
      });`), { args: [CERTS] });
    try {
      const h2 = await session(port);
      expect(await get(h2, '/connection')).toMatchObject({ status: 200, body: 'ok' });
      expect(await get(h2, '/connection')).toMatchObject({ status: 200, body: 'ok' });
      for (const mode of ['te', 'ka', 'upgrade']) expect((await get(h2, `/${mode}`)).status).toBeNull();
      await sleep(50);
      expect((await get(h2, '/warnings')).body).toBe('UnsupportedWarning');
      h2.close();
      expect(child.stdout()).toContain('te ERR_HTTP2_INVALID_CONNECTION_HEADERS');
      expect(child.stdout()).toContain('ka ERR_HTTP2_INVALID_CONNECTION_HEADERS');
      expect(child.stdout()).toContain('upgrade ERR_HTTP2_INVALID_CONNECTION_HEADERS');
    } finally {
      await child.dispose();
    }
  });

  it('uncaught, the header error exits the process with code 1: the HTTP/2 stream closes with no response, while HTTP/1.1 to the same code is answered', async () => {
    const handler = `server.on('request', (req, res) => { res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Transfer-Encoding': 'chunked' }); res.end('data: 1\\n\\n'); });`;
    let h1: Answer = {};
    let h2: H2Answer | null = null;
    const outcome = await childAfter(handler, async (port) => {
      h1 = await ask1(port);
      const client = await session(port);
      h2 = await get(client, '/events');
      client.destroy();
    });
    expect(h1).toMatchObject({ status: 200, body: 'data: 1\n\n' });
    expect(h2).toMatchObject({ status: null, body: '' });
    expect(outcome).toMatchObject({ alive: false, code: 1 });
    expect(outcome.stderr).toContain('ERR_HTTP2_INVALID_CONNECTION_HEADERS');
  });
});

describe('clients that leave', () => {
  const timer = `server.on('stream', (stream) => { setTimeout(() => { stream.respond({ ':status': 200 }); stream.end('late'); }, 300); });`;
  const events = `server.on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.write('data: 1\\n\\n'); setTimeout(() => stream.end('data: 2\\n\\n'), 300); });`;

  it('core API: stream.respond() on a stream the client cancelled (RST_STREAM CANCEL) throws ERR_HTTP2_INVALID_STREAM; uncaught, the process exits 1', async () => {
    let rstCode: number | null = null;
    const outcome = await childAfter(timer, async (port) => {
      const client = await session(port);
      rstCode = (await get(client, '/slow', (req) => setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 100))).rstCode;
      client.destroy();
    });
    expect(rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    expect(outcome).toMatchObject({ alive: false, code: 1 });
    expect(outcome.stderr).toMatch(/ERR_HTTP2_INVALID_STREAM[\s\S]*|The stream has been destroyed/);
  });

  it('core API: a dropped TLS connection makes a later stream.respond() throw ERR_HTTP2_INVALID_STREAM as well', async () => {
    const outcome = await childAfter(timer, async (port) => {
      const socket = tls.connect({ host: HOST, port, servername: 'localhost', ca: CA, ALPNProtocols: ['h2'] });
      const client = http2.connect(`https://localhost:${port}`, { createConnection: () => socket });
      client.on('error', () => {});
      const req = client.request({ ':path': '/slow' });
      req.on('error', () => {});
      await sleep(100);
      socket.destroy();
    });
    expect(outcome).toMatchObject({ alive: false, code: 1 });
    expect(outcome.stderr).toContain('ERR_HTTP2_INVALID_STREAM');
  });

  it("core API: a reset with INTERNAL_ERROR emits 'error' ERR_HTTP2_STREAM_ERROR on the server's stream: fatal without a listener, survived with a 'request' listener or with stream.on('error'); a CANCEL emits no 'error'", async () => {
    const reset = async (port: number) => {
      const client = await session(port);
      const answer = await get(client, '/events', (req) => setTimeout(() => req.destroy(new Error('gone')), 150));
      expect(answer.rstCode).toBe(http2.constants.NGHTTP2_INTERNAL_ERROR);
      await sleep(100); // let the RST_STREAM frame leave before the connection goes
      client.destroy();
    };
    const bare = await childAfter(events, reset);
    expect(bare).toMatchObject({ alive: false, code: 1 });
    expect(bare.stderr).toContain('ERR_HTTP2_STREAM_ERROR');
    expect(bare.stderr).toContain('NGHTTP2_INTERNAL_ERROR');
    expect(await childAfter(`${events} server.on('request', (req) => { if (req.httpVersion === '2.0') return; });`, reset)).toMatchObject({ alive: true });
    // A CANCEL is no error: the same bare server survives it.
    const cancel = async (port: number) => {
      const client = await session(port);
      await get(client, '/events', (req) => setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 150));
      await sleep(100);
      client.destroy();
    };
    expect(await childAfter(events, cancel)).toMatchObject({ alive: true });
    expect(await childAfter(events.replace("(stream) => {", "(stream) => { stream.on('error', () => {});"), reset)).toMatchObject({ alive: true });
  });

  it('the compatibility API survives a cancel, an INTERNAL_ERROR reset and a dropped connection, even answering after the cancel', async () => {
    const compat = `server.on('request', (req, res) => {
      if (req.url === '/slow') return setTimeout(() => { res.writeHead(200); res.end('late'); }, 300);
      res.writeHead(200); res.write('data: 1\\n\\n'); setTimeout(() => res.end('data: 2\\n\\n'), 300);
    });`;
    const outcome = await childAfter(compat, async (port) => {
      const [a, b] = [await session(port), await session(port)];
      const socket = tls.connect({ host: HOST, port, servername: 'localhost', ca: CA, ALPNProtocols: ['h2'] });
      const c = http2.connect(`https://localhost:${port}`, { createConnection: () => socket });
      c.on('error', () => {});
      c.request({ ':path': '/events' }).on('error', () => {});
      setTimeout(() => socket.destroy(), 150);
      await Promise.all([
        get(a, '/slow', (req) => setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 100)),
        get(b, '/events', (req) => setTimeout(() => req.destroy(new Error('gone')), 150)),
      ]);
      a.destroy();
      b.destroy();
    });
    expect(outcome).toMatchObject({ alive: true });
  });

  it("the compatibility API's res emits 'close' when the client cancels the stream", async () => {
    const { server, port } = await secureServer();
    const closed = new Promise<void>((resolve) => server.on('request', (_req, res) => res.on('close', () => resolve())));
    try {
      const h2 = await session(port);
      await get(h2, '/slow', (req) => setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), 50));
      expect(await settlesWithin(closed, 1_000)).toBe(true);
      h2.close();
    } finally {
      server.close();
    }
  });
});

describe('streams and frames', () => {
  it('100 requests with a 300 ms timer each, sent at once on one session (one TLS connection), all complete within 1.5 s', async () => {
    const { server, port } = await secureServer();
    let connections = 0;
    server.on('secureConnection', () => { connections += 1; });
    server.on('stream', (stream) => setTimeout(() => { stream.respond({ ':status': 200 }); stream.end('300'); }, 300));
    try {
      const h2 = await session(port);
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 100 }, () => get(h2, '/slow')));
      const ms = performance.now() - started;
      h2.close();
      expect(answers.every((a) => a.status === 200 && a.body === '300')).toBe(true);
      expect(ms).toBeLessThan(1_500);
      expect(connections).toBe(1);
    } finally {
      server.close();
    }
  });

  it("Node's default maxConcurrentStreams is 4294967295", () => {
    expect(http2.getDefaultSettings().maxConcurrentStreams).toBe(4294967295);
  });

  it('each res.write() over HTTP/2 reaches the client when it is written, not at the end', async () => {
    const { server, port } = await secureServer();
    server.on('request', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('data: 1\n\n');
      setTimeout(() => res.write('data: 2\n\n'), 100);
      setTimeout(() => res.end('data: 3\n\n'), 200);
    });
    try {
      const h2 = await session(port);
      const answer = await get(h2, '/events');
      h2.close();
      expect(answer.body).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');
      expect(answer.chunks.length).toBe(3);
      expect(answer.chunks[1] - answer.chunks[0]).toBeGreaterThanOrEqual(60);
      expect(answer.chunks[2] - answer.chunks[1]).toBeGreaterThanOrEqual(60);
    } finally {
      server.close();
    }
  });
});
