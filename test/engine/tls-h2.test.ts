// ctx.tls.h2 against real HTTP/2 servers on 127.0.0.1 with the course's certs:
// what a request reports (normal, cancelled, reset, dropped, timed out), what the
// server saw of it (the RST_STREAM code that reached it), what the transcript
// says, and how connect() fails against servers that are not HTTP/2 over TLS.

import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.js';
import { courseCerts } from '../../src/engine/toolkit/tls/certs.js';
import { h2Sessions, type H2RequestOptions } from '../../src/engine/toolkit/tls/h2.js';

const certs = courseCerts(join(import.meta.dirname, '..', '..', 'lessons'));
const tlsOptions = { key: certs.localhost.key, cert: certs.localhost.cert };

/** How each server-side stream closed: path → rstCode. */
const serverCloses = new Map<string, number>();
let server: http2.Http2SecureServer;
let port = 0;
const others: Array<{ close(): void }> = [];

function route(stream: http2.ServerHttp2Stream, path: string): void {
  stream.on('error', () => {}); // a reset stream errors; the test server survives it
  stream.once('close', () => serverCloses.set(path, stream.rstCode));
  const url = new URL(path, 'https://localhost');
  if (url.pathname === '/slow') {
    const timer = setTimeout(() => {
      if (!stream.destroyed) {
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ waited: Number(url.searchParams.get('ms')) }));
      }
    }, Number(url.searchParams.get('ms')));
    stream.once('close', () => clearTimeout(timer));
    return;
  }
  if (url.pathname === '/hold') {
    // One part at once, the end 1.5 s later: a reset or drop 150 ms in comes first even on a stalled machine.
    stream.respond({ ':status': 200, 'content-type': 'text/event-stream' });
    stream.write('data: 1\n\n');
    const timer = setTimeout(() => stream.destroyed || stream.end(), 1500);
    stream.once('close', () => clearTimeout(timer));
    return;
  }
  if (url.pathname === '/events') {
    stream.respond({ ':status': 200, 'content-type': 'text/event-stream' });
    let n = 0;
    const tick = (): void => {
      if (stream.destroyed) return;
      stream.write(`data: ${++n}\n\n`);
      if (n === 3) stream.end();
      else timer = setTimeout(tick, 100);
    };
    let timer = setTimeout(tick, 0);
    stream.once('close', () => clearTimeout(timer));
    return;
  }
  stream.respond({ ':status': url.pathname === '/' ? 200 : 404, 'content-type': 'application/json' });
  stream.end(url.pathname === '/' ? '{"httpVersion":"2.0"}' : '{"error":"Not found"}');
}

async function listen<T extends { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null; close(): void }>(s: T): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  others.push(s);
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  server = http2.createSecureServer({ ...tlsOptions, allowHTTP1: true });
  server.on('stream', (stream, headers) => route(stream, String(headers[':path'])));
  port = await listen(server);
});
afterAll(() => others.forEach((s) => s.close()));

let controller = new AbortController();
let notes: string[] = [];
afterEach(() => controller.abort());
function context(): CheckContext {
  controller = new AbortController();
  notes = [];
  return { note: (text: string) => notes.push(text), signal: controller.signal, server: { port } } as unknown as CheckContext;
}

describe('ctx.tls.h2 requests', () => {
  const rows: Array<{ name: string; path: string; options?: H2RequestOptions; dropAfterMs?: number; expect: Record<string, unknown>; serverRst: number | null; note: RegExp }> = [
    { name: 'normal', path: '/', expect: { status: 200, text: '{"httpVersion":"2.0"}', complete: true, rstCode: 0, abandoned: false, error: null }, serverRst: 0, note: /^← DATA stream 1, 21 bytes$/ },
    { name: 'not found', path: '/nope', expect: { status: 404, complete: true }, serverRst: 0, note: /^← HEADERS stream 1 :status 404/ },
    { name: 'three events, apart', path: '/events', expect: { status: 200, complete: true, text: 'data: 1\n\ndata: 2\n\ndata: 3\n\n' }, serverRst: 0, note: /^← END_STREAM stream 1/ },
    { name: 'cancel', path: '/slow?ms=1500', options: { cancelAfterMs: 100 }, expect: { status: null, complete: false, abandoned: true, rstCode: http2.constants.NGHTTP2_CANCEL, error: null }, serverRst: http2.constants.NGHTTP2_CANCEL, note: /^→ RST_STREAM stream 1 CANCEL/ },
    { name: 'reset', path: '/hold', options: { resetAfterMs: 150 }, expect: { status: 200, complete: false, abandoned: true, rstCode: http2.constants.NGHTTP2_INTERNAL_ERROR, error: null }, serverRst: http2.constants.NGHTTP2_INTERNAL_ERROR, note: /^→ RST_STREAM stream 1 INTERNAL_ERROR/ },
    { name: 'timeout', path: '/slow?ms=1500', options: { timeoutMs: 200 }, expect: { status: null, complete: false, timedOut: true, abandoned: false }, serverRst: http2.constants.NGHTTP2_CANCEL, note: /no end of stream 1 after 200 ms/ },
    { name: 'drop', path: '/hold', dropAfterMs: 150, expect: { status: 200, complete: false, dropped: true, abandoned: false }, serverRst: null, note: /^✂ the TLS connection is dropped/ },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      serverCloses.clear();
      const session = await h2Sessions(context(), certs).connect();
      expect(session.alpnProtocol).toBe('h2');
      if (row.dropAfterMs !== undefined) session.dropAfter(row.dropAfterMs);
      const response = await session.request(row.path, row.options);
      expect(response).toMatchObject({ id: 1, path: row.path, ...row.expect });
      expect(notes[0]).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+: TLSv1\.[23], ALPN h2/);
      expect(notes).toContain(`→ HEADERS stream 1 GET ${row.path} (END_STREAM)`);
      expect(notes.some((line) => row.note.test(line)), notes.join('\n')).toBe(true);
      if (row.name === 'three events, apart') {
        expect(response.chunks).toHaveLength(3);
        expect(response.chunks[2].atMs - response.chunks[0].atMs).toBeGreaterThanOrEqual(150);
      }
      await session.close();
      // What reached the server: the same code (a dropped connection: the server's stream closes with none sent).
      for (let i = 0; i < 50 && !serverCloses.has(row.path); i++) await new Promise((r) => setTimeout(r, 10));
      if (row.serverRst !== null) expect(serverCloses.get(row.path)).toBe(row.serverRst);
      else expect(serverCloses.has(row.path)).toBe(true);
    });
  }

  it('many streams on one session, and a request after the session closed', async () => {
    const session = await h2Sessions(context(), certs).connect();
    const started = performance.now();
    const all = await Promise.all(Array.from({ length: 50 }, () => session.request('/slow?ms=300')));
    expect(all.every((r) => r.status === 200 && r.complete)).toBe(true);
    expect(new Set(all.map((r) => r.id)).size).toBe(50);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(notes.some((line) => /more frame lines of this session not shown/.test(line))).toBe(false); // only at close
    await session.close();
    expect(notes.at(-1)).toMatch(/^… \d+ more frame lines of this session not shown$/);
    const late = await session.request('/');
    expect(late.status).toBeNull();
    expect(late.error).toMatch(/ERR_HTTP2_(INVALID_SESSION|GOAWAY_SESSION)/);
  });

  it('the check ending destroys the session: a pending request resolves', async () => {
    const session = await h2Sessions(context(), certs).connect();
    const pending = session.request('/slow?ms=1500', { timeoutMs: 3000 });
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const response = await pending;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(response.complete).toBe(false);
  });
});

describe('ctx.tls.h2 connect to servers that are not HTTP/2 over TLS', () => {
  const rows: Array<{ name: string; start: () => Promise<number>; message: RegExp }> = [
    { name: 'plaintext HTTP/2 (http2.createServer)', start: () => listen(http2.createServer(tlsOptions as http2.ServerOptions /* ignored: the h2c-cleartext mistake */)), message: /wrong version number.*plaintext server/ },
    // Node 20's https.Server serves ALPN http/1.1 only: a client offering only h2 gets the fatal alert.
    { name: 'HTTPS/1.1 (https.createServer)', start: () => listen(https.createServer(tlsOptions)), message: /ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL.*no_application_protocol/ },
    { name: 'TLS without ALPN', start: () => listen(tls.createServer(tlsOptions, (s) => s.end())), message: /chose no ALPN protocol.*does not speak HTTP\/2/ },
    { name: 'ALPN refusal (TLS server serving http/1.1 only)', start: () => listen(tls.createServer({ ...tlsOptions, ALPNProtocols: ['http/1.1'] }, (s) => s.end())), message: /ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL.*no_application_protocol/ },
    { name: 'nothing listening', start: async () => { const s = http2.createServer(); const p = await listen(s); s.close(); return p; }, message: /ECONNREFUSED.*nothing listens/ },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const ctx = context();
      const target = await row.start();
      await expect(h2Sessions(ctx, certs).connect({ port: target, timeoutMs: 1500 })).rejects.toThrow(row.message);
      expect(notes.at(-1)).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: /);
    });
  }

  it.each([
    ['stays silent', (s: tls.TLSSocket) => s.on('data', () => {}), /no SETTINGS frame \(the server's HTTP\/2 preface\) within \d+ ms/],
    ['closes at once', (s: tls.TLSSocket) => s.end(), /ended right after the TLS handshake \(ALPN h2\): /],
  ])('a TLS server that agrees to ALPN h2 and then %s', async (_name, behave, message) => {
    const ctx = context();
    const target = await listen(tls.createServer({ ...tlsOptions, ALPNProtocols: ['h2'] }, behave));
    const started = performance.now();
    await expect(h2Sessions(ctx, certs).connect({ port: target, timeoutMs: 400 })).rejects.toThrow(message);
    expect(performance.now() - started).toBeLessThan(1400);
    expect(notes[0]).toMatch(/TLSv1\.3, ALPN h2/);
  });

  it('a secure server without allowHTTP1 still speaks h2 (its refusals are for HTTP/1.1 clients)', async () => {
    const strict = http2.createSecureServer(tlsOptions);
    strict.on('stream', (stream) => route(stream, '/'));
    const target = await listen(strict);
    const session = await h2Sessions(context(), certs).connect({ port: target });
    expect((await session.request('/')).status).toBe(200);
    await session.close();
  });
});
