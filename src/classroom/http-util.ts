// The board's HTTP plumbing, written the way the course teaches it: bodies read
// as bytes with a limit (lesson 05), every response with a Content-Length,
// nothing taken from the Host header.

import type http from 'node:http';

/** After a 413 keep reading (and discarding) for a while so the answer reaches the client (lesson 05). */
const DRAIN_MS = 2000;
const DRAIN_BYTES = 1024 * 1024;

export const SECURITY_HEADERS: http.OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // The board's URL carries the token: never send it on in a Referer.
  'Referrer-Policy': 'no-referrer',
};

export function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) return;
  const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': length, ...headers });
  // A string body is joined to the head in one chunk (no Buffer copy first; Node's
  // OutgoingMessage._send, https://github.com/nodejs/node/blob/v20.x/lib/_http_outgoing.js).
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, data: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(data), headers);
}

/** A one-line reason, as JSON: `{"error": "..."}`. */
export function refuse(res: http.ServerResponse, status: number, reason: string, headers: http.OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { error: reason.split('\n')[0] }, headers);
}

function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
  // Answer first, while the connection is healthy, then drain within bounds: if
  // the body ends in time the connection stays usable (keep-alive); if not, cut it.
  refuse(res, 413, `the body is larger than ${limit} bytes`);
  let drained = 0;
  const hangUp = () => req.socket.destroy();
  const timer = setTimeout(hangUp, DRAIN_MS);
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) hangUp();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

export type BodyResult = { ok: true; text: string } | { ok: false };

/**
 * The whole body as text, or { ok: false } once it has been answered (413) or
 * the client went away mid-upload (nothing to answer). Bytes are joined before
 * decoding, so a character split between two chunks is whole again.
 */
export function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    // Content-Length announces the size before a single byte arrives: refuse at once.
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      refuseTooLarge(req, res, limit);
      return resolve({ ok: false });
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limit) {
        chunks.length = 0;
        refuseTooLarge(req, res, limit);
        return settle({ ok: false });
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    // An aborted upload: 'close' without 'end' (Node 20: req.complete stays false).
    req.on('close', () => settle({ ok: false }));
    req.on('error', () => settle({ ok: false }));
  });
}

/** Per-learner token bucket: `burst` requests at once, then `perSecond`. Bounded in size. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when allowed; false means 429 (with the seconds to wait in retryAfter()). */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    // Many made-up learner ids must not grow the map without end: forget the oldest.
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  retryAfter(): number {
    return Math.max(1, Math.ceil(1 / this.perSecond));
  }
}
