// One request (one stream) of a ctx.tls.h2 session: what came back, when, and how
// the stream closed, with the frames it stands for in the transcript. Resolves
// when the stream has closed; never rejects (a session already gone gives a
// response with `error` set). Every timer is cleared at the stream's close.

import http2 from 'node:http2';
import type { H2RequestOptions, H2Response } from './h2.js';

export interface FrameNotes {
  add(text: string, always?: boolean): void;
  summary(): void;
}

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR } = http2.constants;
/** RFC 9113 §7 error codes, by value. */
const ERROR_CODES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR',
  'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];

export function codeName(code: number | null | undefined): string {
  if (code === null || code === undefined) return 'no code';
  return ERROR_CODES[code] ?? `code ${code}`;
}

/** After a cancel, reset or timeout, how long the stream may take to report its close before we stop waiting. */
const CLOSE_GRACE_MS = 1000;

export function h2Request(session: http2.ClientHttp2Session, path: string, options: H2RequestOptions, notes: FrameNotes, wasDropped: () => boolean): Promise<H2Response> {
  const method = (options.method ?? 'GET').toUpperCase();
  const response: H2Response = {
    id: 0, path, status: null, headers: {}, body: Buffer.alloc(0), text: '', chunks: [], headersAtMs: null, endAtMs: null,
    rstCode: null, complete: false, error: null, abandoned: false, timedOut: false, dropped: false,
  };
  const started = performance.now();
  const since = (): number => Math.round(performance.now() - started);
  let stream: http2.ClientHttp2Stream;
  try {
    stream = session.request({ ':method': method, ':path': path, ...options.headers }, { endStream: options.body === undefined });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    response.error = `${e.code ?? e.name}: ${e.message}`;
    notes.add(`(no request ${method} ${path}: ${response.error})`, true);
    return Promise.resolve(response);
  }
  if (options.body !== undefined) stream.end(options.body);
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number | undefined, fn: () => void): void => {
      if (ms !== undefined) timers.push(setTimeout(fn, ms));
    };
    const finish = (): void => {
      timers.forEach(clearTimeout);
      response.body = Buffer.concat(read.parts);
      response.text = response.body.toString('utf8');
      response.dropped = wasDropped() && !read.ended;
      resolve(response);
    };
    const giveUp = (why: 'abandoned' | 'timedOut', code: number, line: string): void => {
      if (stream.closed || stream.destroyed) return;
      response[why] = true;
      notes.add(line, true);
      stream.close(code);
      // A stream whose session is stuck may never report 'close'; the promise still settles.
      later(CLOSE_GRACE_MS, () => {
        stream.destroy();
        finish();
      });
    };
    const sent = (): void => {
      response.id = stream.id ?? 0;
      notes.add(`→ HEADERS stream ${response.id} ${method} ${path}${options.body === undefined ? '' : `, then DATA ${Buffer.byteLength(options.body)} bytes`} (END_STREAM)`);
    };
    // On a session that is up, request() submits HEADERS at once: the id is already there and 'ready' has been emitted.
    if (stream.id !== undefined) sent();
    else stream.once('ready', sent);
    const read = readResponse(session, stream, response, notes, since);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Our own cancel or reset is not something that went wrong.
      if (!response.abandoned && !response.timedOut) response.error ??= `${error.code ?? error.name}: ${error.message}`;
    });
    stream.once('close', () => {
      response.rstCode = stream.rstCode ?? null;
      response.complete = read.ended && response.rstCode === 0 && !response.abandoned && !response.timedOut;
      if (!read.ended && !response.abandoned && !response.timedOut) {
        const how = wasDropped() || session.destroyed ? `ended with its connection (Node reports ${codeName(response.rstCode)})` : `reset by the server: ← RST_STREAM ${codeName(response.rstCode)}`;
        notes.add(`stream ${stream.id} ${how} (${since()} ms)`, true);
      }
      finish();
    });
    later(options.cancelAfterMs, () => giveUp('abandoned', NGHTTP2_CANCEL, `→ RST_STREAM stream ${stream.id} CANCEL (${since()} ms)`));
    later(options.resetAfterMs, () => giveUp('abandoned', NGHTTP2_INTERNAL_ERROR, `→ RST_STREAM stream ${stream.id} INTERNAL_ERROR (${since()} ms)`));
    const timeoutMs = options.timeoutMs ?? 2000;
    later(timeoutMs, () => giveUp('timedOut', NGHTTP2_CANCEL, `(no end of stream ${stream.id} after ${timeoutMs} ms) → RST_STREAM stream ${stream.id} CANCEL`));
  });
}

/** The incoming side of a stream: HEADERS, DATA, END_STREAM, into `response` and the transcript. */
function readResponse(session: http2.ClientHttp2Session, stream: http2.ClientHttp2Stream, response: H2Response, notes: FrameNotes, since: () => number): { parts: Buffer[]; ended: boolean } {
  const read = { parts: [] as Buffer[], ended: false };
  stream.once('response', (headers) => {
    response.headersAtMs = since();
    response.headers = Object.fromEntries(Object.entries(headers)); // without Node's Symbol(sensitiveHeaders)
    response.status = Number(headers[':status']);
    const type = headers['content-type'] === undefined ? '' : `, content-type ${String(headers['content-type'])}`;
    notes.add(`← HEADERS stream ${stream.id} :status ${response.status}${type}`);
  });
  stream.on('data', (chunk: Buffer) => {
    read.parts.push(chunk);
    response.chunks.push({ atMs: since(), bytes: chunk.length });
    notes.add(`← DATA stream ${stream.id}, ${chunk.length} bytes`);
  });
  stream.once('end', () => {
    // A destroyed session ends its streams' readable side too (rstCode 0 or CANCEL): not an END_STREAM flag.
    if (session.destroyed) return;
    read.ended = true;
    response.endAtMs = since();
    notes.add(`← END_STREAM stream ${stream.id} (${since()} ms)`);
  });
  return read;
}
