// ctx.tls.https (src/engine/toolkit/tls/https.ts, redirect.ts): the redirect mapping
// of CURRICULUM.md 16, table-driven; requests against real local servers (a verified
// HTTPS answer with protocol and ALPN, a TLS 1.2 cap, a plaintext port's "wrong
// version number", a server that never answers, an abort), all on 127.0.0.1 with the
// course's certificates; and the listeners wait, woken by the probe's event.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckContext, EventOf } from '../../src/engine/check-api.ts';
import { courseCerts, bundledCertsDir } from '../../src/engine/toolkit/tls/certs.ts';
import { httpsRequests } from '../../src/engine/toolkit/tls/https.ts';
import { mapRedirect } from '../../src/engine/toolkit/tls/redirect.ts';

const certs = courseCerts(bundledCertsDir().replace(/\/certs$/, ''));
type Listen = EventOf<'listen'>;
const listen = (port: number, requested: unknown, tls: boolean): Listen =>
  ({ t: 'listen', server: 1, http: !tls, tls, port, host: '127.0.0.1', requested: { port: requested, host: undefined }, at: null, ms: 0, receivedAt: 0 });

describe('mapRedirect: where a Location points on the program', () => {
  const tls = listen(40001, 8443, true);
  it.each([
    ['https://localhost:8443/docs/a%20b?x=1&y=%C3%A9', { port: 40001, target: '/docs/a%20b?x=1&y=%C3%A9' }],
    ['https://127.0.0.1:8443/api/users', { port: 40001, target: '/api/users' }],
    ['https://localhost:40001/login?next=%2Fadmin', { port: 40001, target: '/login?next=%2Fadmin' }],
    ['https://localhost:8443', { port: 40001, target: '/' }],
    ['https://localhost:8443//evil.example/x', { port: 40001, target: '//evil.example/x' }],
  ])('%s maps to the bound port and target', (location, expected) => {
    expect(mapRedirect(location, tls)).toMatchObject({ ok: true, ...expected });
  });
  it.each([
    [undefined, /no Location/],
    ['/api/users', /not an absolute URL/],
    ['http://localhost:8443/', /not an https: URL/],
    ['https://evil.example/x', /host "evil.example"/],
    ['https:///x', /host "x"/],
    ['https://localhost:8080/', /port 8080/],
    ['https://localhost/', /no port, which means 443/],
  ])('%s is refused', (location, why) => {
    const result = mapRedirect(location, tls);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.why).toMatch(why);
  });
  it('no port is right when the program asked for 443', () => {
    expect(mapRedirect('https://localhost/x?y=1', listen(40002, 443, true))).toMatchObject({ ok: true, port: 40002, target: '/x?y=1' });
  });
  it('without a TLS listener nothing maps', () => {
    expect(mapRedirect('https://localhost:8443/', null)).toMatchObject({ ok: false, why: /no HTTPS/ });
  });
});

describe('httpsRequests against real servers', () => {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  async function serve(server: http.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    return (server.address() as AddressInfo).port;
  }
  function context(listeners: Listen[] = [], signal = new AbortController().signal) {
    const notes: string[] = [];
    const waiters: Array<(event: Listen) => void> = [];
    const ctx = {
      note: (text: string) => notes.push(text),
      signal,
      server: {
        port: 0,
        listeners: () => listeners,
        waitFor: (_type: string, options: { timeoutMs: number }) => new Promise<Listen | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), options.timeoutMs);
          waiters.push((event) => {
            clearTimeout(timer);
            resolve(event);
          });
        }),
      },
    } as unknown as CheckContext;
    const emit = (event: Listen) => {
      listeners.push(event);
      for (const wake of waiters.splice(0)) wake(event);
    };
    return { ctx, notes, emit };
  }
  const echo = (req: http.IncomingMessage, res: http.ServerResponse) =>
    res.end(JSON.stringify({ protocol: (req.socket as TLSSocket).getProtocol(), url: req.url, method: req.method }));

  it.each([
    [{}, { protocol: 'TLSv1.3', alpn: false }],
    [{ maxVersion: 'TLSv1.2' as const }, { protocol: 'TLSv1.2', alpn: false }],
    [{ alpn: ['http/1.1'], verifyIp: true }, { protocol: 'TLSv1.3', alpn: 'http/1.1' }],
  ])('options %j: a verified answer with protocol and ALPN', async (options, expected) => {
    const port = await serve(https.createServer({ key: certs.localhost.key, cert: certs.localhost.cert }, echo));
    const { ctx, notes } = context();
    const result = await httpsRequests(ctx, certs).request({ port, method: 'POST', target: '/docs/a%20b?x=1', body: '{}', ...options });
    expect(result).toMatchObject({ ok: true, status: 200, authorized: true, ...expected, json: { protocol: expected.protocol, url: '/docs/a%20b?x=1', method: 'POST' } });
    expect(notes.join('\n')).toMatch(/TLS handshake done: TLSv1\.[23], ALPN .*certificate localhost/);
    expect(notes.join('\n')).toMatch(/→ \(decrypted\) POST \/docs\/a%20b\?x=1 HTTP\/1\.1/);
    expect(notes.join('\n')).toMatch(/← \(decrypted\) HTTP\/1\.1 200 OK/);
  });

  it.each([
    ['a plaintext HTTP port', (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('plain'), 'handshake', 'ERR_SSL_WRONG_VERSION_NUMBER', /wrong version number/],
    ['a server that never answers', null, 'response', 'TIMEOUT', /nothing complete came back for 0\.3 s/],
  ])('%s: a structured failure', async (_name, handler, stage, code, message) => {
    const server = handler ? http.createServer(handler) : https.createServer({ key: certs.localhost.key, cert: certs.localhost.cert }, () => {});
    const port = await serve(server);
    const { ctx } = context();
    const result = await httpsRequests(ctx, certs).request({ port, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, stage, code, message: expect.stringMatching(message) });
  });

  it('the check signal ends a request at once, socket destroyed', async () => {
    let serverSide: import('node:net').Socket | null = null;
    const server = https.createServer({ key: certs.localhost.key, cert: certs.localhost.cert }, (req) => {
      serverSide = req.socket;
    });
    const port = await serve(server);
    const abort = new AbortController();
    const { ctx } = context([], abort.signal);
    const pending = httpsRequests(ctx, certs).request({ port, timeoutMs: 5_000 });
    setTimeout(() => abort.abort(), 100);
    const started = performance.now();
    expect(await pending).toMatchObject({ ok: false, code: 'ABORTED' });
    expect(performance.now() - started).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((serverSide as import('node:net').Socket | null)?.destroyed ?? true).toBe(true);
  });

  it('listeners() waits for the second listen (woken by its event) and gives up at its deadline', async () => {
    const { ctx, emit } = context([listen(41000, 8080, false)]);
    const toolkit = httpsRequests(ctx, certs);
    setTimeout(() => emit(listen(41001, 8443, true)), 50);
    const found = await toolkit.listeners(2_000);
    expect([found.plain?.port, found.tls?.port]).toEqual([41000, 41001]);
    const alone = httpsRequests(context([listen(41000, 8080, false)]).ctx, certs);
    const started = performance.now();
    expect((await alone.listeners(200)).tls).toBeNull();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
