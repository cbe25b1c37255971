// ctx.tls.h2Servers (lesson 19's HTTP/2 test server) against real http2 and
// https clients on 127.0.0.1 with the course's certs: what it answers, what it
// counts (TLS connections, streams in flight, GOAWAY, HTTP/1.1 requests, failed
// handshakes), the hold, the refused stream, the dropped connection, the
// transcript notes, and that everything is closed when the check's signal aborts.

import http2 from 'node:http2';
import https from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.js';
import { courseCerts } from '../../src/engine/toolkit/tls/certs.js';
import { h2Servers, HOLD_MS, type H2ServeOptions, type H2TestServer } from '../../src/engine/toolkit/tls/h2-servers.js';
import { answerFor, GREETING } from '../../src/engine/toolkit/tls/h2-answers.js';

const certs = courseCerts(join(import.meta.dirname, '..', '..', 'lessons'));

function context(): { ctx: CheckContext; notes: string[]; abort(): void } {
  const controller = new AbortController();
  const notes: string[] = [];
  const ctx = { note: (text: string) => notes.push(text), signal: controller.signal, sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) } as unknown as CheckContext;
  return { ctx, notes, abort: () => controller.abort() };
}

interface Got { status: number | null; body: string; rstCode: number; error: string | null; atMs: number }

/** One request on `session`; resolves on 'close' with what the client saw. */
function get(session: http2.ClientHttp2Session, path: string, started: number): Promise<Got> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': path });
    let status: number | null = null;
    let error: string | null = null;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => { status = headers[':status'] as number; });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err: NodeJS.ErrnoException) => { error = err.code ?? err.message; });
    stream.on('close', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8'), rstCode: stream.rstCode, error, atMs: performance.now() - started }));
  });
}

/** The client styles a lesson-19 program may have. */
async function drive(server: H2TestServer, paths: string[], style: 'at-once' | 'sequential' | 'per-request' | 'partial'): Promise<Got[]> {
  const started = performance.now();
  const connect = () => {
    const session = http2.connect(server.origin, { ca: certs.ca });
    session.on('error', () => {});
    return session;
  };
  if (style === 'per-request') {
    return Promise.all(paths.map(async (path) => {
      const session = connect();
      try { return await get(session, path, started); } finally { session.close(); }
    }));
  }
  const session = connect();
  try {
    if (style === 'sequential') {
      const out: Got[] = [];
      for (const path of paths) out.push(await get(session, path, started));
      return out;
    }
    // 'partial': only the first path is asked for (the hold must give up after HOLD_MS).
    return await Promise.all((style === 'partial' ? paths.slice(0, 1) : paths).map((path) => get(session, path, started)));
  } finally {
    session.close();
  }
}

const rows: Array<{ name: string; options: H2ServeOptions; paths: string[]; style: 'at-once' | 'sequential' | 'per-request' | 'partial'; connections: number; maxInFlight: number; got: Array<Partial<Got>>; outcomes: string[]; note: RegExp; minFirstMs?: number }> = [
  { name: 'all at once', options: {}, paths: ['/items/1', '/items/2', '/nope'], style: 'at-once', connections: 1, maxInFlight: 3, got: [{ status: 200, body: 'item 1', rstCode: 0 }, { status: 200, body: 'item 2' }, { status: 404, body: 'no such item' }], outcomes: ['answered', 'answered', 'answered'], note: /^← DATA stream 1, 3 bytes "ite"$/ },
  { name: 'greeting cut inside ë and 😀', options: {}, paths: ['/greeting'], style: 'at-once', connections: 1, maxInFlight: 1, got: [{ status: 200, body: GREETING, rstCode: 0 }], outcomes: ['answered'], note: /^← DATA stream 1, 3 bytes "Zo\\xC3"$/ },
  { name: 'sequential: one stream at a time', options: {}, paths: ['/items/1', '/items/2'], style: 'sequential', connections: 1, maxInFlight: 1, got: [{ status: 200 }, { status: 200 }], outcomes: ['answered', 'answered'], note: /^→ HEADERS stream 3 \(GET \/items\/2\)$/, minFirstMs: HOLD_MS },
  { name: 'per request: one TLS connection each', options: {}, paths: ['/items/1', '/items/2'], style: 'per-request', connections: 2, maxInFlight: 2, got: [{ status: 200 }, { status: 200 }], outcomes: ['answered', 'answered'], note: /^TLS connection 2: handshake done \(TLSv1\.3, ALPN h2\)$/ },
  { name: 'hold gives up after 500 ms', options: {}, paths: ['/items/1', '/items/2'], style: 'partial', connections: 1, maxInFlight: 1, got: [{ status: 200 }], outcomes: ['answered'], note: /^→ HEADERS stream 1 \(GET \/items\/1\)$/, minFirstMs: HOLD_MS },
  { name: 'refused stream', options: { refuse: ['/items/2'] }, paths: ['/items/1', '/items/2'], style: 'at-once', connections: 1, maxInFlight: 2, got: [{ status: 200 }, { status: null, error: 'ERR_HTTP2_STREAM_ERROR', rstCode: http2.constants.NGHTTP2_REFUSED_STREAM }], outcomes: ['answered', 'refused'], note: /^← RST_STREAM stream 3 REFUSED_STREAM$/ },
  { name: 'dropped mid-body', options: { drop: '/greeting' }, paths: ['/items/1', '/greeting'], style: 'at-once', connections: 1, maxInFlight: 2, got: [{ status: 200, body: 'item 1', rstCode: 0 }, { status: 200, body: 'Zo\uFFFD', rstCode: http2.constants.NGHTTP2_CANCEL, error: null }], outcomes: ['answered', 'dropped'], note: /^✂ we dropped TLS connection 1 after 3 body bytes of stream 3$/ },
];

describe('ctx.tls.h2Servers', () => {
  it.each(rows)('$name', async (row) => {
    const { ctx, notes, abort } = context();
    const server = await h2Servers(ctx, certs).start({ ...row.options, expect: row.paths.length, seed: 1 });
    try {
      expect(server.origin).toMatch(/^https:\/\/localhost:\d+$/);
      const got = await drive(server, row.paths, row.style);
      got.forEach((one, index) => expect(one).toMatchObject(row.got[index]));
      if (row.minFirstMs) expect(Math.min(...got.map((one) => one.atMs))).toBeGreaterThanOrEqual(row.minFirstMs - 5);
      expect(server.connections).toBe(row.connections);
      expect(server.maxInFlight).toBe(row.maxInFlight);
      expect(server.streams.map((stream) => stream.outcome)).toEqual(row.outcomes);
      expect(server.ended).toBe(row.outcomes.length);
      expect(server.lastResponseAt).not.toBeNull();
      expect(notes.some((note) => row.note.test(note)), notes.join('\n')).toBe(true);
    } finally {
      abort();
      await server.close();
    }
  });

  it('the delays are seeded: the same seed gives every path the same 20-200 ms delay, not in path order', async () => {
    const orders: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const { ctx, abort } = context();
      const server = await h2Servers(ctx, certs).start({ expect: 5, seed: 42 });
      try {
        await drive(server, ['/items/1', '/items/2', '/items/3', '/items/4', '/items/5'], 'at-once');
        orders.push([...server.streams].sort((a, b) => a.path.localeCompare(b.path)).map((stream) => stream.delayMs));
      } finally {
        abort();
        await server.close();
      }
    }
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[0].every((ms) => ms >= 20 && ms <= 200)).toBe(true);
    expect(orders[0]).not.toEqual([...orders[0]].sort((a, b) => a - b));
  });

  it('an HTTP/1.1 client is answered 505 "use HTTP/2" and counted', async () => {
    const { ctx, abort } = context();
    const server = await h2Servers(ctx, certs).start();
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        https.get(`${server.origin}/items/1`, { ca: certs.ca, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        }).on('error', reject);
      });
      expect(answer).toEqual({ status: 505, body: 'use HTTP/2' });
      expect(server.http1).toEqual([{ method: 'GET', url: '/items/1' }]);
      expect(server.streams).toEqual([]);
    } finally {
      abort();
      await server.close();
    }
  });

  it.each([['wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID'], ['other-ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']] as const)('a %s certificate is refused by a client trusting the test CA; the failed handshake is counted', async (cert, code) => {
    const { ctx, abort } = context();
    const server = await h2Servers(ctx, certs).start({ cert });
    const session = http2.connect(server.origin, { ca: certs.ca });
    try {
      const error = await new Promise<NodeJS.ErrnoException>((resolve) => session.on('error', resolve));
      expect(error.code).toBe(code);
      for (let i = 0; i < 40 && server.handshakeFailures.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(server.connections).toBe(0);
      expect(server.handshakeFailures.length).toBe(1);
    } finally {
      session.destroy();
      abort();
      await server.close();
    }
  });

  it('refusedOrigin is an https://localhost origin where nothing listens', async () => {
    const { ctx } = context();
    const origin = await h2Servers(ctx, certs).refusedOrigin();
    expect(origin).toMatch(/^https:\/\/localhost:\d+$/);
    const session = http2.connect(origin, { ca: certs.ca });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => session.on('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('the abort of the check closes the server and its connections', async () => {
    const { ctx, abort } = context();
    const server = await h2Servers(ctx, certs).start({ expect: 2 });
    const session = http2.connect(server.origin, { ca: certs.ca });
    session.on('error', () => {});
    const pending = get(session, '/items/1', performance.now());
    for (let i = 0; i < 40 && server.streams.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    abort();
    const got = await pending;
    expect(got.status).toBeNull();
    const refused = http2.connect(server.origin, { ca: certs.ca });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => refused.on('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');
    session.destroy();
  });

  it('answers: /items/<n>, /greeting in three parts, 404 otherwise', () => {
    expect(answerFor('/items/42')).toMatchObject({ status: 200, body: 'item 42' });
    expect(answerFor('/greeting').parts.map((part) => part.toString('hex'))).toEqual(['5a6fc3', 'ab20f09f', '9880']);
    expect(answerFor('/items/1/x')).toMatchObject({ status: 404, body: 'no such item' });
    expect(answerFor('/')).toMatchObject({ status: 404 });
  });
});
