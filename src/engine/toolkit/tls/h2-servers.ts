// ctx.tls.h2Servers: HTTP/2 test servers for the HTTP/2 client lesson (19). A
// server has the client harness's TestServer shape, so ctx.client.run(server,
// args) runs the learner's program against it and knows when our last response
// went out. It counts TLS connections and streams in flight, answers
// /items/<n>, /greeting and 404 after seeded 20-200 ms delays, holds every
// answer until all expected requests arrived (or 500 ms since the first), and
// can refuse a stream or drop its TLS connection mid-body. Everything it opens
// is closed when the check's signal aborts.

import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { CheckContext, Upstream } from '../../check-api.js';
import { refusedOrigin, type TestServer } from '../../client-harness/server.js';
import type { Certs } from './certs.js';
import { h2Judge, type H2Judge } from './h2-judge.js';
import { answerFor, mulberry32, respond, type Answer } from './h2-answers.js';

export { GREETING } from './h2-answers.js';
export type { H2Expect } from './h2-judge.js';

/** CURRICULUM 19: responses wait until all N requests arrived, or this long after the first. */
export const HOLD_MS = 500;
const { NGHTTP2_REFUSED_STREAM } = http2.constants;

export interface H2ServeOptions {
  /** Which certificate to present: the lesson's, or one a client must refuse. */
  cert?: 'localhost' | 'wrong-host' | 'other-ca';
  /** How many requests the program is given (the hold waits for them). */
  expect?: number;
  /** Paths answered with RST_STREAM REFUSED_STREAM as soon as they arrive. */
  refuse?: string[];
  /** A path answered with its headers and part of its body, after which the TLS connection is dropped. */
  drop?: string;
  /** Seed of the response delays (the same seed gives the same order). */
  seed?: number;
}

export interface H2StreamRecord {
  /** Stream id on its session, and which TLS connection (1-based) carried it. */
  id: number; connection: number;
  method: string; path: string;
  /** Milliseconds since the server started: HEADERS arrived, our answer ended (null: never). */
  atMs: number; endAtMs: number | null;
  status: number | null;
  outcome: 'answered' | 'refused' | 'dropped' | 'closed-by-client' | 'pending';
  /** Body bytes we sent. */
  bytes: number;
  /** The seeded delay before our answer (after the hold), ms. */
  delayMs: number;
}

export interface H2TestServer extends TestServer {
  /** https://localhost:<port> (the server listens on 127.0.0.1). */
  origin: string;
  port: number;
  /** TLS connections that completed a handshake (an HTTP/1.1 one included). */
  connections: number;
  /** TLS handshakes that failed (the program refused our certificate). */
  handshakeFailures: Array<{ code: string; message: string }>;
  /** ALPN protocol of each completed connection ('h2', 'http/1.1', or false when none was offered). */
  alpn: Array<string | false | null>;
  /** HTTP/1.1 requests (answered 505 "use HTTP/2"). */
  http1: Array<{ method: string; url: string }>;
  streams: H2StreamRecord[];
  /** Most streams open at once. */
  maxInFlight: number;
  /** GOAWAY frames the program sent (session.close() sends one), with when and how many streams had arrived then. */
  goaways: Array<{ atMs: number; code: number; streamsBefore: number }>;
  close(): Promise<void>;
}

export interface H2Servers {
  start(options?: H2ServeOptions): Promise<H2TestServer>;
  /** Fails the check unless the run did what `expect` says (h2-judge.ts): lines and exit code, or an Error: line. */
  expect: H2Judge['expect'];
  /** https://localhost:<port> where nothing listens. */
  refusedOrigin(): Promise<string>;
}

export function h2Servers(ctx: CheckContext, certs: Certs): H2Servers {
  return {
    start: (options = {}) => startServer(ctx, certs, options),
    expect: h2Judge(ctx).expect,
    refusedOrigin: async () => (await refusedOrigin(ctx)).replace(/^http:\/\/127\.0\.0\.1/, 'https://localhost'),
  };
}

async function startServer(ctx: CheckContext, certs: Certs, options: H2ServeOptions): Promise<H2TestServer> {
  const run = new H2Run(ctx, certs, options);
  const onAbort = () => void run.server.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  await run.listen();
  return run.server;
}

/** One test server's state and event handlers (one method per event, each short). */
class H2Run {
  readonly server: H2TestServer;
  private readonly http2Server: http2.Http2SecureServer;
  private readonly started = performance.now();
  private readonly random: () => number;
  private readonly sockets = new Set<TLSSocket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sessions = new WeakMap<http2.Http2Session, { index: number; socket: TLSSocket }>();
  private lastSocket: TLSSocket | null = null;
  private inFlight = 0;
  private release: () => void = () => {};
  private readonly held = new Promise<void>((resolve) => { this.release = resolve; });

  constructor(private readonly ctx: CheckContext, certs: Certs, private readonly options: H2ServeOptions) {
    const pair = options.cert === 'wrong-host' ? certs.bad.wrongHost : options.cert === 'other-ca' ? certs.bad.otherCa : certs.localhost;
    this.random = mulberry32(options.seed ?? 19);
    const http2Server = http2.createSecureServer({ key: pair.key, cert: pair.cert, allowHTTP1: true });
    this.http2Server = http2Server;
    const upstream: Upstream = { port: 0, origin: '', received: [], connections: 0, maxInFlight: 0, close: () => server.close() };
    const server: H2TestServer = {
      upstream, origin: '', port: 0, lastActivity: performance.now(), lastResponseAt: null, sending: 0, ended: 0,
      touch() { server.lastActivity = performance.now(); },
      connections: 0, handshakeFailures: [], alpn: [], http1: [], streams: [], maxInFlight: 0, goaways: [],
      close: () => new Promise<void>((resolve) => {
        for (const timer of this.timers) clearTimeout(timer);
        for (const socket of this.sockets) socket.destroy();
        http2Server.close(() => resolve());
      }),
    };
    this.server = server;
    http2Server.on('connection', () => { upstream.connections++; server.touch(); });
    // Prepended: http2's own 'secureConnection' listener creates the session (and emits 'session') first otherwise.
    http2Server.prependListener('secureConnection', (socket: TLSSocket) => this.onSecure(socket));
    http2Server.on('tlsClientError', (error: Error & { code?: string }) => {
      server.handshakeFailures.push({ code: error.code ?? error.name, message: error.message });
      ctx.note(`TLS handshake failed on our side: ${error.message} (your program refused our certificate, or gave up)`);
      this.ended();
    });
    http2Server.on('session', (session) => this.onSession(session));
    http2Server.on('request', (req, res) => (req.httpVersionMajor === 2 ? this.onStream(req) : this.onHttp1(req, res)));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http2Server.once('error', reject);
      this.http2Server.listen(0, '127.0.0.1', () => resolve());
    });
    this.http2Server.on('error', () => {});
    const port = (this.http2Server.address() as AddressInfo).port;
    this.server.port = this.server.upstream.port = port;
    this.server.origin = this.server.upstream.origin = `https://localhost:${port}`;
  }

  private now(): number {
    return Math.round(performance.now() - this.started);
  }

  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** An exchange is over on our side (answered, refused, dropped, a failed handshake). */
  private ended(): void {
    this.server.ended++;
    this.server.lastResponseAt = performance.now();
    this.server.touch();
  }

  private onSecure(socket: TLSSocket): void {
    const { server } = this;
    this.sockets.add(socket);
    this.lastSocket = socket;
    socket.on('close', () => this.sockets.delete(socket));
    server.connections++;
    server.alpn.push(socket.alpnProtocol);
    this.ctx.note(`TLS connection ${server.connections}: handshake done (${socket.getProtocol()}, ALPN ${socket.alpnProtocol || 'none offered'})`);
    server.touch();
  }

  private onSession(session: http2.ServerHttp2Session): void {
    const { server } = this;
    const connection = server.connections;
    if (this.lastSocket) this.sessions.set(session, { index: connection, socket: this.lastSocket });
    session.on('goaway', (code: number) => {
      server.goaways.push({ atMs: this.now(), code, streamsBefore: server.streams.length });
      this.ctx.note(`→ GOAWAY (connection ${connection}, code ${code}) after ${server.streams.length} stream(s)`);
      server.touch();
    });
    session.on('error', () => {});
  }

  /** allowHTTP1 only so that an HTTP/1.1 client is recognised (CURRICULUM 19): 505 "use HTTP/2", counted. */
  private onHttp1(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void {
    this.server.touch();
    this.server.http1.push({ method: req.method, url: req.url });
    this.ctx.note(`→ HTTP/1.1 ${req.method} ${req.url}: answered 505 use HTTP/2`);
    res.writeHead(505, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('use HTTP/2');
    this.ended();
  }

  private onStream(req: http2.Http2ServerRequest): void {
    const { server, ctx } = this;
    server.touch();
    const stream = req.stream;
    const record: H2StreamRecord = {
      id: stream.id ?? 0, connection: this.sessions.get(stream.session as http2.Http2Session)?.index ?? server.connections, method: req.method, path: req.url, atMs: this.now(), endAtMs: null, status: null, outcome: 'pending', bytes: 0, delayMs: 0,
    };
    server.streams.push(record);
    server.upstream.received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.alloc(0), headAtMs: record.atMs, firstBodyAtMs: null, endAtMs: record.atMs, aborted: false, remotePort: req.socket?.remotePort ?? 0 });
    ctx.note(`→ HEADERS stream ${stream.id} (${req.method} ${req.url})`);
    this.inFlight++;
    server.maxInFlight = server.upstream.maxInFlight = Math.max(server.maxInFlight, this.inFlight);
    stream.on('close', () => {
      this.inFlight--;
      if (record.outcome !== 'pending') return;
      record.outcome = 'closed-by-client';
      ctx.note(`→ stream ${stream.id} closed by your program before our answer ended (code ${stream.rstCode})`);
      this.ended();
    });
    // The hold: answers wait until every expected request arrived, or HOLD_MS after the first.
    if (server.streams.length >= (this.options.expect ?? 1)) this.release();
    else if (server.streams.length === 1) void this.wait(HOLD_MS).then(() => this.release());
    if (this.options.refuse?.includes(req.url)) {
      record.outcome = 'refused';
      record.endAtMs = this.now();
      stream.close(NGHTTP2_REFUSED_STREAM);
      ctx.note(`← RST_STREAM stream ${stream.id} REFUSED_STREAM`);
      this.ended();
      return;
    }
    record.delayMs = 20 + Math.floor(this.random() * 181);
    void this.held.then(() => this.wait(record.delayMs)).then(() => this.serve(stream, record, answerFor(req.url)));
  }

  private async serve(stream: http2.ServerHttp2Stream, record: H2StreamRecord, answer: Answer): Promise<void> {
    const { server } = this;
    if (stream.destroyed || this.ctx.signal.aborted) return;
    server.sending++;
    try {
      const drop = this.options.drop === record.path;
      await respond(stream, answer, { drop, wait: (ms) => this.wait(ms), note: this.ctx.note, sent: (bytes) => { record.bytes += bytes; server.touch(); } });
      record.status = answer.status;
      if (drop && !stream.destroyed) return await this.drop(stream, record);
      if (record.outcome === 'pending') {
        record.outcome = 'answered';
        record.endAtMs = this.now();
        this.ended();
      }
    } finally {
      server.sending--;
      server.touch();
    }
  }

  /** Drops the TLS connection under `stream`, once the other answers are done (bounded: 1.5 s). */
  private async drop(stream: http2.ServerHttp2Stream, record: H2StreamRecord): Promise<void> {
    for (let i = 0; i < 30 && this.server.streams.some((other) => other !== record && other.outcome === 'pending'); i++) await this.wait(50);
    record.outcome = 'dropped';
    record.endAtMs = this.now();
    this.ctx.note(`✂ we dropped TLS connection ${record.connection} after ${record.bytes} body bytes of stream ${stream.id}`);
    // session.socket.destroy() throws ERR_HTTP2_NO_SOCKET_MANIPULATION: destroy the TLSSocket itself (node20-facts "Dropping a connection").
    this.sessions.get(stream.session as http2.Http2Session)?.socket.destroy();
    this.ended();
  }
}
