// ctx.tls.h2: HTTP/2 sessions to the learner's server (lesson 18), trusting only
// the test CA, name `localhost`, connecting to 127.0.0.1. THE CONTRACT BELOW IS
// FIXED (lesson 18's checks are written against it). Every session and socket
// opened here is destroyed when the check's signal aborts.
//
// The TLS handshake is done first, by hand (tls.connect, ALPN h2 only), and the
// session is built on that socket (http2.connect's createConnection): a failed
// handshake then says what happened on the wire (a plaintext server's "wrong
// version number", an ALPN refusal) instead of a generic session error, and the
// TLSSocket stays ours to destroy for dropAfter() (session.socket is a proxy whose
// destroy() throws ERR_HTTP2_NO_SOCKET_MANIPULATION:
// https://nodejs.org/docs/latest-v20.x/api/http2.html#http2sessionsocket).
// Node's http2 exposes no frames, only their events; the transcript names the
// frame each event stands for (RFC 9113 §6): 'response' is a HEADERS frame,
// each 'data' chunk a DATA frame's payload, 'goaway' a GOAWAY.

import http2 from 'node:http2';
import tls from 'node:tls';
import type { CheckContext } from '../../check-api.js';
import type { Certs } from './certs.js';
import { codeName, h2Request, type FrameNotes } from './h2-streams.js';

export interface H2RequestOptions {
  method?: string;
  /** Extra request headers (lower-case names). */
  headers?: Record<string, string>;
  /** Send RST_STREAM CANCEL this many ms after the request was sent (stream.close(NGHTTP2_CANCEL)). */
  cancelAfterMs?: number;
  /** Reset the stream with INTERNAL_ERROR this many ms after sending (what req.destroy(err) sends from a Node client). */
  resetAfterMs?: number;
  /** Give up waiting (the stream is cancelled) after this many ms; default 2000. */
  timeoutMs?: number;
  /** A request body, sent in DATA frames after HEADERS (default: none, END_STREAM on HEADERS). */
  body?: string | Buffer;
}

export interface H2Response {
  /** Stream id on the session. */
  id: number;
  path: string;
  /** `:status` as a number, or null when no response headers arrived. */
  status: number | null;
  /** Response headers (pseudo-headers included). */
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
  /** The body decoded as UTF-8 as a whole. */
  text: string;
  /** Each DATA arrival: ms since the request was sent, and its size. */
  chunks: Array<{ atMs: number; bytes: number }>;
  /** Milliseconds since the request was sent: response headers, end of stream (null when not reached). */
  headersAtMs: number | null;
  endAtMs: number | null;
  /** RST_STREAM code the stream closed with (0 = clean end), as `'close'` reports it. */
  rstCode: number | null;
  /** The stream ended with its END_STREAM flag (not a reset, not a drop). */
  complete: boolean;
  /** What went wrong on the stream or session, as `code: message`, else null. */
  error: string | null;
  /** We cancelled or reset it on purpose (cancelAfterMs / resetAfterMs). */
  abandoned: boolean;
  /** Gave up after timeoutMs. */
  timedOut: boolean;
  /** The TLS connection under the session was dropped (dropAfter) before the stream ended. */
  dropped: boolean;
}

export interface H2Session {
  /** The ALPN protocol the TLS handshake chose (`h2`). */
  alpnProtocol: string | false;
  /** Sends one request on this session; resolves when its stream has closed (never rejects). */
  request(path: string, options?: H2RequestOptions): Promise<H2Response>;
  /** After `afterMs`, destroy the TLS socket under the session mid-stream (a client that vanishes). */
  dropAfter(afterMs: number): void;
  /** Closes the session (GOAWAY) and waits for it, bounded. */
  close(): Promise<void>;
  /** The session's 'error' or 'goaway', if any, as `code: message`. */
  error(): string | null;
  /** The TLS version the handshake agreed (`TLSv1.3`), for messages. */
  tlsVersion: string | null;
}

export interface H2Sessions {
  /**
   * Opens one HTTP/2 session (one TLS connection, ALPN h2) to the learner's server
   * (`port`, default ctx.server.port). Rejects with a CheckFailure-free Error whose
   * message says what the handshake did (e.g. "wrong version number": a plaintext
   * server) so the check can diagnose h2c-cleartext or no-http1-fallback.
   */
  connect(options?: { port?: number; timeoutMs?: number }): Promise<H2Session>;
}

/** Frame lines per session in the transcript; past it, one summary line at close. */
const MAX_FRAME_NOTES = 60;
const CLOSE_WAIT_MS = 1000;

export function h2Sessions(ctx: CheckContext, certs: Certs): H2Sessions {
  return { connect: (options) => connect(ctx, certs, options?.port ?? ctx.server.port, options?.timeoutMs ?? 2000) };
}

async function connect(ctx: CheckContext, certs: Certs, port: number, timeoutMs: number): Promise<H2Session> {
  const deadline = performance.now() + timeoutMs;
  const socket = await handshake(ctx, certs, port, timeoutMs);
  const notes = frameNotes(ctx);
  let sessionError: string | null = null;
  const session = http2.connect(`https://localhost:${port}`, { createConnection: () => socket });
  const destroyAll = (): void => {
    session.destroy();
    socket.destroy();
  };
  ctx.signal.addEventListener('abort', destroyAll, { once: true });
  session.once('close', () => {
    ctx.signal.removeEventListener('abort', destroyAll);
    notes.summary();
  });
  session.on('error', (error: NodeJS.ErrnoException) => {
    sessionError ??= `${error.code ?? error.name}: ${error.message}`;
    notes.add(`session error ${error.code ?? error.name}: ${error.message}`);
  });
  session.on('goaway', (code: number, lastStreamId: number) => {
    sessionError ??= `GOAWAY: ${codeName(code)} (${code}), last stream ${lastStreamId}`;
    notes.add(`← GOAWAY ${codeName(code)}, last stream ${lastStreamId}`);
  });
  session.on('frameError', (type: number, code: number, id: number) => notes.add(`frame error: type ${type}, stream ${id}, ${codeName(code)}`));
  const waitMs = Math.max(0, deadline - performance.now());
  const timedOut = await settingsExchanged(session, waitMs, ctx.signal);
  if (session.destroyed || timedOut) {
    destroyAll();
    const why = timedOut ? `no SETTINGS frame (the server's HTTP/2 preface) within ${Math.round(waitMs)} ms` : (sessionError ?? 'the server closed the connection before its SETTINGS frame');
    throw new Error(`the HTTP/2 session on 127.0.0.1:${port} ended right after the TLS handshake (ALPN h2): ${why}`);
  }
  notes.add('← SETTINGS (the server\'s HTTP/2 preface)');
  let dropped = false;
  let dropTimer: NodeJS.Timeout | undefined;
  session.once('close', () => clearTimeout(dropTimer));
  return {
    alpnProtocol: socket.alpnProtocol ?? false,
    tlsVersion: socket.getProtocol(),
    error: () => sessionError,
    request: (path, options = {}) => h2Request(session, path, options, notes, () => dropped),
    dropAfter(afterMs: number): void {
      clearTimeout(dropTimer);
      dropTimer = setTimeout(() => {
        if (socket.destroyed) return;
        dropped = true;
        notes.add('✂ the TLS connection is dropped (socket destroyed: no RST_STREAM, no GOAWAY, no close_notify)', true);
        socket.destroy();
      }, afterMs);
    },
    close: () => closeSession(session, socket, notes),
  };
}

/** The TLS handshake, ALPN h2 only; rejects with what the wire said. */
function handshake(ctx: CheckContext, certs: Certs, port: number, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(new Error('the check ended before the TLS handshake began'));
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, ALPNProtocols: ['h2'] });
    // Errors after the session took over are the session's to report; this keeps a late one from being uncaught.
    socket.on('error', () => {});
    const fail = (message: string): void => {
      cleanup();
      socket.destroy();
      ctx.note(`TLS handshake with 127.0.0.1:${port} failed: ${message}`);
      reject(new Error(message));
    };
    const onAbort = (): void => fail('the check ended during the TLS handshake');
    const timer = setTimeout(() => fail(`no TLS handshake within ${timeoutMs} ms: a ClientHello offering ALPN h2 was sent and the server completed nothing`), timeoutMs);
    const onError = (error: NodeJS.ErrnoException): void => fail(explainHandshakeError(error, port));
    const onClose = (): void => fail('the server closed the connection before the TLS handshake completed');
    function cleanup(): void {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off('close', onClose);
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('secureConnect', () => {
      const alpn = socket.alpnProtocol;
      if (alpn !== 'h2') {
        return fail(`the TLS handshake completed (${socket.getProtocol()}) but the server chose ${alpn ? `ALPN ${alpn}` : 'no ALPN protocol'} for a ClientHello offering only h2: it does not speak HTTP/2 on this port (an https.Server, or a TLS server without ALPN h2)`);
      }
      cleanup();
      ctx.note(`TLS handshake with 127.0.0.1:${port}: ${socket.getProtocol()}, ALPN h2, certificate for localhost verified against the test CA`);
      resolve(socket);
    });
  });
}

/** `code: message`, then what it means on the wire. */
export function explainHandshakeError(error: NodeJS.ErrnoException, port: number): string {
  const code = error.code ?? error.name;
  // OpenSSL's message carries its source file and line; its reason is the readable part.
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(error.message)?.[1] ?? error.message.split('\n')[0];
  const said = `${code}: ${reason}`;
  if (/wrong version number|packet length too long|unknown protocol/i.test(error.message)) {
    return `${said} (the server answered the TLS ClientHello with bytes that are not a TLS record: a plaintext server on port ${port}, e.g. http2.createServer, which speaks cleartext HTTP/2)`;
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') {
    return `${said} (the server refused the handshake with the TLS alert no_application_protocol: none of the offered ALPN protocols, here h2, is one it serves: e.g. an https.Server, which offers http/1.1 only)`;
  }
  if (code === 'ECONNREFUSED') return `${said} (nothing listens on 127.0.0.1:${port})`;
  if (code === 'ECONNRESET') return `${said} (the server reset the connection during the TLS handshake)`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
    return `${said} (the server's certificate was refused: the lesson's server presents localhost-cert.pem, issued by the test CA)`;
  }
  return `${said} (the TLS handshake failed)`;
}

/**
 * Waits for the server's SETTINGS frame ('remoteSettings': its HTTP/2 preface; 'connect' only means the
 * socket was there), the session's end, the deadline or the abort; true when the deadline came first.
 */
function settingsExchanged(session: http2.ClientHttp2Session, waitMs: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (timedOut: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', settle);
      session.off('remoteSettings', settle);
      session.off('close', settle);
      resolve(timedOut);
    };
    const settle = (): void => done(false);
    const timer = setTimeout(() => done(true), waitMs);
    signal.addEventListener('abort', settle, { once: true });
    session.once('remoteSettings', settle);
    session.once('close', settle);
  });
}

function closeSession(session: http2.ClientHttp2Session, socket: tls.TLSSocket, notes: FrameNotes): Promise<void> {
  if (session.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      notes.add(`(the session had not closed ${CLOSE_WAIT_MS} ms after GOAWAY: destroyed)`, true);
      session.destroy();
      socket.destroy();
    }, CLOSE_WAIT_MS);
    session.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (!session.closed) notes.add('→ GOAWAY NO_ERROR (session.close())', true);
    session.close();
  });
}

/** Frame lines of one session, at most MAX_FRAME_NOTES (`always` lines are never dropped). */
function frameNotes(ctx: CheckContext): FrameNotes {
  let written = 0;
  let dropped = 0;
  return {
    add(text: string, always = false): void {
      if (written < MAX_FRAME_NOTES || always) {
        written++;
        ctx.note(text);
      } else dropped++;
    },
    summary(): void {
      if (dropped > 0) ctx.note(`… ${dropped} more frame lines of this session not shown`);
      dropped = 0;
    },
  };
}
