// The built probe (dist/engine/probe/probe.js, as verify runs it) on HTTP/2
// servers in both APIs, driven by ctx.tls.h2 and https.get: each stream is a
// request record (protocol 'h2', its stream id), the learner's calls carry its
// lines, throws and stream errors are reported with their codes, and the code a
// stream closed with is the one the client sent (cancel 8, reset 2) or, for a
// dropped connection, a session already gone. Needs `npm run build`.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/engine/check-api.js';
import { courseCerts } from '../../src/engine/toolkit/tls/certs.js';
import { h2Sessions, type H2RequestOptions } from '../../src/engine/toolkit/tls/h2.js';
import { buildRecords } from '../../src/engine/verify/records.js';
import { PROBE, ProbedProgram, ROOT } from '../support/built-probe.ts';

const certs = courseCerts(join(ROOT, 'lessons'));
const dir = mkdtempSync(join(tmpdir(), 'hdj-probe-h2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = [
  "import http2 from 'node:http2';",
  "import { readFileSync } from 'node:fs';",
  "const read = (name) => readFileSync(process.argv[2] + '/' + name);",
];
const SLOW = (respond: string[]) => ["  const ms = Number(new URL(path, 'https://x').searchParams.get('ms'));", '  setTimeout(() => {', ...respond, '  }, ms);'];

const COMPAT = [
  ...HEADER,
  "const server = http2.createSecureServer({ key: read('localhost-key.pem'), cert: read('localhost-cert.pem'), allowHTTP1: true }, (req, res) => {",
  '  const path = req.url;',
  "  if (path === '/') {",
  "    res.writeHead(200, { 'content-type': 'application/json' }); // MARK:head",
  '    res.end(JSON.stringify({ httpVersion: req.httpVersion })); // MARK:end',
  "  } else if (path.startsWith('/slow')) {",
  ...SLOW(["    res.end('late'); // MARK:late"]),
  "  } else if (path === '/events') {",
  "    res.setHeader('content-type', 'text/event-stream');",
  "    res.write('data: 1\\n\\n'); // MARK:write",
  "    setTimeout(() => res.end('data: 2\\n\\n'), 1500); // long after a reset or drop 150 ms in",
  "  } else if (path === '/te') {",
  "    res.setHeader('Transfer-Encoding', 'chunked');",
  "    try { res.end('x'); } catch (error) { res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR); } // MARK:te",
  '  }',
  '});',
  'server.listen(8443);',
];

const CORE = [
  ...HEADER,
  "const server = http2.createSecureServer({ key: read('localhost-key.pem'), cert: read('localhost-cert.pem') });",
  "server.on('stream', (stream, headers) => {",
  "  const path = headers[':path'];",
  "  if (path === '/') {",
  "    stream.respond({ ':status': 200, 'content-type': 'application/json' }); // MARK:head",
  "    stream.end('{\"httpVersion\":\"2.0\"}'); // MARK:end",
  "  } else if (path.startsWith('/slow')) {",
  ...SLOW(["    try { stream.respond({ ':status': 200 }); stream.end('late'); } catch (error) { console.log(error.code); } // MARK:late"]),
  "  } else if (path === '/conn') {",
  "    try { stream.respond({ ':status': 200, connection: 'keep-alive' }); } catch { stream.respond({ ':status': 500 }, { endStream: true }); } // MARK:te",
  "  } else if (path === '/events') {",
  "    stream.on('error', () => {});",
  "    stream.respond({ ':status': 200, 'content-type': 'text/event-stream' });",
  "    stream.write('data: 1\\n\\n'); // MARK:write",
  "    setTimeout(() => { if (!stream.destroyed) stream.end('data: 2\\n\\n'); }, 1500);",
  "  } else if (path === '/bare') {",
  "    stream.respond({ ':status': 200 });",
  "    stream.write('part'); // no 'error' listener: a reset with an error code crashes the program",
  '  }',
  '});',
  'server.listen(8443);',
];

const controller = new AbortController();
afterAll(() => controller.abort());
function context(port: number): CheckContext {
  return { note: () => {}, signal: controller.signal, server: { port } } as unknown as CheckContext;
}

interface Row { path: string; options?: H2RequestOptions; dropAfterMs?: number; record: Record<string, unknown>; h2: Record<string, unknown>; calls?: Array<[string, string]>; threw?: string; errors?: RegExp }

const ROWS: Row[] = [
  { path: '/', record: { method: 'GET', url: '/', protocol: 'h2', ended: true, finished: true }, h2: { rstCode: 0, aborted: false, sessionDestroyed: false }, calls: [['writeHead', 'head'], ['end', 'end']] },
  // The answer comes long after the cancel: a loaded machine that stalls the test for a few hundred ms still cancels first.
  { path: '/slow?ms=1500', options: { cancelAfterMs: 100 }, record: { finished: false }, h2: { rstCode: 8, aborted: true, sessionDestroyed: false } },
  { path: '/events', options: { resetAfterMs: 150 }, record: { finished: false }, h2: { rstCode: 2, aborted: true, sessionDestroyed: false }, calls: [['write', 'write']], errors: /ERR_HTTP2_STREAM_ERROR/ },
  { path: '/events', dropAfterMs: 150, record: { finished: false }, h2: { aborted: true, sessionDestroyed: true }, calls: [['write', 'write']] },
];

describe.each([
  ['compat', COMPAT],
  ['core', CORE],
])('the built probe on an HTTP/2 server, %s API', (api, lines) => {
  let program: ProbedProgram;
  let port = 0;
  beforeAll(async () => {
    expect(existsSync(PROBE), 'run `npm run build` first').toBe(true);
    program = new ProbedProgram(join(dir, `${api}.mjs`), lines, [certs.dir]);
    const listen = await program.waitFor((event) => event.t === 'listen', 15_000);
    expect(listen).toMatchObject({ tls: true, requested: { port: 8443 } });
    port = (listen as { port: number }).port;
  });
  afterAll(() => program.stop());

  for (const row of ROWS) {
    it(`${row.path} ${JSON.stringify(row.options ?? { dropAfterMs: row.dropAfterMs })}`, async () => {
      const session = await h2Sessions(context(port), certs).connect();
      if (row.dropAfterMs) session.dropAfter(row.dropAfterMs);
      const response = await session.request(row.path, row.options);
      await session.close();
      const req = (await program.waitFor((e) => e.t === 'req' && e.url === row.path && !program.events.some((o) => o.t === 'h2-stream-close' && o.id < e.id && false) && !seen.has(e.id))) as { id: number; stream: number };
      seen.add(req.id);
      await program.waitFor((e) => e.t === 'h2-stream-close' && e.id === req.id);
      const record = buildRecords(program.events).find((r) => r.id === req.id)!;
      expect(record).toMatchObject(row.record);
      expect(record.h2).toMatchObject({ stream: response.id, ...row.h2 });
      for (const [fn, mark] of row.calls ?? []) {
        expect(record.calls.find((call) => call.fn === fn && !call.nested), `${fn} in ${JSON.stringify(record.calls)}`).toMatchObject({ api, at: { file: program.file, line: program.line(mark) } });
      }
      if (row.calls?.some(([fn]) => fn === 'writeHead') && api === 'core') expect(record.calls[0].called).toBe('respond');
      if (row.calls) expect(record.h2?.api).toBe(api);
      if (row.path === '/') expect(Math.max(...record.calls.map((c) => c.totalBytes ?? 0))).toBe(response.body.length);
      if (row.errors) expect(record.errors.map((e) => `${e.code} handled=${'handled' in e ? e.handled : '-'}`).join()).toMatch(/ERR_HTTP2_STREAM_ERROR handled=true/);
    });
  }
  const seen = new Set<number>();

  it('a connection header: what threw, on the learner\'s line', async () => {
    const session = await h2Sessions(context(port), certs).connect();
    const path = api === 'compat' ? '/te' : '/conn';
    const response = await session.request(path);
    await session.close();
    // compat: the program closes the stream with INTERNAL_ERROR; core: it answers 500 (closing with an error code would emit 'error' on its own stream).
    expect(api === 'compat' ? response.rstCode : response.status).toBe(api === 'compat' ? 2 : 500);
    const threw = await program.waitFor((e) => e.t === 'call-threw' && e.code === 'ERR_HTTP2_INVALID_CONNECTION_HEADERS');
    expect(threw).toMatchObject({ fn: api === 'compat' ? 'end' : 'respond', api, at: { file: program.file, line: program.line('te') } });
    expect(program.events.filter((e) => e.t === 'call-threw' && e.code === 'ERR_HTTP2_INVALID_CONNECTION_HEADERS')).toHaveLength(1);
  });

  it('respond() after the client cancelled (core: ERR_HTTP2_INVALID_STREAM on the learner\'s line)', async () => {
    const session = await h2Sessions(context(port), certs).connect();
    await session.request('/slow?ms=700', { cancelAfterMs: 50 });
    if (api === 'core') {
      const threw = await program.waitFor((e) => e.t === 'call-threw' && e.code === 'ERR_HTTP2_INVALID_STREAM');
      expect(threw).toMatchObject({ fn: 'respond', api: 'core', at: { file: program.file, line: program.line('late') } });
    } else {
      const late = await program.waitFor((e) => e.t === 'call' && e.fn === 'end' && e.at?.line === program.line('late'));
      expect(late).toMatchObject({ api: 'compat', state: { destroyed: true } });
    }
    await session.close();
  });

  if (api === 'core') {
    it('last: a reset stream without an \'error\' listener (res-error unhandled, then the crash)', async () => {
      const session = await h2Sessions(context(port), certs).connect();
      await session.request('/bare', { resetAfterMs: 100 });
      const error = await program.waitFor((e) => e.t === 'res-error' && e.code === 'ERR_HTTP2_STREAM_ERROR' && !e.handled);
      expect(error).toMatchObject({ api: 'core', message: 'Stream closed with error code NGHTTP2_INTERNAL_ERROR' });
      expect(await program.waitFor((e) => e.t === 'uncaught')).toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR' });
      expect(await program.waitFor((e) => e.t === 'exit')).toMatchObject({ code: 1 });
      await session.close();
    });
  }

  if (api === 'compat') {
    it('an HTTP/1.1 request (allowHTTP1) is a record of its own, protocol http/1.1, with its calls', async () => {
      const body = await new Promise<string>((resolve, reject) => {
        https.get({ host: '127.0.0.1', servername: 'localhost', port, path: '/', ca: certs.ca, agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('{"httpVersion":"1.1"}');
      const req = (await program.waitFor((e) => e.t === 'req' && e.protocol === 'http/1.1')) as { id: number };
      await program.waitFor((e) => e.t === 'res-close' && e.id === req.id);
      const record = buildRecords(program.events).find((r) => r.id === req.id)!;
      expect(record).toMatchObject({ protocol: 'http/1.1', ended: true, finished: true });
      expect(record.h2).toBeUndefined();
      expect(record.calls.find((c) => c.fn === 'writeHead')).toMatchObject({ at: { line: program.line('head') } });
    });
  }
});

describe('the built probe on an HTTP/2 server without allowHTTP1 (no-http1-fallback)', () => {
  const STRICT = [...HEADER, "const server = http2.createSecureServer({ key: read('localhost-key.pem'), cert: read('localhost-cert.pem') }, (req, res) => res.end('x'));", 'server.listen(8443);'];
  it('an HTTP/1.1 client without ALPN (Node answers 403) and one offering only http/1.1 (refused handshake) are both reported', async () => {
    const program = new ProbedProgram(join(dir, 'strict.mjs'), STRICT, [certs.dir]);
    try {
      const listen = (await program.waitFor((event) => event.t === 'listen', 15_000)) as { port: number };
      const status = await new Promise<number | string>((resolve) => {
        https.get({ host: '127.0.0.1', servername: 'localhost', port: listen.port, path: '/', ca: certs.ca, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', (error: NodeJS.ErrnoException) => resolve(String(error.code)));
      });
      expect(status).toBe(403);
      expect(await program.waitFor((e) => e.t === 'h2-unknown-protocol')).toMatchObject({ handled: false });
      const alpn = await new Promise<string>((resolve) => {
        https.get({ host: '127.0.0.1', servername: 'localhost', port: listen.port, path: '/', ca: certs.ca, agent: false, ALPNProtocols: ['http/1.1'] } as https.RequestOptions, (res) => {
          res.resume();
          resolve(`status ${res.statusCode}`);
        }).on('error', (error: NodeJS.ErrnoException) => resolve(String(error.code)));
      });
      // https.get reports the alert as EPROTO, tls.connect as ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: the same refused handshake.
      expect(alpn).toMatch(/^(EPROTO|ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL)$/);
      expect(await program.waitFor((e) => e.t === 'tls-client-error')).toMatchObject({ code: 'ERR_SSL_NO_APPLICATION_PROTOCOL' });
      expect(program.events.some((e) => e.t === 'req')).toBe(false);
    } finally {
      program.stop();
    }
  });
});
