// ctx.tls.servers against real node:https (and node:http) clients on 127.0.0.1
// with the course's certs: which certificate each server presents, what it counts
// (requests, handshakes completed and failed, SNI), what the transcript says, that
// it closes with the check's signal; and the pure pieces (alertOf, findings).

import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckContext, Location } from '../../src/engine/check-api.js';
import type { ClientResult } from '../../src/engine/client-harness/run.js';
import { courseCerts } from '../../src/engine/toolkit/tls/certs.js';
import { alertOf, tlsServers, type Presented, type TlsTestServer } from '../../src/engine/toolkit/tls/servers.js';

const certs = courseCerts(join(import.meta.dirname, '..', '..', 'lessons'));
const controllers: AbortController[] = [];
afterEach(() => {
  for (const controller of controllers.splice(0)) controller.abort();
});

function context(notes: string[], source: Record<string, number> = {}): CheckContext {
  const controller = new AbortController();
  controllers.push(controller);
  const find = (...patterns: RegExp[]): Location | null => {
    for (const pattern of patterns) for (const [text, line] of Object.entries(source)) if (pattern.test(text)) return { file: 'client.ts', line, column: 1 };
    return null;
  };
  return { note: (text: string) => notes.push(text), signal: controller.signal, source: { find } } as unknown as CheckContext;
}

type Outcome = { status?: number; code?: string };

function get(url: string, options: https.RequestOptions, plain = false): Promise<Outcome> {
  return new Promise((resolve) => {
    const client = plain ? http : https;
    const timer = setTimeout(() => resolve({ code: 'test deadline' }), 3000);
    client.get(url, { agent: false, ...options }, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode });
      });
    }).on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: error.code });
    });
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('ctx.tls.servers: what each server presents and counts', () => {
  const rows: Array<{ present: Presented; host?: string; options?: https.RequestOptions; plain?: boolean; client: Outcome; requests: number; handshakes: number; failed: string[]; sni: string[]; note: RegExp }> = [
    { present: 'localhost', options: { ca: certs.ca }, client: { status: 200 }, requests: 1, handshakes: 1, failed: [], sni: [], note: /^TLS handshake completed: TLSv1\.3, .+, ALPN none, SNI none; we presented the lesson's localhost certificate/ },
    { present: 'localhost', host: 'localhost', options: { ca: certs.ca }, client: { status: 200 }, requests: 1, handshakes: 1, failed: [], sni: ['localhost'], note: /SNI "localhost"/ },
    { present: 'localhost', options: {}, client: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, requests: 0, handshakes: 0, failed: ['ECONNRESET'], sni: [], note: /without a TLS alert/ },
    { present: 'wrong-host', options: { ca: certs.ca }, client: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, requests: 0, handshakes: 0, failed: ['ECONNRESET'], sni: [], note: /after we presented a certificate from the test CA for wrong\.example only/ },
    { present: 'other-ca', options: { ca: certs.ca }, client: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, requests: 0, handshakes: 0, failed: ['ECONNRESET'], sni: [], note: /another CA/ },
    { present: 'self-signed', options: { ca: certs.ca }, client: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, requests: 0, handshakes: 0, failed: ['ECONNRESET'], sni: [], note: /self-signed/ },
    { present: 'expired', options: { ca: certs.ca }, client: { code: 'CERT_HAS_EXPIRED' }, requests: 0, handshakes: 0, failed: ['ECONNRESET'], sni: [], note: /expired/ },
    { present: 'self-signed', options: { rejectUnauthorized: false }, client: { status: 200 }, requests: 1, handshakes: 1, failed: [], sni: [], note: /TLS handshake completed/ },
    { present: 'localhost', plain: true, client: { code: 'ECONNRESET' }, requests: 0, handshakes: 0, failed: ['ERR_SSL_HTTP_REQUEST'], sni: [], note: /plain HTTP to our TLS port/ },
  ];

  it.each(rows)('$present, client $options plain=$plain host=$host: $client', async (row) => {
    const notes: string[] = [];
    const ctx = context(notes);
    const server = await tlsServers(ctx, certs).server(row.present, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    const origin = row.plain ? server.origin.replace('https:', 'http:') : row.host ? server.localhostOrigin : server.origin;
    expect(await get(`${origin}/items`, row.options ?? {}, row.plain)).toEqual(row.client);
    await settle();
    expect({ requests: server.upstream.received.length, handshakes: server.handshakes, failed: server.failedHandshakes.map((f) => f.code), sni: server.serverNames }).toEqual({
      requests: row.requests, handshakes: row.handshakes, failed: row.failed, sni: row.sni,
    });
    expect(server.failedHandshakes.every((failed) => failed.alert === null)).toBe(true);
    expect(notes.some((note) => row.note.test(note)), notes.join('\n')).toBe(true);
    // agent: false sends Connection: close (a fresh agent, no pooling).
    if (row.requests) expect(notes).toContain(`→ (decrypted) GET /items HTTP/1.1\\r\\nHost: ${new URL(origin).host}\\r\\nConnection: close\\r\\n\\r\\n`);
    if (row.requests) expect(notes.some((note) => /^← \(decrypted\) HTTP\/1\.1 200 OK\\r\\nContent-Type: application\/json\\r\\n/.test(note)), notes.join('\n')).toBe(true);
  });

  it('is the harness test server: origin https://127.0.0.1, connections counted, closed when the check signal aborts', async () => {
    const ctx = context([]);
    const server = await tlsServers(ctx, certs).server('localhost', (_req, res) => {
      res.end('x');
    });
    expect(server.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.localhostOrigin).toBe(`https://localhost:${server.upstream.port}`);
    await get(`${server.origin}/`, { ca: certs.ca });
    expect(server.upstream.connections).toBe(1);
    expect(server.ended).toBe(1);
    controllers.splice(0).forEach((controller) => controller.abort());
    await settle();
    expect(await get(`${server.origin}/`, { ca: certs.ca })).toEqual({ code: 'ECONNREFUSED' });
  });
});

describe('alertOf: the TLS alert in an OpenSSL error', () => {
  it.each([
    [{ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }, 'unknown ca'],
    [{ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' }, 'bad certificate'],
    [{ message: 'C0:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../ssl/record/rec_layer_s3.c:1605:' }, 'unknown ca'],
    [{ code: 'ECONNRESET', message: 'socket hang up' }, null],
  ])('%o → %s', (error, alert) => {
    expect(alertOf(error)).toBe(alert);
  });
});

describe('ctx.tls.servers.findings: what a run shows, and the line', () => {
  const server = (present: Presented, received: number, plaintext = false) =>
    ({ presented: present, upstream: { received: Array.from({ length: received }, () => ({ method: 'GET', url: '/items' })) }, failedHandshakes: plaintext ? [{ plaintext: true }] : [] }) as unknown as TlsTestServer;
  const run = (events: unknown[], stderr = '', uncaught: unknown = null) => ({ events, stderr, stdout: '', code: 1, signal: null, uncaught, exited: true }) as unknown as ClientResult;
  const rows: Array<{ name: string; server: TlsTestServer; result: ClientResult; source: Record<string, number>; finding: 'fetch' | 'plainHttp' | 'untrusted' | 'accepted' | null; line?: number; text?: RegExp }> = [
    { name: 'fetch', server: server('localhost', 0), result: run([{ t: 'fetch', at: { file: 'client.ts', line: 4, column: 3 } }]), source: {}, finding: 'fetch', line: 4, text: /cannot be given a CA/ },
    { name: 'http.get throws', server: server('localhost', 0), result: run([], '', { code: 'ERR_INVALID_PROTOCOL', at: { file: 'client.ts', line: 9, column: 1 } }), source: {}, finding: 'plainHttp', line: 9, text: /ERR_INVALID_PROTOCOL/ },
    { name: 'plain HTTP to the TLS port', server: server('localhost', 0, true), result: run([]), source: { 'http.get(url': 6 }, finding: 'plainHttp', line: 6, text: /plain HTTP to our TLS port/ },
    { name: 'ca given the path', server: server('localhost', 0), result: run([{ t: 'client-error', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }]), source: { 'ca: caFile': 7 }, finding: 'untrusted', line: 7, text: /not the path/ },
    { name: 'NODE_EXTRA_CA_CERTS at run time', server: server('localhost', 0), result: run([], 'Error: unable to verify the first certificate\n'), source: { 'process.env.NODE_EXTRA_CA_CERTS = caFile': 5 }, finding: 'untrusted', line: 5, text: /at start-up/ },
    { name: 'rejectUnauthorized: false', server: server('expired', 1), result: run([]), source: { 'rejectUnauthorized: false': 8 }, finding: 'accepted', line: 8, text: /ignore the answer/ },
    { name: 'checkServerIdentity', server: server('wrong-host', 1), result: run([]), source: { 'checkServerIdentity: () => undefined': 11 }, finding: 'accepted', line: 11, text: /accepts any name/ },
    { name: 'a refused bad server is no finding', server: server('expired', 0), result: run([{ t: 'client-error', code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }]), source: {}, finding: null },
  ];

  it.each(rows)('$name', (row) => {
    const findings = tlsServers(context([], row.source), certs).findings(row.result, row.server);
    const present = Object.entries(findings).filter(([, finding]) => finding !== null).map(([name]) => name);
    expect(present).toEqual(row.finding ? [row.finding] : []);
    if (row.finding) {
      expect(findings[row.finding]?.at?.line).toBe(row.line);
      expect(findings[row.finding]?.text).toMatch(row.text!);
    }
  });
});
