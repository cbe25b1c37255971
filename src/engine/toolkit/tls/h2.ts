// ctx.tls.h2: HTTP/2 sessions to the learner's server (lesson 18), trusting only
// the test CA, name `localhost`, connecting to 127.0.0.1. THE CONTRACT BELOW IS
// FIXED (lesson 18's checks are written against it); the implementation is being
// written (H-h2probe). Every session and socket opened here is destroyed when the
// check's signal aborts.

import type { CheckContext } from '../../check-api.js';
import type { Certs } from './certs.js';

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

export function h2Sessions(_ctx: CheckContext, _certs: Certs): H2Sessions {
  return {
    connect: () => Promise.reject(new Error('ctx.tls.h2 is being written')),
  };
}
