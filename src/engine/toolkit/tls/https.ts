// ctx.tls.https: HTTPS requests to the learner's server (lesson 16), trusting only
// the test CA (CURRICULUM.md "Trust"): connect to 127.0.0.1, verify the name
// `localhost` (or the IP), optionally cap the version or offer ALPN. A request
// never rejects on a network or TLS failure: it resolves with what happened
// (handshake error code and message, e.g. "wrong version number" when the port
// speaks plaintext, https://nodejs.org/docs/latest-v20.x/api/tls.html#tlsconnectoptions-callback),
// so a check can diagnose. Every socket is destroyed when the check's signal
// aborts, and every wait has a deadline.

import type { ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { CheckContext, EventOf } from '../../check-api.js';
import type { Certs } from './certs.js';
import { mapRedirect, type RedirectTarget } from './redirect.js';

export type { RedirectTarget } from './redirect.js';

export interface HttpsRequestOptions {
  /** The port to connect to on 127.0.0.1; default: the program's TLS listener (bound port). */
  port?: number;
  method?: string;
  /** The request target, byte for byte (default `/`). */
  target?: string;
  /** Request headers; Host defaults to `localhost:<port>`. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Cap the TLS version (the server must answer on TLS 1.2 too). */
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** ALPN protocols to offer (none by default). */
  alpn?: string[];
  /** Verify the certificate for the IP 127.0.0.1 instead of the name `localhost` (no SNI). */
  verifyIp?: boolean;
  /** Deadline for the whole exchange, handshake included; default 2000 ms. */
  timeoutMs?: number;
}

export interface HttpsRequestSummary { method: string; target: string; port: number; headers: Record<string, string>; maxVersion?: string; alpn?: string[]; name: string }

export interface HttpsOk {
  ok: true;
  request: HttpsRequestSummary;
  status: number;
  /** Lower-case names (Node's IncomingMessage.headers). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
  /** `TLSv1.3`, `TLSv1.2`, as getProtocol() reported it on our side. */
  protocol: string | null;
  /** The protocol ALPN chose, or false. */
  alpn: string | false;
  /** The handshake verified against the test CA for the name (always true here: we never accept otherwise). */
  authorized: boolean;
  /** The server certificate's subject CN and subjectaltname. */
  peer: string;
  ms: number;
}

export interface HttpsFailure {
  ok: false;
  request: HttpsRequestSummary;
  /** Where it failed: TCP connect, the TLS handshake, or after it (no complete response). */
  stage: 'connect' | 'handshake' | 'response';
  /** Node's error code (ERR_SSL_WRONG_VERSION_NUMBER, ECONNREFUSED, ...), `TIMEOUT`, or `ABORTED`. */
  code: string;
  message: string;
  /** A status line that arrived before the failure, if any. */
  status: number | null;
  ms: number;
}

export type HttpsResult = HttpsOk | HttpsFailure;

export interface HttpsListeners {
  /** Every listen() of the program, in order. */
  all: Array<EventOf<'listen'>>;
  /** The tls.Server's listen (https.createServer), or null. */
  tls: EventOf<'listen'> | null;
  /** The first listen that is not a tls.Server, or null. */
  plain: EventOf<'listen'> | null;
}

export interface HttpsRequests {
  /**
   * The program's listeners once it has two (one TLS and one other, or two of a
   * kind), or once `timeoutMs` (default 1000) passed without that (woken by the probe's `listen`
   * events; bounded).
   */
  listeners(timeoutMs?: number): Promise<HttpsListeners>;
  /** An HTTPS request; resolves with the response or a structured failure (never rejects). */
  request(options?: HttpsRequestOptions): Promise<HttpsResult>;
  /**
   * Where a redirect's Location points on this program (CURRICULUM.md 16): https,
   * host localhost or 127.0.0.1, port P (the TLS listen()'s requested port), the bound
   * port, or none when P is 443. The target is pathname + search; no path means `/`.
   */
  redirectTarget(location: string | undefined, listeners: HttpsListeners): RedirectTarget;
  /** redirectTarget, then an HTTPS request with `method` to the mapped port and target. */
  follow(location: string | undefined, listeners: HttpsListeners, options?: Omit<HttpsRequestOptions, 'port' | 'target'>): Promise<{ redirect: RedirectTarget; result: HttpsResult | null }>;
}

export function httpsRequests(ctx: CheckContext, certs: Certs): HttpsRequests {
  const listeners = async (timeoutMs = 1000): Promise<HttpsListeners> => {
    const deadline = performance.now() + timeoutMs;
    for (let round = 0; round < 16; round++) {
      const current = split(ctx.server.listeners());
      const left = deadline - performance.now();
      // Two listens are all the lesson asks for: a third is not waited for (two plain ones are a diagnosis).
      if ((current.tls && current.plain) || current.all.length >= 2 || left <= 0 || ctx.signal.aborted) return current;
      const known = new Set(current.all);
      const next = await ctx.server.waitFor('listen', { timeoutMs: left, where: (event) => !known.has(event) });
      if (!next) return split(ctx.server.listeners());
    }
    return split(ctx.server.listeners());
  };
  const request = (options: HttpsRequestOptions = {}) => {
    const port = options.port ?? split(ctx.server.listeners()).tls?.port ?? ctx.server.port;
    return httpsRequest(ctx, certs, port, options);
  };
  return {
    listeners,
    request,
    redirectTarget: (location, found) => mapRedirect(location, found.tls),
    async follow(location, found, options = {}) {
      const redirect = mapRedirect(location, found.tls);
      if (!redirect.ok) return { redirect, result: null };
      ctx.note(`following Location ${location} → https://localhost:${redirect.port}${redirect.target} (127.0.0.1:${redirect.port})`);
      return { redirect, result: await request({ ...options, port: redirect.port, target: redirect.target }) };
    },
  };
}

function split(all: Array<EventOf<'listen'>>): HttpsListeners {
  return { all, tls: all.find((event) => event.tls) ?? null, plain: all.find((event) => !event.tls) ?? null };
}

/** One request on its own connection (agent: false), bounded by timeoutMs and the check's signal. */
function httpsRequest(ctx: CheckContext, certs: Certs, port: number, options: HttpsRequestOptions): Promise<HttpsResult> {
  const method = options.method ?? 'GET';
  const target = options.target ?? '/';
  const name = options.verifyIp ? '127.0.0.1' : 'localhost';
  const body = options.body === undefined ? null : Buffer.from(options.body);
  const headers: Record<string, string> = { Host: `localhost:${port}`, ...(body ? { 'Content-Length': String(body.length) } : {}), ...options.headers };
  const summary: HttpsRequestSummary = { method, target, port, headers, name, ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}), ...(options.alpn ? { alpn: options.alpn } : {}) };
  const timeoutMs = options.timeoutMs ?? 2000;
  const started = performance.now();
  const offer = `${options.maxVersion ? `TLS ≤ ${options.maxVersion.slice(3)}` : 'TLS 1.2–1.3'}${options.alpn ? `, ALPN ${options.alpn.join(', ')}` : ', no ALPN'}`;
  ctx.note(`TLS connect to 127.0.0.1:${port}, verifying ${name} against the test CA only (${offer})`);
  return new Promise((resolve) => {
    let socket: TLSSocket | null = null;
    let stage: HttpsFailure['stage'] = 'connect';
    let status: number | null = null;
    let settled = false;
    const finish = (result: HttpsResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      req.destroy();
      socket?.destroy();
      if (!result.ok) ctx.note(`✗ ${result.stage === 'handshake' ? 'TLS handshake failed' : result.stage === 'connect' ? 'could not connect' : 'no complete response'}: ${result.code}: ${result.message}`);
      resolve(result);
    };
    const fail = (code: string, message: string) => finish({ ok: false, request: summary, stage, code, message, status, ms: performance.now() - started });
    const onAbort = () => fail('ABORTED', 'the check ran out of time');
    const timer = setTimeout(() => fail('TIMEOUT', `nothing complete came back for ${(timeoutMs / 1000).toFixed(1)} s`), timeoutMs);
    const req = https.request({
      host: '127.0.0.1',
      port,
      method,
      path: target,
      headers,
      agent: false,
      ca: certs.ca,
      // No servername: Node then checks the IP SANs against the host (RFC 6125 for IP names).
      ...(options.verifyIp ? {} : { servername: 'localhost' }),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
      rejectUnauthorized: true,
    });
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (raw) => {
      socket = raw as TLSSocket;
      watchHandshake(ctx, req, socket, body, (next) => {
        stage = next;
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const named = sslReason(error);
      fail(named?.code ?? error.code ?? error.name, named?.reason ?? error.message);
    });
    req.on('response', (res) => {
      status = res.statusCode ?? null;
      readAnswer(ctx, res, (bytes) => {
        const tls = res.socket as TLSSocket;
        const text = bytes.toString('utf8');
        // Read at 'secureConnect': a server that answered and closed (Node's canned
        // 403 to a client without ALPN) leaves a socket whose certificate and protocol are gone.
        const shook = handshakes.get(tls) ?? handshakeOf(tls);
        finish({
          ok: true, request: summary, status: res.statusCode ?? 0, headers: res.headers, body: bytes, text, json: parseJson(text),
          protocol: shook.protocol, alpn: tls.alpnProtocol ?? false, authorized: tls.authorized,
          peer: shook.peer, ms: performance.now() - started,
        });
      }, fail);
    });
    req.end(body ?? undefined);
  });
}

/**
 * OpenSSL's reason inside Node's error: a handshake with a plaintext server fails
 * on Node 20 as `EPROTO` with "...SSL routines:ssl3_get_record:wrong version number:...";
 * named here as ERR_SSL_WRONG_VERSION_NUMBER, the code Node gives the same error elsewhere.
 */
export function sslReason(error: { code?: string; message: string }): { code: string; reason: string } | null {
  const match = /SSL routines:[^:]*:([^:]+):/.exec(error.message);
  if (!match) return null;
  return { code: `ERR_SSL_${match[1].toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`, reason: `${match[1]} (${error.code ?? 'error'})` };
}

/** What the handshake established, kept per socket (getPeerCertificate() is null once the socket is closed). */
const handshakes = new WeakMap<TLSSocket, { protocol: string | null; peer: string; note: string }>();

function handshakeOf(socket: TLSSocket): { protocol: string | null; peer: string; note: string } {
  const cert = socket.getPeerCertificate() as Partial<import('node:tls').PeerCertificate> | null;
  const cn = cert?.subject?.CN ?? '?';
  return {
    protocol: socket.getProtocol(),
    peer: cert?.subject ? `CN=${cn}${cert.subjectaltname ? `, ${cert.subjectaltname}` : ''}` : '(gone: the socket closed)',
    note: `${cn} (${cert?.subjectaltname ?? 'no SAN'})`,
  };
}

/** Follows the connection's stages and notes the handshake's result, then the decrypted request head. */
function watchHandshake(ctx: CheckContext, req: ClientRequest, socket: TLSSocket, body: Buffer | null, stage: (next: HttpsFailure['stage']) => void): void {
  socket.once('connect', () => stage('handshake'));
  socket.once('secureConnect', () => {
    stage('response');
    const shook = handshakeOf(socket);
    handshakes.set(socket, shook);
    ctx.note(`TLS handshake done: ${shook.protocol}, ALPN ${socket.alpnProtocol || 'none'}, certificate ${shook.note}, verified: ${socket.authorized}`);
    // The decrypted request head, as Node wrote it (req._header is set once the head is flushed).
    setImmediate(() => {
      const head = (req as unknown as { _header?: string })._header;
      if (head) ctx.note(`→ (decrypted) ${head.trimEnd().replace(/\r\n/g, '\n   ')}${body ? `\n   [${body.length} body bytes]` : ''}`);
    });
  });
}

/** Notes the decrypted response head, collects the body, notes it; `done` with the bytes, or `fail`. */
function readAnswer(ctx: CheckContext, res: IncomingMessage, done: (body: Buffer) => void, fail: (code: string, message: string) => void): void {
  const head = [`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) head.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  ctx.note(`← (decrypted) ${head.join('\n   ')}`);
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.name, error.message));
  res.on('aborted', () => fail('ECONNRESET', 'the connection closed before the response was complete'));
  res.on('end', () => {
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString('utf8');
    ctx.note(`← (decrypted) ${bytes.length} body bytes${bytes.length ? `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}` : ''}`);
    done(bytes);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
