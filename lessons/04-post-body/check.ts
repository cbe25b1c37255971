// Lesson 04: lesson 03's API plus POST /api/users. A JSON body {"name": <string>}
// creates a user (201, ids 3, 4, …) that the GET routes then serve; invalid JSON
// gets 400 {"error":"Invalid JSON"}, valid JSON without a non-empty string name
// 400 {"error":"Invalid user"}; the server keeps serving after every bad request;
// Allow is "GET, POST" on /api/users and "GET" on /api/users/:id.
//
// Every body is sent in several writes with pauses between them, the way a real
// network delivers it, and read back while we are still sending. The server
// answered before the body was complete when the probe saw the answer written with
// fewer body bytes in than we sent (`bodyBytesIn`), or, without that report, when
// the answer reached us before our last byte left: facts, not timing guesses.
//
// Not sent on purpose: whitespace-only names, extra fields (they may be dropped).
//
// mutant host-url-base#1: out of contract: only lesson 02's task says an empty or malformed Host must be answered; lesson 03's API, which this lesson extends, does not, and no check sends one
import { handSplitLine, type BodyPart, type CheckContext, type HttpResponse, type LessonChecks } from 'httpdojo/check';

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
        const routes: Array<[string, number, unknown]> = [['/api/users', 200, [ALICE, BOB]], ['/api/users/2', 200, BOB], ['/api/users/99', 404, NOT_FOUND], ['/api/users/abc', 404, NOT_FOUND], ['/nope', 404, NOT_FOUND]];
        for (const [target, status, body] of routes) await ctx.json.expect(await ctx.http.request('GET', target), status, body);
      },
    },
    {
      id: 'post-creates-user',
      title: 'POST /api/users with {"name":"Carol"}, sent in pieces, gets 201 {"id":3,"name":"Carol"}, and GET serves the new user; POST /api/users?source=form creates one too',
      async run(ctx) {
        const before = await ctx.json.list<{ id: number }>('/api/users');
        const expected = { id: Math.max(2, ...before.map((user) => Number(user.id) || 0)) + 1, name: 'Carol' };
        const text = JSON.stringify({ name: 'Carol' });
        await post(ctx, text, ctx.body.pieces(text, 6, { pauseMs: 30 }), 'in 6-byte pieces 30 ms apart', 201, expected);
        await ctx.json.expect(await ctx.http.request('GET', `/api/users/${expected.id}`), 200, expected);
        await ctx.json.expect(await ctx.http.request('GET', '/api/users'), 200, [...before, expected]);
        // A query string never changes routing (lesson 03's rule, which this API keeps), POST included.
        const dave = { id: expected.id + 1, name: 'Dave' };
        const queried = await ctx.http.request('POST', '/api/users?source=form', { body: JSON.stringify({ name: 'Dave' }), headers: { 'Content-Type': 'application/json' } });
        if (queried.status === 404 || queried.status === 405) {
          ctx.fail('url-string-split', `We sent POST /api/users?source=form with {"name":"Dave"}; you answered ${queried.status} ${ctx.format.body(queried)}, but POST /api/users creates a user: the query string changed the route. Route on new URL(req.url, 'http://localhost').pathname, which leaves the query out.`, handSplitLine(ctx.source) ?? ctx.server.request({ method: 'POST', url: '/api/users?source=form' })?.lastCallAt ?? null);
        }
        await ctx.json.expect(queried, 201, dave);
      },
    },
    {
      id: 'post-multibyte-split',
      title: 'a name with multi-byte characters ("Zoë 😀") arrives intact when the body is cut inside a character',
      async run(ctx) {
        const before = await ctx.json.list<{ id: number }>('/api/users');
        const expected = { id: Math.max(2, ...before.map((user) => Number(user.id) || 0)) + 1, name: ZOE };
        const text = JSON.stringify({ name: ZOE });
        // Four cuts: the bug hides only if the server reads none of them on its own,
        // i.e. if it was stalled for the whole 200 ms.
        const how = "in five writes 50 ms apart, cut inside 'ë' and between each byte of '😀'";
        const intact = (res: HttpResponse, status: number, where: string) => {
          const name = (res.json as { name?: unknown } | undefined)?.name;
          if (res.status !== status || typeof name !== 'string' || name === ZOE) return;
          const replaced = [...name].filter((character) => character === '\uFFFD').length;
          if (replaced > 0) {
            ctx.fail(
              'string-concat-chunks',
              `We sent POST /api/users with ${text} ${how}; ${where} the name is ${JSON.stringify(name)}: ${ctx.format.count(replaced)} replacement character${replaced === 1 ? '' : 's'} (U+FFFD) where the split characters were. Each Buffer was decoded on its own; join them with Buffer.concat(chunks) and decode once, or call req.setEncoding('utf8') first.`,
              ctx.upload.decodeEachChunkLine(),
            );
          }
          ctx.fail('wrong-body', `We sent POST /api/users with ${text} ${how}; ${where} the name is ${JSON.stringify(name)}, expected ${JSON.stringify(ZOE)}.`, null);
        };
        await post(ctx, text, ctx.upload.cutBetweenBytes(text, ['ë', '😀'], 50), how, 201, expected, (res) => intact(res, 201, 'your 201 answer says'));
        const stored = await ctx.http.request('GET', `/api/users/${expected.id}`);
        intact(stored, 200, `GET /api/users/${expected.id} then gives`);
        await ctx.json.expect(stored, 200, expected);
      },
    },
    {
      id: 'invalid-json-400',
      title: 'a body that is not valid JSON gets 400 {"error":"Invalid JSON"}, and the server keeps serving',
      concurrent: true,
      async run(ctx) {
        for (const text of ['not json', '{"name": "Dave"', '']) {
          if (text === '') await post(ctx, text, [], 'with an empty body (Content-Length: 0)', 400, INVALID_JSON, undefined, { 'Content-Length': '0' });
          else await post(ctx, text, ctx.body.pieces(text, 5, { pauseMs: 20 }), 'in 5-byte pieces 20 ms apart', 400, INVALID_JSON);
          const withdraw = parseCrash(ctx, `${ctx.format.body(text)}, so the next request (GET /api/users/1) got no answer`);
          await ctx.json.stillServing('/api/users/1', `POST /api/users with ${ctx.format.body(text)}`, { status: 200, body: ALICE });
          withdraw();
        }
      },
    },
    {
      id: 'invalid-user-400',
      title: 'valid JSON without a non-empty string "name" ({"name":""}, {"name":42}, {}, null, [], "Carol") gets 400 {"error":"Invalid user"}',
      concurrent: true,
      async run(ctx) {
        const bodies = ['{"name":""}', '{"name":42}', '{"nom":"Carol"}', 'null', '[]', '"Carol"'];
        for (const text of bodies) await post(ctx, text, ctx.body.pieces(text, 4, { pauseMs: 15 }), 'in 4-byte pieces 15 ms apart', 400, INVALID_USER);
        await ctx.json.stillServing('/api/users/1', `POST /api/users with ${bodies.join(', ')}`, { status: 200, body: ALICE });
      },
    },
    {
      id: 'method-not-allowed',
      title: 'other methods get 405 {"error":"Method not allowed"}: Allow: GET, POST on /api/users, Allow: GET on /api/users/:id',
      concurrent: true,
      async run(ctx) {
        const attempts: Array<[string, string, string, string?]> = [
          ['PUT', '/api/users', 'GET, POST', '{"name":"Carol"}'],
          ['DELETE', '/api/users', 'GET, POST'],
          ['POST', '/api/users/1', 'GET', '{"name":"Carol"}'],
          ['DELETE', '/api/users/2', 'GET'],
        ];
        const names = (value: string | undefined) => (value ?? '').split(',').map((name) => name.trim().toUpperCase()).filter(Boolean).sort().join(', ');
        for (const [method, target, allow, body] of attempts) {
          const res = await ctx.http.request(method, target, body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } });
          await ctx.json.expect(res, 405, NOT_ALLOWED);
          const got = res.headers.allow;
          if (names(got) === names(allow)) continue;
          const record = await ctx.server.recordOf(res);
          ctx.fail(
            got === undefined ? 'missing-allow-header' : 'wrong-header',
            got === undefined
              ? `We sent ${method} ${target}; you answered 405 with no Allow header, but a 405 must list the methods the resource supports: Allow: ${allow}.`
              : `We sent ${method} ${target}; you answered 405 with Allow: ${got}, but ${target} supports ${allow === 'GET' ? 'only GET' : 'GET and POST'} now: Allow: ${allow}.`,
            // The line that writes the Allow header (a helper's caller names it), else the one that chose 405.
            ctx.server.callLine(record, { header: 'allow', named: true }) ?? ctx.server.callLine(record, { status: 405, named: true }) ??
              ctx.source.find(/['"]?Allow['"]?\s*[:,]/) ?? ctx.server.callLine(record, { header: 'allow' }),
          );
        }
      },
    },
  ],
} satisfies LessonChecks;

/**
 * POSTs `parts` to /api/users, reading the answer while sending, and expects `status`
 * and `body`. An answer written before the body had arrived is respond-before-body-end
 * whatever it says, and so is a JSON.parse crash on valid JSON; any other is
 * json-parse-crash. `inspect` looks at the answer before the expectation.
 */
async function post(ctx: CheckContext, text: string, parts: BodyPart[], how: string, status: number, body: unknown, inspect?: (res: HttpResponse) => void, headers?: Record<string, string>): Promise<void> {
  const withdraw = [ctx.evidence({ sent: how }), parseCrash(ctx, ctx.format.body(text))];
  const size = Buffer.byteLength(text);
  // Valid JSON cannot make JSON.parse throw, a piece of it can.
  const valid = (() => { try { JSON.parse(text); return true; } catch { return false; } })();
  if (valid && parts.length > 1) {
    withdraw.push(ctx.evidence({
      crash: { pitfall: 'respond-before-body-end', because: `valid JSON cannot make JSON.parse throw, a piece of it can: your server parsed ${text} before its last chunk had arrived. Collect the chunks and parse in req.on('end')`, when: ctx.json.isParseError },
      location: () => ctx.server.lineOf('json-parse'),
    }));
  }
  const sent = await ctx.upload.send('/api/users', parts, { headers });
  const early = ctx.upload.answeredBefore(sent, size);
  // A 404 or 405 says the route is missing (the starter): a wrong status, not an early answer.
  if (early && sent.res.status !== 404 && sent.res.status !== 405) {
    ctx.fail(
      'respond-before-body-end',
      `We sent POST /api/users with ${text} ${how}; your server answered ${sent.res.status} ${ctx.format.body(sent.res)} ${early}: it answered before the body's last chunk arrived. Parse and answer in req.on('end'), once the whole body is there.`,
      ctx.upload.earlyAnswerLine(sent.answer?.call),
    );
  }
  inspect?.(sent.res);
  await ctx.json.expect(sent.res, status, body);
  for (const done of withdraw) done();
}

/** While it stands, a crash from JSON.parse is json-parse-crash (an invalid body must get 400, not kill the server). */
function parseCrash(ctx: CheckContext, what: string): () => void {
  return ctx.evidence({
    crash: { pitfall: 'json-parse-crash', because: `JSON.parse threw on ${what}; nothing caught it, and every other client lost the server too. Parse inside try/catch and answer 400 {"error":"Invalid JSON"}`, when: ctx.json.isParseError },
    location: () => ctx.server.lineOf('json-parse'),
  });
}
