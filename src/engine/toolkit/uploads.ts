// Request bodies sent to the learner's server (lessons 04 and 05, rerun by 15, and an
// instructor's own upload lessons): send a body while reading the answer, find the
// server's first write on it and tell whether that came before the body had
// arrived, tell a connection the server cut (still running) from a crash, and the
// lines a body diagnosis points at. Free functions taking the check's context,
// exported from 'httpdojo/check' like the client harness.
//
// "Answered before the body arrived" is a fact, not a timing guess: the probe counts
// the body bytes the server had received when it first wrote (`bodyBytesIn` on the
// write/end call); without that report, what we had sent when the answer reached us.

import type { CheckContext } from '../check-api.js';
import type { BodyPart } from '../clients/connection.js';
import type { HttpResponse } from '../clients/http-client.js';
import type { EventOf, Location, ResponseCall } from '../probe-events.js';
import { format } from './format.js';

type Ctx = Pick<CheckContext, 'http' | 'server' | 'program' | 'source'>;

/** A body sent and its answer. */
export interface Upload {
  res: HttpResponse;
  /** The server's first write or end on this request, once the probe reported it (null if it did not in time). */
  answer: { req: EventOf<'req'>; call: ResponseCall } | null;
}

export interface UploadOptions {
  method?: string;
  /** Added to (or replacing) Content-Type: application/json. */
  headers?: Record<string, string>;
  chunked?: boolean;
  timeoutMs?: number;
  /** How long to wait for the probe's report of the first write (default 500 ms). */
  answerWaitMs?: number;
}

/** The ids of the requests the probe has reported so far: what `answerOf`'s `seen` excludes. */
export function requestIds(ctx: Pick<CheckContext, 'server'>): Set<number> {
  return new Set(ctx.server.eventsOf('req').map((event) => event.id));
}

/**
 * Sends `parts` to `target` (POST unless told) and reads the answer while still
 * sending, as a client that gets an early answer would see it. A request with no
 * complete answer throws the engine's NoResponseError, as ctx.http.request does.
 */
export async function upload(ctx: Ctx, target: string, parts: BodyPart[], options: UploadOptions = {}): Promise<Upload> {
  const method = options.method ?? 'POST';
  const seen = requestIds(ctx);
  const res = await ctx.http.request(method, target, {
    body: parts,
    readWhileSending: true,
    headers: { 'Content-Type': 'application/json', ...options.headers },
    ...(options.chunked ? { chunked: true } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const answer = await ctx.server.answerOf(method, target, { seen, timeoutMs: options.answerWaitMs });
  return { res, answer };
}

/**
 * How we know the server answered before it had `upTo` bytes of the body (of
 * `size` in all), as a clause for the message; null when it did not. The probe's
 * count decides when there is one; else what we had sent when the answer came.
 */
export function answeredBefore(sent: Upload, upTo: number, size = upTo): string | null {
  const had = sent.answer?.call.bodyBytesIn;
  if (had !== undefined) return had < upTo ? `when it had received ${format.count(had)} of the body's ${format.count(size)} bytes` : null;
  const out = sent.res.sentBeforeResponse;
  return out < upTo ? `when we had sent only ${format.count(out)} of the body's ${format.count(size)} bytes` : null;
}

/** A connection the server closed or reset while it kept running. */
export interface Cut {
  reason: 'closed' | 'reset';
  /** The status line and headers that came before the cut, if any did. */
  partial: { status: number } | null;
  /** The server's first write on the request, and the status it had chosen (it may have written one we never got). */
  answer: Upload['answer'];
  status: number | undefined;
}

/**
 * A request that got no complete answer: when the server cut the connection and
 * did not crash (no uncaught error within 400 ms), how; anything else (a crash, a
 * timeout) is rethrown for the engine's diagnosis, with the check's evidence.
 */
export async function cutByServer(ctx: Ctx, error: unknown, request: { method: string; target: string; seen: Set<number> }): Promise<Cut> {
  const reason = (error as { reason?: unknown }).reason;
  if (reason !== 'closed' && reason !== 'reset') throw error;
  if (await ctx.server.waitFor('uncaught', { timeoutMs: 400 })) {
    // The closed connection announces the exit: let the engine see it before it diagnoses.
    await ctx.program.waitForExit(1500);
    throw error;
  }
  const answer = await ctx.server.answerOf(request.method, request.target, { seen: request.seen, timeoutMs: 200 });
  const chose = answer ? ctx.server.eventsOf('call').filter((call) => call.id === answer.req.id && (call.fn === 'writeHead' || call.fn === 'statusCode')).pop() : undefined;
  return { reason, partial: (error as { partial?: { status: number } | null }).partial ?? null, answer, status: chose?.status };
}

/** `text` as writes cut between every byte of each of the given multi-byte characters, `pauseMs` apart. */
export function cutBetweenBytes(text: string, characters: string[], pauseMs: number): BodyPart[] {
  const bytes = Buffer.from(text, 'utf8');
  const cuts = characters
    .flatMap((character) => {
      const at = text.indexOf(character);
      if (at < 0 || Buffer.byteLength(character) < 2) throw new Error(`cutBetweenBytes: "${character}" is not a multi-byte character of the text`);
      const start = Buffer.byteLength(text.slice(0, at));
      return Array.from({ length: Buffer.byteLength(character) - 1 }, (_, i) => start + i + 1);
    })
    .sort((a, b) => a - b);
  const parts: BodyPart[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(bytes.subarray(from, cut), { pauseMs });
    from = cut;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

// ---- lines a body diagnosis points at ------------------------------------------------

const DATA_LISTENER = /\.(on|addListener)\(\s*['"]data['"]/;
const END_LISTENER = /\.(on|once)\(\s*['"]end['"]/;
const JOINS = /Buffer\.concat\s*\(|\.join\(\s*['"]{2}\s*\)/;
const PARSES = /JSON\.parse\s*\(/;

/**
 * Where an answer written too early took the body: usually right after the 'data'
 * listener was attached, before any data came. From the answer's frames, the
 * nearest line above that joins, then parses, the body with no 'end' listener
 * between; when the answer went through more helpers than the frames reach (a
 * body-parser middleware), a join or parse just below a 'data' listener; else
 * the caller of the answering helper.
 */
export function earlyAnswerLine(ctx: Pick<CheckContext, 'server' | 'source'>, call: ResponseCall | null | undefined): Location | null {
  const frames = ctx.server.framesOf(call ?? undefined);
  for (const pattern of [JOINS, PARSES]) {
    const found = ctx.source.near(frames, pattern, { within: 25, stopAt: END_LISTENER });
    if (found) return found;
  }
  const joinsOrParses = new RegExp(`${JOINS.source}|${PARSES.source}`);
  for (const start of ctx.source.findAll(DATA_LISTENER)) {
    const below = ctx.source.near({ ...start, line: start.line + 1 }, joinsOrParses, { direction: 'down', within: 14, stopAt: END_LISTENER });
    if (below) return below;
  }
  return frames[1] ?? frames[0] ?? call?.at ?? ctx.source.find(DATA_LISTENER);
}

/**
 * Where chunks become text one at a time (a character cut between two chunks
 * turns into U+FFFD): the `+=` or toString() in the 'data' listener or for-await
 * loop. Counting bytes (`size += chunk.length`, a body limit) is not it.
 */
export function decodeEachChunkLine(ctx: Pick<CheckContext, 'source'>): Location | null {
  const decodes = /\+=(?!\s*[\w.]*\.(length|byteLength)\b)|=\s*\w+\s*\+\s*\w+|\.toString\(\s*\)|\.toString\(\s*['"]utf-?8['"]\s*\)/;
  const start = ctx.source.find(DATA_LISTENER, /for\s+await\s*\(/);
  if (!start) return ctx.source.find(/\+=\s*\w*(chunk|piece|part|data|buf)/i);
  // 12 lines: a listener that first counts bytes against a limit (lesson 15) is longer.
  return ctx.source.near(start, decodes, { direction: 'down', within: 12 }) ?? start;
}

/**
 * Where a body is kept with no limit: the line in a 'data' listener or for-await
 * loop that keeps a chunk (push, +=). A listener that only counts (`drained +=
 * chunk.length`, draining after a 413) keeps nothing.
 */
export function keepsChunkLine(ctx: Pick<CheckContext, 'source'>): Location | null {
  const starts = [...ctx.source.findAll(DATA_LISTENER), ...ctx.source.findAll(/for\s+await\s*\(/)];
  return ctx.source.near(starts, /\.push\s*\(|\+=(?![^;\n]*\.(?:byte)?[lL]ength\b)/, { direction: 'down', within: 8 }) ?? starts[0] ?? null;
}

/**
 * The size test behind a status (413) on the latest `method target`: an `if`
 * comparing values at most 4 lines above one of the frames of the call that set
 * the status (else of `fallback`, e.g. the first write), else the frame that names
 * the status, else such an `if` above any use of the status in the code (a
 * framework's error handler answers far from the test).
 */
export function sizeTestLine(ctx: Pick<CheckContext, 'server' | 'source'>, request: { method: string; target: string }, fallback?: ResponseCall | null, status = 413): Location | null {
  const record = ctx.server.request({ method: request.method, url: (url) => url === request.target });
  const call = record?.calls.filter((c) => !c.nested && c.at && (c.fn === 'writeHead' || c.fn === 'statusCode') && c.status === status).pop() ?? fallback ?? undefined;
  const test = /\bif\s*\(.*(>=?|<=?)/;
  const frames = ctx.server.framesOf(call);
  const named = new RegExp(`\\b${status}\\b`);
  return (
    ctx.source.near(frames, test, { within: 4 }) ??
    frames.find((frame) => named.test(ctx.source.line(frame.line))) ??
    ctx.source.near(ctx.source.findAll(named), test, { within: 4 }) ??
    call?.at ??
    null
  );
}

/**
 * Where an upload is cut: a destroy() of the request or its socket near the call's
 * frames, or anywhere; only then any destroy() (in lesson 15's framework the
 * nearest destroy above the answer is an error handler's res.destroy()).
 */
export function cutLine(ctx: Pick<CheckContext, 'server' | 'source'>, call: ResponseCall | null | undefined): Location | null {
  const cutsUpload = /\b(req|request|socket)\b[\w.]*\.destroy\s*\(/;
  const frames = ctx.server.framesOf(call ?? undefined);
  return (
    ctx.source.near(frames, cutsUpload, { within: 8 }) ??
    ctx.source.find(cutsUpload) ??
    ctx.source.near(frames, /\.destroy\s*\(/, { within: 8 }) ??
    ctx.source.find(/\b(res|response)\b[\w.]*\.destroy\s*\(/, /\.destroy\s*\(/)
  );
}

// ---- ctx.upload: the same functions bound to the check ---------------------------------

/** `ctx.upload`: the functions above with the check's context bound (a check module imports only types). */
export interface Uploads {
  /** Send `parts` to `target` (POST unless told), reading the answer while sending; see `upload`. */
  send(target: string, parts: BodyPart[], options?: UploadOptions): Promise<Upload>;
  /** How we know the server answered before it had `upTo` of the body's `size` bytes, or null. */
  answeredBefore(sent: Upload, upTo: number, size?: number): string | null;
  /** The ids of the requests the probe has reported so far (`seen` for answerOf and cutByServer). */
  requestIds(): Set<number>;
  /** The server cut the connection and kept running: how; a crash or a timeout is rethrown. */
  cutByServer(error: unknown, request: { method: string; target: string; seen: Set<number> }): Promise<Cut>;
  cutBetweenBytes(text: string, characters: string[], pauseMs: number): BodyPart[];
  earlyAnswerLine(call: ResponseCall | null | undefined): Location | null;
  decodeEachChunkLine(): Location | null;
  keepsChunkLine(): Location | null;
  sizeTestLine(request: { method: string; target: string }, fallback?: ResponseCall | null, status?: number): Location | null;
  cutLine(call: ResponseCall | null | undefined): Location | null;
}

export function uploads(ctx: Ctx): Uploads {
  return {
    send: (target, parts, options) => upload(ctx, target, parts, options),
    answeredBefore,
    requestIds: () => requestIds(ctx),
    cutByServer: (error, request) => cutByServer(ctx, error, request),
    cutBetweenBytes,
    earlyAnswerLine: (call) => earlyAnswerLine(ctx, call),
    decodeEachChunkLine: () => decodeEachChunkLine(ctx),
    keepsChunkLine: () => keepsChunkLine(ctx),
    sizeTestLine: (request, fallback, status) => sizeTestLine(ctx, request, fallback, status),
    cutLine: (call) => cutLine(ctx, call),
  };
}
