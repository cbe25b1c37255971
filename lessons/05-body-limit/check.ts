// Lesson 05: lesson 04's API with a body limit of 1 MiB (1,048,576 bytes, counted
// in bytes). A Content-Length over the limit gets 413 {"error":"Payload too large"}
// without the body being read; a chunked body that grows past it gets the same 413
// as soon as the limit is passed; the client must receive that 413 while it is still
// sending; the server keeps serving afterwards.
//
// How the checks tell the pitfalls apart:
// - Oversized bodies go out on keep-alive connections (no `Connection: close`), and
//   the answer is read while we are still sending (CURRICULUM 05, node20-facts.md).
// - "Answered while we were still sending" is judged on the client (the complete 413
//   arrived before we had written the last byte) or, on a loaded machine where our
//   own sending outran it, by the probe: the 413 was written when the server had
//   received fewer body bytes than we sent (`bodyBytesIn` of the write/end call).
//   A 413 that is neither came only after the whole body: limit-checked-after-end.
// - A Content-Length request gets its headers and 1 KiB of body, then nothing for
//   2 s (the contract's response deadline). A server still waiting then gets the
//   rest, and what it does with it names the pitfall: a 413 now is
//   limit-checked-after-end, a 201 (or any other status) no-body-limit.
// - The connection cut with no 413 received is body-limit-reset.
// No check sends more than 8 MiB: correct servers drain for up to 64 MiB or 2 s.
import type { BodyPart, CheckContext, HttpResponse, LessonChecks, Location, ProbeEvent, ResponseCall } from 'httpdojo/check';

type ReqEvent = Extract<ProbeEvent, { t: 'req' }>;
type UncaughtEvent = Extract<ProbeEvent, { t: 'uncaught' }>;
type Parsed = Omit<HttpResponse, 'text' | 'json' | 'request' | 'connection' | 'sentBeforeResponse' | 'sentWholeBody'>;

const LIMIT = 1024 * 1024;
const MiB = 1024 * 1024;
const ALICE = { id: 1, name: 'Alice' };
const TOO_LARGE = { error: 'Payload too large' };
const INVALID_JSON = { error: 'Invalid JSON' };
const INVALID_USER = { error: 'Invalid user' };
/** How long a Content-Length request waits for its 413 before we send the rest (CURRICULUM: 2 s per response). */
const ANSWER_WITHIN_MS = 2000;

export default {
  checks: [
    {
      id: 'small-bodies-as-before',
      title: 'bodies under the limit work as in lesson 4: {"name":"Carol"} gets 201, invalid JSON 400, {"name":""} 400',
      async run(ctx) {
        const before = await currentUsers(ctx);
        const text = JSON.stringify({ name: 'Carol' });
        const res = await postSmall(ctx, text, ctx.body.pieces(text, 6, { pauseMs: 20 }), 'in 6-byte pieces 20 ms apart');
        await expectJson(ctx, res, 201, { id: nextId(before), name: 'Carol' });
        await expectJson(ctx, await postSmall(ctx, 'not json', ['not json'], ''), 400, INVALID_JSON);
        await expectJson(ctx, await postSmall(ctx, '{"name":""}', ['{"name":""}'], ''), 400, INVALID_USER);
      },
    },
    {
      id: 'exactly-1-mib-accepted',
      title: 'a body of exactly 1,048,576 bytes is within the limit: 201, with Content-Length and chunked',
      async run(ctx) {
        for (const chunked of [false, true]) {
          const body = jsonBody(LIMIT, 'a');
          const how = `${fmt(LIMIT)} bytes ({"name":"aaa…"}) ${chunked ? 'chunked, without Content-Length' : 'with Content-Length'}`;
          const seen = requestIds(ctx);
          const res = await big(ctx, body.parts, { chunked, timeoutMs: 4000, how });
          const name = (res.json as { name?: unknown } | undefined)?.name;
          if (res.status === 201 && name === body.name) continue;
          // Lesson 15 runs this check too: an answer written before the body had
          // arrived is lesson 04's respond-before-body-end, whatever its status.
          await answeredEarly(ctx, res, seen, LIMIT, how);
          const got = res.status === 201 ? `201 with ${typeof name === 'string' ? `a name of ${fmt(name.length)} characters` : bodyText(res)}` : `${res.status} ${bodyText(res)}`;
          ctx.fail(
            res.status === 201 ? 'wrong-body' : 'wrong-status',
            `We sent POST /api/users with ${how}; expected 201 with the user (a name of ${fmt(body.name.length)} characters), got ${got}.${res.status === 413 ? ' Exactly 1 MiB is allowed: refuse only bodies larger than 1,048,576 bytes (> not >=).' : ''}`,
            res.status === 413 ? (await limitLocation(ctx, res.request.method, res.request.target)) : await callLocation(ctx, res),
          );
        }
        await stillServing(ctx, 'the 1 MiB bodies');
      },
    },
    {
      id: 'content-length-over-limit-413',
      title: 'a Content-Length over the limit (2 MiB) gets 413 {"error":"Payload too large"} at once, before the body is sent',
      async run(ctx) {
        await contentLengthOverLimit(ctx);
        await stillServing(ctx, 'the 2 MiB Content-Length request');
      },
    },
    {
      id: 'chunked-over-limit-413',
      title: 'a chunked body that grows past the limit gets 413 as soon as the limit is passed, while we are still sending',
      async run(ctx) {
        const size = 8 * MiB;
        const body = jsonBody(size, 'a', 256 * 1024, 2);
        await chunkedOverLimit(ctx, body, size, `an 8 MiB JSON body ({"name":"aaa…"}) chunked, without Content-Length, in 256 KiB pieces 2 ms apart`);
        await stillServing(ctx, 'the 8 MiB chunked body');
      },
    },
    {
      id: 'limit-counts-bytes',
      title: 'the limit counts bytes: {"name": 700,000 × "é"} is 1.4 MB (700,000 characters) and gets 413',
      async run(ctx) {
        const count = 700_000;
        const text = JSON.stringify({ name: 'é'.repeat(count) });
        const size = Buffer.byteLength(text);
        const parts = ctx.body.pieces(text, 64 * 1024, { pauseMs: 2 });
        await chunkedOverLimit(
          ctx,
          { parts },
          size,
          `{"name": 700,000 × "é"}: ${fmt(count + 11)} characters but ${fmt(size)} bytes, chunked, in 64 KiB pieces 2 ms apart`,
          'Count the bytes of each Buffer (chunk.length), not the characters of decoded text: "é" is two bytes.',
        );
        await stillServing(ctx, 'the 1.4 MB body');
      },
    },
  ],
} satisfies LessonChecks;

// ---- the oversized cases -----------------------------------------------------------

/**
 * Headers announcing 2 MiB and the first 1 KiB of the body; then we wait. A correct
 * server has answered 413 by then. A server still waiting gets the rest of the body,
 * and its answer to that names the pitfall.
 */
async function contentLengthOverLimit(ctx: CheckContext): Promise<void> {
  const size = 2 * MiB;
  const first = 1024;
  const body = Buffer.from(JSON.stringify({ name: 'a'.repeat(size - 11) }));
  const sentWhat = `POST /api/users with Content-Length: ${fmt(size)} (2 MiB)`;
  const seen = requestIds(ctx);
  const connection = await ctx.http.connect();
  try {
    let res: HttpResponse;
    try {
      res = await ctx.http.request('POST', '/api/users', {
        connection,
        keepOpen: true,
        body: [body.subarray(0, first)],
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(size) },
        timeoutMs: ANSWER_WITHIN_MS,
      });
    } catch (error) {
      if ((error as { reason?: unknown }).reason !== 'timeout') return await cutOff(ctx, error, `${sentWhat} and the first ${fmt(first)} bytes of the body`, seen);
      // No answer while the body was still missing: send the rest and see what comes.
      ctx.note(`no answer after ${ANSWER_WITHIN_MS / 1000} s with only ${fmt(first)} of ${fmt(size)} bytes sent: we send the rest of the body`);
      await connection.send([body.subarray(first)], () => false, ctx.signal);
      let late: Parsed;
      try {
        late = await connection.readResponse({ timeoutMs: 3000, signal: ctx.signal });
      } catch (lateError) {
        if ((lateError as { reason?: unknown }).reason === 'timeout') {
          ctx.fail('no-body-limit', `We sent ${sentWhat} and the first ${fmt(first)} bytes; nothing came back in ${ANSWER_WITHIN_MS / 1000} s, and after we sent all ${fmt(size)} bytes still no answer within 3 s. A Content-Length over 1,048,576 must get 413 {"error":"Payload too large"} straight away, before the body is read.`, await noLimitLocation(ctx));
        }
        return await cutOff(ctx, lateError, `${sentWhat}, waited ${ANSWER_WITHIN_MS / 1000} s for an answer, then sent the whole body`, seen);
      }
      const answer = await answerCall(ctx, seen);
      const serverHad = answer?.call.bodyBytesIn;
      if (late.status === 413 && serverHad !== undefined && serverHad < size) {
        // It did decide without the body, only slowly (a loaded machine): not this lesson's pitfall.
        ctx.note(`the 413 was written when the server had ${fmt(serverHad)} of ${fmt(size)} bytes, but reached us only after ${ANSWER_WITHIN_MS / 1000} s`);
        return;
      }
      if (late.status === 413) {
        ctx.fail(
          'limit-checked-after-end',
          `We sent ${sentWhat} and the first ${fmt(first)} bytes of the body; no answer came in ${ANSWER_WITHIN_MS / 1000} s. Only after we sent all ${fmt(size)} bytes did your server answer 413: it read the whole body before checking its size. The Content-Length header already says 2 MiB: compare req.headers['content-length'] with the limit before reading.`,
          await limitLocation(ctx, 'POST', '/api/users', answer?.call),
        );
      }
      ctx.fail(
        'no-body-limit',
        `We sent ${sentWhat} and the first ${fmt(first)} bytes of the body; no answer came in ${ANSWER_WITHIN_MS / 1000} s, and after we sent all ${fmt(size)} bytes your server answered ${late.status} ${lateText(late.body)}${late.status < 300 ? ': it read and accepted a body twice the limit' : ', not 413'}. Refuse a Content-Length over 1,048,576 with 413 {"error":"Payload too large"} before reading the body.`,
        late.status < 300 ? await noLimitLocation(ctx) : await callLocation(ctx, null, answer?.call),
      );
    }
    if (res.status !== 413) {
      ctx.fail(
        'no-body-limit',
        `We sent ${sentWhat} and the first ${fmt(first)} bytes of the body; your server answered ${res.status} ${bodyText(res)}, not 413: a body over 1,048,576 bytes must be refused with 413 {"error":"Payload too large"}.`,
        await callLocation(ctx, res),
      );
    }
    await expectJson(ctx, res, 413, TOO_LARGE);
  } finally {
    connection.destroy();
  }
}

/** A chunked body over the limit, sent in paced pieces while we read; the 413 must come while we send. */
async function chunkedOverLimit(ctx: CheckContext, body: { parts: BodyPart[] }, size: number, how: string, bytesHint = ''): Promise<void> {
  const seen = requestIds(ctx);
  let res: HttpResponse;
  try {
    res = await ctx.http.request('POST', '/api/users', {
      body: body.parts,
      chunked: true,
      readWhileSending: true,
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: 6000,
    });
  } catch (error) {
    return cutOff(ctx, error, `POST /api/users with ${how}`, seen);
  }
  const answer = await answerCall(ctx, seen);
  const serverHad = answer?.call.bodyBytesIn;
  if (res.status === 413) {
    const whileSending = !res.sentWholeBody || (serverHad !== undefined && serverHad < size);
    if (!whileSending) {
      ctx.fail(
        'limit-checked-after-end',
        `We sent POST /api/users with ${how}; your 413 came only after we had sent all ${fmt(size)} bytes${serverHad !== undefined ? ` (your server had read ${fmt(serverHad)} bytes when it wrote it)` : ''}: the size was checked once the whole body had been read and kept. Count the bytes in the 'data' listener and answer 413 as soon as the count passes 1,048,576.`,
        await limitLocation(ctx, 'POST', '/api/users', answer?.call),
      );
    }
    await expectJson(ctx, res, 413, TOO_LARGE);
    return;
  }
  await answeredEarly(ctx, res, seen, Math.min(size, LIMIT), how, answer);
  ctx.fail(
    'no-body-limit',
    res.status < 300
      ? `We sent POST /api/users with ${how}; your server read all of it and answered ${res.status} ${bodyText(res)}: nothing stopped a body over 1,048,576 bytes. ${bytesHint || 'Count the bytes in the \'data\' listener and answer 413 {"error":"Payload too large"} once the count passes the limit.'}`
      : `We sent POST /api/users with ${how}; your server answered ${res.status} ${bodyText(res)}, not 413 {"error":"Payload too large"}.`,
    res.status < 300 ? await noLimitLocation(ctx) : await callLocation(ctx, res),
  );
}

/**
 * The connection closed without a complete response: a crash goes back to the
 * engine (or json-parse-crash); a server that is still running cut it off, and
 * the client never saw a 413: body-limit-reset.
 */
async function cutOff(ctx: CheckContext, error: unknown, sentWhat: string, seen: Set<number>): Promise<never> {
  const reason = (error as { reason?: unknown }).reason;
  if (reason !== 'closed' && reason !== 'reset') throw error;
  const uncaught = await ctx.server.waitFor('uncaught', { timeoutMs: 400 });
  if (uncaught) {
    await ctx.program.waitForExit(1500);
    throw error;
  }
  const partial = (error as { partial?: { status: number } | null }).partial;
  const answer = await answerCall(ctx, seen, 200);
  const wrote413 = answer !== null && answerStatus(ctx, answer.req.id) === 413;
  const afterCut = wrote413 ? ' (your code did write a 413, but it never reached us)' : '';
  ctx.fail(
    'body-limit-reset',
    `We sent ${sentWhat}; your server cut the connection (${reason === 'reset' ? 'reset' : 'closed'}) ${partial ? `after only the status line and headers of a ${partial.status}` : 'and no 413 reached us'}${partial ? '' : afterCut}. Closing a socket that is still receiving resets it, and the reset throws away the answer. Send the 413 first, keep reading and discarding for a bounded time (req.resume()), and only then close.`,
    resetLocation(ctx, answer?.call ?? null),
  );
}

// ---- small bodies ---------------------------------------------------------------------

async function postSmall(ctx: CheckContext, text: string, parts: BodyPart[], how: string): Promise<HttpResponse> {
  const seen = requestIds(ctx);
  let res: HttpResponse;
  try {
    res = await ctx.http.request('POST', '/api/users', { body: parts, headers: { 'Content-Type': 'application/json' }, readWhileSending: true });
  } catch (error) {
    await jsonParseCrash(ctx, error, text);
    throw error;
  }
  const size = Buffer.byteLength(text);
  const answer = await answerCall(ctx, seen);
  const serverHad = answer?.call.bodyBytesIn;
  if (res.status !== 404 && res.status !== 405 && ((serverHad !== undefined && serverHad < size) || res.sentBeforeResponse < size)) {
    ctx.fail(
      'respond-before-body-end',
      `We sent POST /api/users with ${text}${how ? ` ${how}` : ''}; your server answered ${res.status} ${bodyText(res)} before the body's last chunk had arrived. Parse and answer in req.on('end').`,
      answer?.call.via?.[0] ?? answer?.call.at ?? null,
    );
  }
  return res;
}

/**
 * An answer other than 413 written before the server had `upTo` body bytes (the
 * limit, or the whole of a body within it): it could not have judged the body,
 * so it answered before reading it, lesson 04's respond-before-body-end (lesson
 * 15 reuses these checks), not a missing limit. Judged by the probe's count of
 * body bytes at the answer, else by what we had sent when the answer arrived.
 */
async function answeredEarly(ctx: CheckContext, res: HttpResponse, seen: Set<number>, upTo: number, how: string, known?: { call: ResponseCall } | null): Promise<void> {
  if (res.status === 413 || res.status === 404 || res.status === 405) return;
  const answer = known ?? (await answerCall(ctx, seen));
  const serverHad = answer?.call.bodyBytesIn;
  const early = serverHad !== undefined ? serverHad < upTo : res.sentBeforeResponse < upTo;
  if (!early) return;
  const had = serverHad !== undefined ? `when it had received ${fmt(serverHad)} bytes of the body` : `when we had sent only ${fmt(res.sentBeforeResponse)} bytes of the body`;
  ctx.fail(
    'respond-before-body-end',
    `We sent POST /api/users with ${how}; your server answered ${res.status} ${bodyText(res)} ${had}: it answered before the body's last chunk arrived. Parse and answer in req.on('end'), once the whole body is there.`,
    answer?.call.via?.[0] ?? answer?.call.at ?? null,
  );
}

/** A JSON.parse SyntaxError that killed the process: json-parse-crash (lesson 04's pitfall). */
async function jsonParseCrash(ctx: CheckContext, error: unknown, text: string): Promise<void> {
  const reason = (error as { reason?: unknown }).reason;
  if (reason !== 'closed' && reason !== 'reset' && reason !== 'refused') return;
  const uncaught = await ctx.server.waitFor('uncaught', { timeoutMs: 400 });
  if (!uncaught) return;
  await ctx.program.waitForExit(1500);
  if (isJsonParseError(uncaught)) {
    ctx.fail(
      'json-parse-crash',
      `We sent POST /api/users with ${JSON.stringify(text)}; JSON.parse threw ${uncaught.name}: ${uncaught.message}, nothing caught it, and your server crashed. Parse inside try/catch and answer 400 {"error":"Invalid JSON"}.`,
      uncaught.at,
    );
  }
}

function isJsonParseError(error: UncaughtEvent): boolean {
  return error.name === 'SyntaxError' && /JSON\.parse/.test(error.stack ?? '');
}

// ---- requests -------------------------------------------------------------------------

/** A large POST read while sending; a cut connection is diagnosed like the oversized ones. */
async function big(ctx: CheckContext, parts: BodyPart[], options: { chunked: boolean; timeoutMs: number; how: string }): Promise<HttpResponse> {
  const seen = requestIds(ctx);
  try {
    return await ctx.http.request('POST', '/api/users', {
      body: parts,
      chunked: options.chunked,
      readWhileSending: true,
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: options.timeoutMs,
    });
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    if (reason === 'closed' || reason === 'reset') {
      const uncaught = await ctx.server.waitFor('uncaught', { timeoutMs: 400 });
      if (uncaught) await ctx.program.waitForExit(1500);
      else {
        const answer = await answerCall(ctx, seen, 200);
        ctx.fail('wrong-status', `We sent POST /api/users with ${options.how}, which is within the limit; your server cut the connection without a complete answer.`, resetLocation(ctx, answer?.call ?? null));
      }
    }
    throw error;
  }
}

async function get(ctx: CheckContext, target: string): Promise<HttpResponse> {
  return ctx.http.request('GET', target);
}

/** After an oversized request, on a new connection: GET /api/users/1 still works. */
async function stillServing(ctx: CheckContext, after: string): Promise<void> {
  ctx.note(`a new connection: the server must still answer after ${after}`);
  const res = await get(ctx, '/api/users/1');
  await expectJson(ctx, res, 200, ALICE);
}

async function currentUsers(ctx: CheckContext): Promise<Array<{ id: number }>> {
  const res = await get(ctx, '/api/users');
  await expectJson(ctx, res, 200);
  if (!Array.isArray(res.json)) ctx.fail('wrong-body', `We sent GET /api/users; expected a JSON array of users, got ${bodyText(res)}.`, null);
  return res.json as Array<{ id: number }>;
}

function nextId(users: Array<{ id: number }>): number {
  return Math.max(2, ...users.map((user) => (typeof user.id === 'number' ? user.id : 0))) + 1;
}

/**
 * {"name":"<fill…>"} of exactly `size` bytes, as generated parts: pieces of
 * `pieceBytes` with `pauseMs` between them (one run when no pieces are asked for).
 */
function jsonBody(size: number, fill: string, pieceBytes = 0, pauseMs = 0): { parts: BodyPart[]; name: string } {
  const nameBytes = size - '{"name":""}'.length;
  const parts: BodyPart[] = ['{"name":"'];
  if (pieceBytes <= 0) parts.push({ size: nameBytes, fill });
  else {
    for (let left = nameBytes; left > 0; left -= pieceBytes) {
      parts.push({ size: Math.min(pieceBytes, left), fill });
      if (left > pieceBytes) parts.push({ pauseMs });
    }
  }
  parts.push('"}');
  return { parts, name: pieceBytes <= 0 ? fill.repeat(nameBytes) : '' };
}

// ---- expectations ---------------------------------------------------------------------

async function expectJson(ctx: CheckContext, res: HttpResponse, status: number, body?: unknown): Promise<void> {
  try {
    const expectation = ctx.expect(res).status(status).contentType('application/json');
    if (body !== undefined) expectation.json(body);
  } catch (error) {
    const failure = error as { pitfall?: unknown; message?: unknown };
    if (typeof failure.pitfall === 'string' && typeof failure.message === 'string') ctx.fail(failure.pitfall, failure.message, await callLocation(ctx, res));
    throw error;
  }
}

// ---- probe look-ups -----------------------------------------------------------------

function requestIds(ctx: CheckContext): Set<number> {
  return new Set(ctx.server.eventsOf('req').map((event) => event.id));
}

/** Our POST's request event and its first write/end call (the first bytes of the answer). */
async function answerCall(ctx: CheckContext, seen: Set<number>, waitMs = 500): Promise<{ req: ReqEvent; call: ResponseCall } | null> {
  const isOurs = (event: ReqEvent) => event.method === 'POST' && event.url === '/api/users' && !seen.has(event.id);
  const req = ctx.server.eventsOf('req').find(isOurs) ?? (await ctx.server.waitFor('req', { timeoutMs: waitMs, where: isOurs }));
  if (!req) return null;
  const call = await ctx.server.waitFor('call', { timeoutMs: waitMs, where: (event) => event.id === req.id && (event.fn === 'write' || event.fn === 'end') });
  return call ? { req, call } : null;
}

/** The status the server chose for request `id` (writeHead or statusCode), if it chose one. */
function answerStatus(ctx: CheckContext, id: number): number | undefined {
  const calls = ctx.server.eventsOf('call').filter((call) => call.id === id && (call.fn === 'writeHead' || call.fn === 'statusCode'));
  return calls.pop()?.status;
}

// ---- locations ------------------------------------------------------------------------

function framesOf(call: { at: Location | null; via?: Location[] } | null | undefined): Location[] {
  return call?.at ? [call.at, ...(call.via ?? [])] : [];
}

function lines(ctx: CheckContext): string[] {
  return ctx.source.text.split('\n');
}

function isComment(line: string, column = 1): boolean {
  return /^\s*(\/\/|\*|\/\*)/.test(line) || /(^|[^:])\/\//.test(line.slice(0, column - 1));
}

/** From the frames of a call, the nearest line at or above one of them (within `reach`) matching `pattern`. */
function above(ctx: CheckContext, frames: Location[], pattern: RegExp, reach: number): Location | null {
  const all = lines(ctx);
  for (const frame of frames.filter((f) => f.file === ctx.server.file)) {
    for (let line = frame.line; line >= Math.max(1, frame.line - reach); line--) {
      const text = all[line - 1] ?? '';
      const match = pattern.exec(text);
      if (match && !isComment(text, match.index + 1)) return { file: frame.file, line, column: match.index + 1 };
    }
  }
  return null;
}

/** The learner's line that chose the response's status (a helper's caller when the helper is shared). */
async function callLocation(ctx: CheckContext, res: HttpResponse | null, call?: ResponseCall): Promise<Location | null> {
  const record = res ? ctx.server.request({ method: res.request.method, url: (url) => url === res.request.target }) : undefined;
  const calls = record?.calls.filter((c) => !c.nested && c.at) ?? [];
  const statusCall = calls.filter((c) => (c.fn === 'writeHead' || c.fn === 'statusCode') && (!res || c.status === res.status)).pop() ?? call;
  const frames = framesOf(statusCall).filter((frame) => frame.file === ctx.server.file);
  const status = res?.status ?? statusCall?.status;
  return frames.find((frame) => status !== undefined && new RegExp(`\\b${status}\\b`).test(lines(ctx)[frame.line - 1] ?? '')) ?? frames[0] ?? record?.lastCallAt ?? null;
}

/** The size test that led to a 413: the `if` comparing a count with the limit just above the 413's line. */
async function limitLocation(ctx: CheckContext, method: string, target: string, call?: ResponseCall): Promise<Location | null> {
  const record = ctx.server.request({ method, url: (url) => url === target });
  const statusCall = record?.calls.filter((c) => !c.nested && c.at && (c.fn === 'writeHead' || c.fn === 'statusCode') && c.status === 413).pop() ?? call;
  const frames = framesOf(statusCall);
  return (
    above(ctx, frames, /\bif\s*\(.*(>=?|<=?)/, 4) ??
    frames.find((frame) => frame.file === ctx.server.file && /\b413\b/.test(lines(ctx)[frame.line - 1] ?? '')) ??
    sizeTestNear413(ctx) ??
    frames[0] ??
    null
  );
}

/**
 * When the 413 goes through more helpers than the probe's frames reach (lesson
 * 15: next(new HttpError(413, …)) in a body-parser middleware, answered by the
 * framework's error handler), the `if` comparing a size just above a 413 in the code.
 */
function sizeTestNear413(ctx: CheckContext): Location | null {
  const all = lines(ctx);
  for (const at413 of ctx.source.findAll(/\b413\b/)) {
    if (isComment(all[at413.line - 1] ?? '', at413.column)) continue;
    const found = above(ctx, [at413], /\bif\s*\(.*(>=?|<=?)/, 4);
    if (found) return found;
  }
  return null;
}

/** Where the body is collected without a limit: the line in the 'data' listener (or for-await loop) that keeps a chunk. */
async function noLimitLocation(ctx: CheckContext): Promise<Location | null> {
  const all = lines(ctx);
  // Every body reader, in order; the first that keeps chunks wins. A listener that only
  // counts (`drained += chunk.length`, a drain after a 413) keeps nothing.
  const starts = [...ctx.source.findAll(/\.on\(\s*['"]data['"]|\.addListener\(\s*['"]data['"]/), ...ctx.source.findAll(/for\s+await\s*\(/)];
  for (const start of starts) {
    for (let line = start.line; line <= Math.min(all.length, start.line + 8); line++) {
      const text = all[line - 1] ?? '';
      const match = /\.push\s*\(|\+=(?![^;\n]*\.(?:byte)?[lL]ength\b)/.exec(text);
      if (match && !isComment(text, match.index + 1)) return { file: start.file, line, column: match.index + 1 };
    }
  }
  return starts[0] ?? null;
}

/** Where the connection is cut: a destroy() just above the 413's line, else the first destroy() in the code. */
function resetLocation(ctx: CheckContext, call: ResponseCall | null): Location | null {
  // A destroy of the request or its socket first: in lesson 15's framework the 413
  // goes through several helpers, and the nearest destroy above them is an error
  // handler's res.destroy(), not the line that cut the upload.
  const cutsUpload = /\b(req|request|socket)\b[\w.]*\.destroy\s*\(/;
  return above(ctx, framesOf(call), cutsUpload, 8) ?? ctx.source.find(cutsUpload) ?? above(ctx, framesOf(call), /\.destroy\s*\(/, 8) ?? ctx.source.find(/\b(res|response)\b[\w.]*\.destroy\s*\(/) ?? ctx.source.find(/\.destroy\s*\(/);
}

// ---- text ------------------------------------------------------------------------------

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function lateText(body: Buffer): string {
  try {
    const user = JSON.parse(body.toString('utf8')) as { id?: unknown; name?: unknown };
    if (typeof user?.name === 'string' && user.name.length > 40) return `{"id":${JSON.stringify(user.id)},"name":"${user.name.slice(0, 12)}…"} (a name of ${fmt(user.name.length)} characters)`;
  } catch {
    // not JSON: shown as text
  }
  return preview(body);
}

function preview(body: Buffer): string {
  const text = body.subarray(0, 200).toString('utf8');
  return text === '' ? '(empty body)' : text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** The answer's body for a message; a created user with a huge name is summarised. */
function bodyText(res: HttpResponse): string {
  const user = res.json as { id?: unknown; name?: unknown } | undefined;
  if (user && typeof user === 'object' && typeof user.name === 'string' && user.name.length > 40) {
    return `{"id":${JSON.stringify(user.id)},"name":"${user.name.slice(0, 12)}…"} (a name of ${fmt(user.name.length)} characters)`;
  }
  return preview(res.body);
}
