// Lesson 04: lesson 03's API plus POST /api/users. A JSON body {"name": <string>}
// creates a user (201, ids 3, 4, …) that the GET routes then serve; invalid JSON
// gets 400 {"error":"Invalid JSON"}, valid JSON without a non-empty string name
// 400 {"error":"Invalid user"}; the server keeps serving after every bad request;
// Allow is "GET, POST" on /api/users and "GET" on /api/users/:id.
//
// Every body is sent in several writes with pauses between them, the way a real
// network delivers it, and read back while we are still sending. Two pieces of
// evidence say a server answered before the body was complete, and either is
// enough: the response reached us before we had sent the last byte, or the probe
// saw the answer written when the server had received fewer body bytes than we
// sent (`bodyBytesIn` on the write/end call). Both are facts, not timing guesses.
//
// Not sent on purpose: whitespace-only names, extra fields (they may be dropped).
import type { BodyPart, CheckContext, HttpResponse, LessonChecks, Location, ProbeEvent, ResponseCall } from 'httpdojo/check';

type ReqEvent = Extract<ProbeEvent, { t: 'req' }>;
type UncaughtEvent = Extract<ProbeEvent, { t: 'uncaught' }>;

const ALICE = { id: 1, name: 'Alice' };
const BOB = { id: 2, name: 'Bob' };
const NOT_FOUND = { error: 'Not found' };
const NOT_ALLOWED = { error: 'Method not allowed' };
const INVALID_JSON = { error: 'Invalid JSON' };
const INVALID_USER = { error: 'Invalid user' };
const ZOE = 'Zoë 😀';

export default {
  checks: [
    {
      id: 'lesson-3-routes',
      title: "lesson 3's routes still work: GET /api/users lists Alice and Bob, /api/users/2 is Bob, unknown ids and paths get 404",
      async run(ctx) {
        await expectJson(ctx, await get(ctx, '/api/users'), 200, [ALICE, BOB]);
        await expectJson(ctx, await get(ctx, '/api/users/2'), 200, BOB);
        await expectJson(ctx, await get(ctx, '/api/users/99'), 404, NOT_FOUND);
        await expectJson(ctx, await get(ctx, '/api/users/abc'), 404, NOT_FOUND);
        await expectJson(ctx, await get(ctx, '/nope'), 404, NOT_FOUND);
      },
    },
    {
      id: 'post-creates-user',
      title: 'POST /api/users with {"name":"Carol"}, sent in pieces, gets 201 {"id":3,"name":"Carol"}, and GET serves the new user',
      async run(ctx) {
        const before = await currentUsers(ctx);
        const text = JSON.stringify({ name: 'Carol' });
        const sent: Sent = { text, parts: ctx.body.pieces(text, 6, { pauseMs: 30 }), how: 'in 6-byte pieces 30 ms apart' };
        const res = await post(ctx, sent);
        const expected = { id: nextId(before), name: 'Carol' };
        await expectJson(ctx, res, 201, expected, sent);
        await expectJson(ctx, await get(ctx, `/api/users/${expected.id}`), 200, expected);
        await expectJson(ctx, await get(ctx, '/api/users'), 200, [...before, expected]);
      },
    },
    {
      id: 'post-multibyte-split',
      title: 'a name with multi-byte characters ("Zoë 😀") arrives intact when the body is cut inside a character',
      async run(ctx) {
        const before = await currentUsers(ctx);
        const text = JSON.stringify({ name: ZOE });
        // Four cuts: the bug hides only if the server reads none of them on its own,
        // i.e. if it was stalled for the whole 200 ms.
        const sent: Sent = { text, parts: cutInside(text, ['ë', '😀'], 50), how: "in five writes 50 ms apart, cut inside 'ë' and between each byte of '😀'" };
        const res = await post(ctx, sent);
        const created = res.json as { name?: unknown } | undefined;
        if (res.status === 201 && typeof created?.name === 'string' && created.name !== ZOE) {
          await brokenName(ctx, sent, created.name, 'your 201 answer says');
        }
        const expected = { id: nextId(before), name: ZOE };
        await expectJson(ctx, res, 201, expected, sent);
        const stored = await get(ctx, `/api/users/${expected.id}`);
        const storedName = (stored.json as { name?: unknown } | undefined)?.name;
        if (stored.status === 200 && typeof storedName === 'string' && storedName !== ZOE) {
          await brokenName(ctx, sent, storedName, `GET /api/users/${expected.id} then gives`);
        }
        await expectJson(ctx, stored, 200, expected);
      },
    },
    {
      id: 'invalid-json-400',
      title: 'a body that is not valid JSON gets 400 {"error":"Invalid JSON"}, and the server keeps serving',
      async run(ctx) {
        const bodies = ['not json', '{"name": "Dave"', ''];
        for (const text of bodies) {
          const sent: Sent = text === ''
            ? { text, parts: [], how: 'with an empty body (Content-Length: 0)' }
            : { text, parts: ctx.body.pieces(text, 5, { pauseMs: 20 }), how: 'in 5-byte pieces 20 ms apart' };
          const res = await post(ctx, sent, { headers: text === '' ? { 'Content-Length': '0' } : {} });
          await expectJson(ctx, res, 400, INVALID_JSON, sent);
          await stillServing(ctx, sent);
        }
      },
    },
    {
      id: 'invalid-user-400',
      title: 'valid JSON without a non-empty string "name" ({"name":""}, {"name":42}, {}, null, [], "Carol") gets 400 {"error":"Invalid user"}',
      async run(ctx) {
        const bodies = ['{"name":""}', '{"name":42}', '{"nom":"Carol"}', 'null', '[]', '"Carol"'];
        for (const text of bodies) {
          const sent: Sent = { text, parts: ctx.body.pieces(text, 4, { pauseMs: 15 }), how: 'in 4-byte pieces 15 ms apart' };
          const res = await post(ctx, sent);
          await expectJson(ctx, res, 400, INVALID_USER, sent);
        }
        await stillServing(ctx, { text: bodies.join(', '), parts: [], how: '' });
      },
    },
    {
      id: 'method-not-allowed',
      title: 'other methods get 405 {"error":"Method not allowed"}: Allow: GET, POST on /api/users, Allow: GET on /api/users/:id',
      async run(ctx) {
        const attempts: Array<[string, string, string, string?]> = [
          ['PUT', '/api/users', 'GET, POST', '{"name":"Carol"}'],
          ['DELETE', '/api/users', 'GET, POST'],
          ['POST', '/api/users/1', 'GET', '{"name":"Carol"}'],
          ['DELETE', '/api/users/2', 'GET'],
        ];
        for (const [method, target, allow, body] of attempts) {
          const res = await request(ctx, method, target, body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } });
          await expectJson(ctx, res, 405, NOT_ALLOWED);
          const got = res.headers.allow;
          const names = (value: string | undefined) => (value ?? '').split(',').map((name) => name.trim().toUpperCase()).filter(Boolean).sort().join(', ');
          if (names(got) !== names(allow)) {
            // The probe's report of the calls can trail the response by a few ms (seen
            // under load in lesson 15): wait for it, so the location is never missing.
            await ctx.server.recordOf(res);
            ctx.fail(
              got === undefined ? 'missing-allow-header' : 'wrong-header',
              got === undefined
                ? `We sent ${method} ${target}; you answered 405 with no Allow header, but a 405 must list the methods the resource supports: Allow: ${allow}.`
                : `We sent ${method} ${target}; you answered 405 with Allow: ${got}, but ${target} supports ${allow === 'GET' ? 'only GET' : 'GET and POST'} now: Allow: ${allow}.`,
              allowLocation(ctx, method, target),
            );
          }
        }
      },
    },
  ],
} satisfies LessonChecks;

// ---- sending -------------------------------------------------------------------

interface Sent {
  text: string;
  parts: BodyPart[];
  /** Method and target, when not POST /api/users. */
  request?: string;
  /** How the body went out, for messages: "in 6-byte pieces 30 ms apart". */
  how: string;
}

/**
 * POSTs a JSON body to /api/users and reads the answer while still sending.
 * An answer written before the whole body had arrived is respond-before-body-end,
 * whatever it says; a crash from JSON.parse is json-parse-crash.
 */
async function post(ctx: CheckContext, sent: Sent, options: { headers?: Record<string, string> } = {}): Promise<HttpResponse> {
  const seen = new Set(ctx.server.eventsOf('req').map((event) => event.id));
  let res: HttpResponse;
  try {
    res = await ctx.http.request('POST', '/api/users', {
      body: sent.parts,
      headers: { 'Content-Type': 'application/json', ...options.headers },
      readWhileSending: true,
    });
  } catch (error) {
    return noAnswer(ctx, sent, error);
  }
  const size = Buffer.byteLength(sent.text);
  const answer = await answerCall(ctx, 'POST', '/api/users', seen);
  const serverHad = answer?.call.bodyBytesIn;
  const early = (serverHad !== undefined && serverHad < size) || res.sentBeforeResponse < size;
  // A 404 or 405 says the route is missing (the starter): that is a wrong status,
  // not a handler that answered too soon.
  if (early && res.status !== 404 && res.status !== 405) {
    const had = serverHad !== undefined && serverHad < size
      ? `when it had received ${serverHad} of the body's ${size} bytes`
      : `when we had sent only ${res.sentBeforeResponse} of the body's ${size} bytes`;
    ctx.fail(
      'respond-before-body-end',
      `We sent POST /api/users with ${shown(sent.text)} ${sent.how}; your server answered ${res.status} ${bodyText(res)} ${had}: it answered before the body's last chunk arrived. Parse and answer in req.on('end'), once the whole body is there.`,
      earlyAnswerLocation(ctx, answer?.call ?? null),
    );
  }
  return res;
}

/** GET that diagnoses a hang or a crash like every other request of this lesson. */
async function get(ctx: CheckContext, target: string): Promise<HttpResponse> {
  return request(ctx, 'GET', target);
}

async function request(ctx: CheckContext, method: string, target: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
  try {
    return await ctx.http.request(method, target, options);
  } catch (error) {
    return noAnswer(ctx, { text: options.body ?? '', parts: [], how: '', request: `${method} ${target}` }, error);
  }
}

/**
 * No complete response. A JSON.parse SyntaxError that killed the process is
 * json-parse-crash; anything else goes back to the engine (crash, missing-res-end,
 * timeout), after the process has been given a moment to be seen exiting.
 */
async function noAnswer(ctx: CheckContext, sent: Sent, error: unknown): Promise<never> {
  const reason = (error as { reason?: unknown }).reason;
  if (reason === 'closed' || reason === 'reset' || reason === 'refused') {
    const uncaught = await ctx.server.waitFor('uncaught', { timeoutMs: 400 });
    if (uncaught) await ctx.program.waitForExit(1500);
    if (uncaught && isJsonParseError(uncaught) && isJson(sent.text) && sent.parts.length > 1) {
      // Valid JSON cannot make JSON.parse throw, a piece of it can: the body was
      // parsed before it was complete (in the first 'data' event, typically).
      ctx.fail(
        'respond-before-body-end',
        `We sent POST /api/users with ${sent.text} ${sent.how}; JSON.parse threw ${uncaught.name}: ${uncaught.message}, and your server crashed: it parsed the body before its last chunk had arrived. Collect the chunks and parse in req.on('end').`,
        uncaught.at ?? ctx.source.find(/JSON\.parse\s*\(/),
      );
    }
    if (uncaught && isJsonParseError(uncaught)) {
      ctx.fail(
        'json-parse-crash',
        `We sent ${sent.request ?? 'POST /api/users'} with ${shown(sent.text)}${sent.how ? ` ${sent.how}` : ''}; JSON.parse threw ${uncaught.name}: ${uncaught.message}, nothing caught it, and your server crashed: every other client lost it too. Parse inside try/catch and answer 400 {"error":"Invalid JSON"}.`,
        uncaught.at ?? ctx.source.find(/JSON\.parse\s*\(/),
      );
    }
  }
  throw error;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A body as it appears in a message: JSON as written, anything else quoted. */
function shown(text: string): string {
  if (text === '') return 'an empty body';
  return isJson(text) ? text : JSON.stringify(text);
}

function isJsonParseError(error: UncaughtEvent): boolean {
  return error.name === 'SyntaxError' && /JSON\.parse/.test(error.stack ?? '');
}

/** After a bad request: a plain GET must still get its answer. */
async function stillServing(ctx: CheckContext, sent: Sent): Promise<void> {
  let res: HttpResponse;
  try {
    res = await ctx.http.request('GET', '/api/users/1');
  } catch (error) {
    const uncaught = await ctx.server.waitFor('uncaught', { timeoutMs: 400 });
    if (uncaught) await ctx.program.waitForExit(1500);
    if (uncaught && isJsonParseError(uncaught)) {
      ctx.fail(
        'json-parse-crash',
        `We sent POST /api/users with ${shown(sent.text)}; JSON.parse threw ${uncaught.name}: ${uncaught.message} and your server crashed, so the next request (GET /api/users/1) got no answer. Parse inside try/catch.`,
        uncaught.at ?? ctx.source.find(/JSON\.parse\s*\(/),
      );
    }
    throw error;
  }
  await expectJson(ctx, res, 200, ALICE);
}

/** The users the server lists now (ids decide the next id). */
async function currentUsers(ctx: CheckContext): Promise<Array<{ id: number; name: string }>> {
  const res = await get(ctx, '/api/users');
  await expectJson(ctx, res, 200);
  if (!Array.isArray(res.json)) ctx.fail('wrong-body', `We sent GET /api/users; expected a JSON array of users, got ${bodyText(res)}.`, null);
  return res.json as Array<{ id: number; name: string }>;
}

function nextId(users: Array<{ id: number }>): number {
  return Math.max(2, ...users.map((user) => (typeof user.id === 'number' ? user.id : 0))) + 1;
}

/** `text` as writes cut between every byte of each of the given multi-byte characters, `pauseMs` apart. */
function cutInside(text: string, characters: string[], pauseMs: number): BodyPart[] {
  const bytes = Buffer.from(text, 'utf8');
  const cuts = characters
    .flatMap((character) => {
      const start = Buffer.byteLength(text.slice(0, text.indexOf(character)));
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

async function brokenName(ctx: CheckContext, sent: Sent, got: string, where: string): Promise<never> {
  const replaced = [...got].filter((character) => character === '\uFFFD').length;
  if (replaced > 0) {
    ctx.fail(
      'string-concat-chunks',
      `We sent POST /api/users with ${sent.text} ${sent.how}; ${where} the name is ${JSON.stringify(got)}: ${replaced} replacement character${replaced === 1 ? '' : 's'} (U+FFFD) where the split characters were. Each Buffer was decoded on its own; join them with Buffer.concat(chunks) and decode once, or call req.setEncoding('utf8') first.`,
      concatLocation(ctx),
    );
  }
  ctx.fail('wrong-body', `We sent POST /api/users with ${sent.text} ${sent.how}; ${where} the name is ${JSON.stringify(got)}, expected ${JSON.stringify(ZOE)}.`, null);
}

// ---- expectations ----------------------------------------------------------------

/** Status, JSON media type and (when given) body; the location is the learner's call that chose it. */
async function expectJson(ctx: CheckContext, res: HttpResponse, status: number, body?: unknown, sent?: Sent): Promise<void> {
  const expectation = ctx.expect(res);
  try {
    expectation.status(status).contentType('application/json');
    if (body !== undefined) expectation.json(body);
  } catch (error) {
    const failure = error as { pitfall?: unknown; message?: unknown };
    if (sent && typeof failure.message === 'string' && typeof failure.pitfall === 'string') {
      // The engine's message shows the body as one string; say how it travelled.
      const how = sent.how ? ` (${sent.how})` : '';
      const message = failure.message.replace(/^We sent ([^;]*);/, (whole, what: string) => `We sent ${what}${how};`);
      ctx.fail(failure.pitfall, message, await callLocation(ctx, res));
    }
    throw error;
  }
}

/** Of the calls that made the response, the learner's line that chose the status (helpers are looked through). */
async function callLocation(ctx: CheckContext, res: HttpResponse): Promise<Location | null> {
  const record = ctx.server.request({ method: res.request.method, url: (url) => url === res.request.target });
  if (!record) return null;
  const calls = record.calls.filter((call) => !call.nested && call.at);
  const statusCall = calls.filter((call) => (call.fn === 'writeHead' || call.fn === 'statusCode') && call.status === res.status).pop();
  const frames = statusCall ? framesOf(statusCall) : [];
  const chose = frames.find((frame) => frame.file === ctx.server.file && new RegExp(`\\b${res.status}\\b`).test(lineText(ctx, frame)));
  return chose ?? frames[0] ?? record.lastCallAt;
}

// ---- probe look-ups ---------------------------------------------------------------

/**
 * The request's first write/end call (the first bytes of the answer), once the
 * probe has reported it. `seen` holds request ids that existed before we sent.
 */
async function answerCall(ctx: CheckContext, method: string, target: string, seen: Set<number>): Promise<{ req: ReqEvent; call: ResponseCall } | null> {
  const isOurs = (event: ReqEvent) => event.method === method && event.url === target && !seen.has(event.id);
  const req = ctx.server.eventsOf('req').find(isOurs) ?? (await ctx.server.waitFor('req', { timeoutMs: 500, where: isOurs }));
  if (!req) return null;
  const call = await ctx.server.waitFor('call', { timeoutMs: 500, where: (event) => event.id === req.id && (event.fn === 'write' || event.fn === 'end') });
  return call ? { req, call } : null;
}

// ---- locations ------------------------------------------------------------------

function framesOf(call: { at: Location | null; via?: Location[] }): Location[] {
  return call.at ? [call.at, ...(call.via ?? [])] : [];
}

function lines(ctx: CheckContext): string[] {
  return ctx.source.text.split('\n');
}

function lineText(ctx: CheckContext, location: Location): string {
  return lines(ctx)[location.line - 1] ?? '';
}

function isComment(line: string, column = 1): boolean {
  return /^\s*(\/\/|\*|\/\*)/.test(line) || /(^|[^:])\/\//.test(line.slice(0, column - 1));
}

/**
 * Where an early answer came from. Usually the body was taken as a whole right
 * after the 'data' listener was attached (before any data arrived): from the
 * answer's frames, the nearest line above that joins or parses the body, unless
 * a 'end' listener lies in between. Else the learner's line that answered.
 */
function earlyAnswerLocation(ctx: CheckContext, call: ResponseCall | null): Location | null {
  const all = lines(ctx);
  const frames = call ? framesOf(call).filter((frame) => frame.file === ctx.server.file) : [];
  for (const pattern of [/Buffer\.concat\s*\(|\.join\(\s*['"]{2}\s*\)/, /JSON\.parse\s*\(/]) {
    for (const frame of frames) {
      for (let line = frame.line; line >= Math.max(1, frame.line - 25); line--) {
        const text = all[line - 1] ?? '';
        if (line !== frame.line && /\.on\(\s*['"]end['"]|\.once\(\s*['"]end['"]/.test(text)) break;
        const match = pattern.exec(text);
        if (match && !isComment(text, match.index + 1)) return { file: frame.file, line, column: match.index + 1 };
      }
    }
  }
  return takenAfterDataListener(ctx) ?? frames[1] ?? frames[0] ?? call?.at ?? ctx.source.find(/\.on\(\s*['"]data['"]/);
}

/**
 * When the answer went through more helpers than the probe's frames reach (lesson
 * 15's framework: the body parser is a middleware several calls below the
 * response), the same look from the other side: a line that joins or parses the
 * body soon after a 'data' listener is attached, with no 'end' listener between.
 */
function takenAfterDataListener(ctx: CheckContext): Location | null {
  const all = lines(ctx);
  for (const start of ctx.source.findAll(/\.on\(\s*['"]data['"]/)) {
    for (let line = start.line + 1; line <= Math.min(all.length, start.line + 15); line++) {
      const text = all[line - 1] ?? '';
      if (/\.on\(\s*['"]end['"]|\.once\(\s*['"]end['"]/.test(text)) break;
      const match = /Buffer\.concat\s*\(|\.join\(\s*['"]{2}\s*\)|JSON\.parse\s*\(/.exec(text);
      if (match && !isComment(text, match.index + 1)) return { file: start.file, line, column: match.index + 1 };
    }
  }
  return null;
}

/** Where chunks are turned into text one at a time: the `+=` in the 'data' listener (or for-await loop). */
function concatLocation(ctx: CheckContext): Location | null {
  const all = lines(ctx);
  for (const start of [ctx.source.find(/\.on\(\s*['"]data['"]|\.addListener\(\s*['"]data['"]/), ctx.source.find(/for\s+await\s*\(/)]) {
    if (!start) continue;
    // 12 lines: a listener that first counts bytes against a limit (lesson 15) is longer.
    for (let line = start.line; line <= Math.min(all.length, start.line + 12); line++) {
      const text = all[line - 1] ?? '';
      const match = /\+=|=\s*\w+\s*\+\s*\w+|\.toString\(\s*\)|\.toString\(\s*['"]utf-?8['"]\s*\)/.exec(text);
      // `size += chunk.length` counts bytes (a body limit, lesson 15): not where the text is built.
      if (match && /\+=\s*[\w.]*\.(length|byteLength)\b/.test(text)) continue;
      if (match && !isComment(text, match.index + 1)) return { file: start.file, line, column: match.index + 1 };
    }
    return start;
  }
  return ctx.source.find(/\+=\s*\w*(chunk|piece|part|data|buf)/i);
}

/** Where the 405's Allow header is written, else where 405 is chosen. */
function allowLocation(ctx: CheckContext, method: string, target: string): Location | null {
  const record = ctx.server.request({ method, url: (url) => url === target });
  const calls = record?.calls.filter((call) => !call.nested && call.at) ?? [];
  const setsAllow = calls.find((call) =>
    (call.fn === 'setHeader' && String(call.name).toLowerCase() === 'allow') ||
    (call.fn === 'writeHead' && JSON.stringify(call.headers ?? {}).toLowerCase().includes('"allow"')));
  const setsStatus = calls.find((call) => (call.fn === 'writeHead' || call.fn === 'statusCode') && call.status === 405);
  const frames = framesOf(setsAllow ?? setsStatus ?? { at: null });
  return (
    frames.find((frame) => frame.file === ctx.server.file && /allow/i.test(lineText(ctx, frame)) && /GET/.test(lineText(ctx, frame))) ??
    frames.find((frame) => frame.file === ctx.server.file && /\b405\b/.test(lineText(ctx, frame))) ??
    ctx.source.find(/['"]?Allow['"]?\s*[:,]/) ??
    frames[0] ??
    record?.lastCallAt ??
    null
  );
}

function bodyText(res: HttpResponse): string {
  const text = res.text.length > 120 ? `${res.text.slice(0, 120)}…` : res.text;
  return text === '' ? '(empty body)' : text;
}
