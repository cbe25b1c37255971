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
//   limit-checked-after-end (so is a 413 written once the server had read more than
//   1 MiB of it: the Content-Length was ignored), a 201 (or any other status)
//   no-body-limit. After a timely 413 we send the rest of the declared body, as a
//   client still sending does: the server may close the connection, not crash.
// - The connection cut with no 413 received is body-limit-reset.
// - "Lesson 04, plus" (CURRICULUM 05): lesson-4-routes sends lesson 03-04's query,
//   404, 405/Allow and split-character cases again, so a rewrite for the limit
//   cannot lose them.
// No check sends more than 8 MiB: correct servers drain for up to 64 MiB or 2 s.
//
// mutant hang-up-at-once#1: a race, not harmless: when the reset loses the 413 (RFC 9112 §9.6), chunked-over-limit-413 fails it with body-limit-reset (1 of 4 verifies, 2 of 3 mutation runs here); when the 413 arrives first the client has its 413 and the contract is met, so no check may fail it then
// mutant count-characters#1: counts the drain after a 413 (the 64 MiB safety bound), not the limit; no check sends more than 8 MiB
// mutant drop-clear-timer#1: the drain timer then cuts a kept-alive connection 2 s after a 413 whose body ended; closing after a 413 is allowed and the server keeps serving new connections
// mutant drop-clear-timer#2: as drop-clear-timer#1, for 'close' (the socket is gone already)
// mutant drop-return-after-answer#2: `refused` is set, so the one extra chunk pushed after a 413 is never used
// mutant host-url-base#1: out of contract: only lesson 02's task says an empty or malformed Host must be answered; lessons 03-05 do not, and no check sends one
import { handSplitLine, requestRoute, type CheckContext, type Connection, type Cut, type LessonChecks, type Upload } from 'httpdojo/check';

const LIMIT = 1024 * 1024;
const MiB = 1024 * 1024;
const ALICE = { id: 1, name: 'Alice' };
const TOO_LARGE = { error: 'Payload too large' };
const INVALID_JSON = { error: 'Invalid JSON' };
const INVALID_USER = { error: 'Invalid user' };
const POST_USERS = { method: 'POST', target: '/api/users' };
const BOB = { id: 2, name: 'Bob' };
const NOT_FOUND = { error: 'Not found' };
/** Routes that answer: a request that hangs is located from the nearest of them (nearestRoutes). */
const ROUTES = ['/api/users', '/api/users/1'];
const ZOE = 'Zoë 😀';
/** How long a Content-Length request waits for its 413 before we send the rest (CURRICULUM: 2 s per response). */
const ANSWER_WITHIN_MS = 2000;

export default {
  checks: [
    {
      // Lesson 05 is lesson 04 plus a limit (CURRICULUM 05): a server rewritten for the
      // limit must keep lesson 03-04's routes, Allow header and byte-wise decoding.
      id: 'lesson-4-routes',
      title: 'lesson 4\'s API still works: /api/users/2?format=json is Bob, unknown ids and paths get 404, DELETE /api/users/1 gets 405 with Allow: GET, "Zoë 😀" cut inside its characters arrives intact',
      async run(ctx) {
        const queried = await requestRoute(ctx, 'GET', '/api/users/2?format=json', { routes: ROUTES });
        if (!(queried.status === 200 && ctx.json.equal(queried.json, BOB))) {
          ctx.fail('url-string-split', `We sent GET /api/users/2?format=json; you answered ${queried.status} ${ctx.format.body(queried)}, expected 200 with Bob: the query string changed the route. Route on new URL(req.url, 'http://localhost').pathname, which leaves the query out.`, handSplitLine(ctx.source) ?? ctx.server.request({ method: 'GET', url: '/api/users/2?format=json' })?.lastCallAt ?? null);
        }
        for (const target of ['/api/users/99', '/nope']) await ctx.json.expect(await requestRoute(ctx, 'GET', target, { routes: ROUTES }), 404, NOT_FOUND);
        const refused = await requestRoute(ctx, 'DELETE', '/api/users/1', { routes: ROUTES });
        await ctx.json.status(refused, 405);
        if (refused.headers.allow?.replace(/\s/g, '') !== 'GET') {
          const record = ctx.server.request({ method: 'DELETE', url: '/api/users/1' });
          ctx.fail('missing-allow-header', `We sent DELETE /api/users/1; you answered 405 with ${refused.headers.allow === undefined ? 'no Allow header' : `Allow: ${refused.headers.allow}`}, but a 405 must list the methods the resource supports (RFC 9110 §15.5.6): Allow: GET.`, ctx.server.callLine(record, { status: 405, named: true }) ?? ctx.source.find(/\b405\b/));
        }
        await ctx.json.expect(refused, 405, { error: 'Method not allowed' });
        const text = JSON.stringify({ name: ZOE });
        const how = "in five writes 50 ms apart, cut inside 'ë' and between each byte of '😀'";
        const sent = await ctx.upload.send('/api/users', ctx.upload.cutBetweenBytes(text, ['ë', '😀'], 50));
        const name = (sent.res.json as { name?: unknown } | undefined)?.name;
        if (sent.res.status === 201 && typeof name === 'string' && name.includes('\uFFFD')) {
          ctx.fail('string-concat-chunks', `We sent POST /api/users with ${text} ${how}; your 201 answer says the name is ${JSON.stringify(name)}: replacement characters (U+FFFD) where the split characters were. Each Buffer was decoded on its own; join them with Buffer.concat(chunks) and decode once.`, ctx.upload.decodeEachChunkLine());
        }
        answeredEarly(ctx, sent, Buffer.byteLength(text), Buffer.byteLength(text), `${text} ${how}`);
        await ctx.json.expect(sent.res, 201);
        if (name !== ZOE) ctx.fail('wrong-body', `We sent POST /api/users with ${text} ${how}; your 201 answer says the name is ${ctx.format.value(name)}, expected ${JSON.stringify(ZOE)}.`, null);
      },
    },
    {
      id: 'small-bodies-as-before',
      title: 'bodies under the limit work as in lesson 4: {"name":"Carol"} gets 201, invalid JSON 400, {"name":""} 400',
      async run(ctx) {
        const before = await ctx.json.list<{ id: number }>('/api/users');
        const carol = JSON.stringify({ name: 'Carol' });
        const sends: Array<[string, string | undefined, number, unknown]> = [
          [carol, 'in 6-byte pieces 20 ms apart', 201, { id: Math.max(2, ...before.map((user) => Number(user.id) || 0)) + 1, name: 'Carol' }],
          ['not json', undefined, 400, INVALID_JSON],
          ['{"name":""}', undefined, 400, INVALID_USER],
        ];
        for (const [text, how, status, body] of sends) {
          const withdraw = ctx.evidence({
            ...(how ? { sent: how } : {}),
            crash: { pitfall: 'json-parse-crash', because: `JSON.parse threw on ${ctx.format.body(text)} and nothing caught it. Parse inside try/catch and answer 400 {"error":"Invalid JSON"}`, when: ctx.json.isParseError },
          });
          const sent = await ctx.upload.send('/api/users', how ? ctx.body.pieces(text, 6, { pauseMs: 20 }) : [text]);
          answeredEarly(ctx, sent, Buffer.byteLength(text), Buffer.byteLength(text), `${text}${how ? ` ${how}` : ''}`);
          await ctx.json.expect(sent.res, status, body);
          withdraw();
        }
      },
    },
    {
      id: 'exactly-1-mib-accepted',
      title: 'a body of exactly 1,048,576 bytes is within the limit: 201, with Content-Length and chunked',
      async run(ctx) {
        const name = 'a'.repeat(LIMIT - '{"name":""}'.length);
        for (const chunked of [false, true]) {
          const how = `${ctx.format.count(LIMIT)} bytes ({"name":"aaa…"}) ${chunked ? 'chunked, without Content-Length' : 'with Content-Length'}`;
          const seen = ctx.upload.requestIds();
          const sent = await ctx.upload.send('/api/users', ['{"name":"', ctx.body.sized(name.length, 'a'), '"}'], { chunked, timeoutMs: 4000 }).catch(async (error: unknown) => {
            const cut = await ctx.upload.cutByServer(error, { ...POST_USERS, seen });
            return ctx.fail('wrong-status', `We sent POST /api/users with ${how}, which is within the limit; your server cut the connection without a complete answer.`, ctx.upload.cutLine(cut.answer?.call));
          });
          const { res } = sent;
          const got = (res.json as { name?: unknown } | undefined)?.name;
          if (res.status === 201 && got === name) continue;
          // Lesson 15 runs this check too: an answer written before the body had
          // arrived is lesson 04's respond-before-body-end, whatever its status.
          answeredEarly(ctx, sent, LIMIT, LIMIT, how);
          const what = res.status === 201 ? `201 with ${typeof got === 'string' ? `a name of ${ctx.format.count(got.length)} characters` : ctx.format.body(res)}` : `${res.status} ${ctx.format.body(res)}`;
          ctx.fail(
            res.status === 201 ? 'wrong-body' : 'wrong-status',
            `We sent POST /api/users with ${how}; expected 201 with the user (a name of ${ctx.format.count(name.length)} characters), got ${what}.${res.status === 413 ? ' Exactly 1 MiB is allowed: refuse only bodies larger than 1,048,576 bytes (> not >=).' : ''}`,
            res.status === 413 ? ctx.upload.sizeTestLine(POST_USERS) : ctx.server.callLine(await ctx.server.recordOf(res), { status: res.status }),
          );
        }
        await ctx.json.stillServing('/api/users/1', 'the 1 MiB bodies', { status: 200, body: ALICE });
      },
    },
    {
      id: 'content-length-over-limit-413',
      title: 'a Content-Length over the limit (2 MiB) gets 413 {"error":"Payload too large"} at once, before the body is sent',
      concurrent: true,
      async run(ctx) {
        // Headers announcing 2 MiB and the first 1 KiB of the body; then we wait. A correct
        // server has answered 413 by then. A server still waiting gets the rest of the body,
        // and its answer to that names the pitfall.
        const size = 2 * MiB;
        const first = 1024;
        const body = Buffer.from(JSON.stringify({ name: 'a'.repeat(size - 11) }));
        const sentWhat = `POST /api/users with Content-Length: ${ctx.format.count(size)} (2 MiB)`;
        const waited = `no answer came in ${ANSWER_WITHIN_MS / 1000} s`;
        const seen = ctx.upload.requestIds();
        const connection = await ctx.http.connect();
        try {
          const headers = { 'Content-Type': 'application/json', 'Content-Length': String(size) };
          const res = await ctx.http.request('POST', '/api/users', { connection, keepOpen: true, body: [body.subarray(0, first)], headers, timeoutMs: ANSWER_WITHIN_MS }).catch(async (error: unknown) => {
            if ((error as { reason?: unknown }).reason === 'timeout') return null;
            return cutOff(ctx, await ctx.upload.cutByServer(error, { ...POST_USERS, seen }), `${sentWhat} and the first ${ctx.format.count(first)} bytes of the body`);
          });
          if (res) {
            if (res.status !== 413) {
              ctx.fail(
                'no-body-limit',
                `We sent ${sentWhat} and the first ${ctx.format.count(first)} bytes of the body; your server answered ${res.status} ${ctx.format.body(res)}, not 413: a body over 1,048,576 bytes must be refused with 413 {"error":"Payload too large"}.`,
                ctx.server.callLine(await ctx.server.recordOf(res), { status: res.status }),
              );
            }
            await ctx.json.expect(res, 413, TOO_LARGE);
            await restAfter413(ctx, connection, body.subarray(first), sentWhat);
          } else {
            // No answer while the body was still missing: send the rest and see what comes.
            ctx.note(`no answer after ${ANSWER_WITHIN_MS / 1000} s with only ${ctx.format.count(first)} of ${ctx.format.count(size)} bytes sent: we send the rest of the body`);
            await connection.send([body.subarray(first)], () => false, ctx.signal);
            const late = await connection.readResponse({ timeoutMs: 3000, signal: ctx.signal }).catch(async (error: unknown) => {
              if ((error as { reason?: unknown }).reason === 'timeout') {
                ctx.fail('no-body-limit', `We sent ${sentWhat} and the first ${ctx.format.count(first)} bytes; nothing came back in ${ANSWER_WITHIN_MS / 1000} s, and after we sent all ${ctx.format.count(size)} bytes still no answer within 3 s. A Content-Length over 1,048,576 must get 413 {"error":"Payload too large"} straight away, before the body is read.`, ctx.upload.keepsChunkLine());
              }
              return cutOff(ctx, await ctx.upload.cutByServer(error, { ...POST_USERS, seen }), `${sentWhat}, waited ${ANSWER_WITHIN_MS / 1000} s for an answer, then sent the whole body`);
            });
            const answer = await ctx.server.answerOf('POST', '/api/users', { seen });
            const serverHad = answer?.call.bodyBytesIn;
            if (late.status === 413 && serverHad !== undefined && serverHad <= LIMIT) {
              // It did decide without the body, only slowly (a loaded machine): not this lesson's pitfall.
              ctx.note(`the 413 was written when the server had ${ctx.format.count(serverHad)} of ${ctx.format.count(size)} bytes, but reached us only after ${ANSWER_WITHIN_MS / 1000} s`);
            } else if (late.status === 413 && serverHad !== undefined && serverHad < size) {
              // Refused on its byte count alone: the Content-Length was ignored and the body read up to the limit.
              ctx.fail(
                'limit-checked-after-end',
                `We sent ${sentWhat} and the first ${ctx.format.count(first)} bytes of the body; ${waited}. After we sent the rest, your server answered 413 only once it had read ${ctx.format.count(serverHad)} bytes: it counted the body up to the limit instead of believing the Content-Length header, which already said 2 MiB. Compare req.headers['content-length'] with the limit when the request arrives and answer 413 before reading anything.`,
                ctx.upload.sizeTestLine(POST_USERS, answer?.call),
              );
            } else if (late.status === 413) {
              ctx.fail(
                'limit-checked-after-end',
                `We sent ${sentWhat} and the first ${ctx.format.count(first)} bytes of the body; ${waited}. Only after we sent all ${ctx.format.count(size)} bytes did your server answer 413: it read the whole body before checking its size. The Content-Length header already says 2 MiB: compare req.headers['content-length'] with the limit before reading.`,
                ctx.upload.sizeTestLine(POST_USERS, answer?.call),
              );
            } else {
              ctx.fail(
                'no-body-limit',
                `We sent ${sentWhat} and the first ${ctx.format.count(first)} bytes of the body; ${waited}, and after we sent all ${ctx.format.count(size)} bytes your server answered ${late.status} ${ctx.format.body(late.body, 40)}${late.status < 300 ? ': it read and accepted a body twice the limit' : ', not 413'}. Refuse a Content-Length over 1,048,576 with 413 {"error":"Payload too large"} before reading the body.`,
                late.status < 300 ? ctx.upload.keepsChunkLine() : (ctx.server.framesOf(answer?.call)[0] ?? null),
              );
            }
          }
        } finally {
          connection.destroy();
        }
        await ctx.json.stillServing('/api/users/1', 'the 2 MiB Content-Length request', { status: 200, body: ALICE });
      },
    },
    // Two bodies over the limit, chunked, sent in paced pieces while we read: the 413 must come while we send.
    ...[
      {
        id: 'chunked-over-limit-413',
        title: 'a chunked body that grows past the limit gets 413 as soon as the limit is passed, while we are still sending',
        text: () => JSON.stringify({ name: 'a'.repeat(8 * MiB - 11) }),
        pieceBytes: 256 * 1024,
        how: () => 'an 8 MiB JSON body ({"name":"aaa…"}) chunked, without Content-Length, in 256 KiB pieces 2 ms apart',
        hint: 'Count the bytes in the \'data\' listener and answer 413 {"error":"Payload too large"} once the count passes the limit.',
        after: 'the 8 MiB chunked body',
      },
      {
        id: 'limit-counts-bytes',
        title: 'the limit counts bytes: {"name": 700,000 × "é"} is 1.4 MB (700,000 characters) and gets 413',
        text: () => JSON.stringify({ name: 'é'.repeat(700_000) }),
        pieceBytes: 64 * 1024,
        how: (size: number) => `{"name": 700,000 × "é"}: 700,011 characters but ${size.toLocaleString('en-US')} bytes, chunked, in 64 KiB pieces 2 ms apart`,
        hint: 'Count the bytes of each Buffer (chunk.length), not the characters of decoded text: "é" is two bytes.',
        after: 'the 1.4 MB body',
      },
    ].map((spec) => ({
      id: spec.id,
      title: spec.title,
      concurrent: true,
      async run(ctx: CheckContext) {
        const text = spec.text();
        const size = Buffer.byteLength(text);
        const how = spec.how(size);
        const seen = ctx.upload.requestIds();
        const sent = await ctx.upload.send('/api/users', ctx.body.pieces(text, spec.pieceBytes, { pauseMs: 2 }), { chunked: true, timeoutMs: 6000 }).catch(async (error: unknown) =>
          cutOff(ctx, await ctx.upload.cutByServer(error, { ...POST_USERS, seen }), `POST /api/users with ${how}`));
        const { res } = sent;
        const serverHad = sent.answer?.call.bodyBytesIn;
        if (res.status === 413) {
          if (res.sentWholeBody && !(serverHad !== undefined && serverHad < size)) {
            ctx.fail(
              'limit-checked-after-end',
              `We sent POST /api/users with ${how}; your 413 came only after we had sent all ${ctx.format.count(size)} bytes${serverHad !== undefined ? ` (your server had read ${ctx.format.count(serverHad)} bytes when it wrote it)` : ''}: the size was checked once the whole body had been read and kept. Count the bytes in the 'data' listener and answer 413 as soon as the count passes 1,048,576.`,
              ctx.upload.sizeTestLine(POST_USERS, sent.answer?.call),
            );
          }
          await ctx.json.expect(res, 413, TOO_LARGE);
        } else {
          answeredEarly(ctx, sent, Math.min(size, LIMIT), size, how);
          ctx.fail(
            'no-body-limit',
            res.status < 300
              ? `We sent POST /api/users with ${how}; your server read all of it and answered ${res.status} ${ctx.format.body(res, 40)}: nothing stopped a body over 1,048,576 bytes. ${spec.hint}`
              : `We sent POST /api/users with ${how}; your server answered ${res.status} ${ctx.format.body(res)}, not 413 {"error":"Payload too large"}.`,
            res.status < 300 ? ctx.upload.keepsChunkLine() : ctx.server.callLine(await ctx.server.recordOf(res), { status: res.status }),
          );
        }
        await ctx.json.stillServing('/api/users/1', spec.after, { status: 200, body: ALICE });
      },
    })),
  ],
} satisfies LessonChecks;

/**
 * An answer other than 413 written before the server had `upTo` body bytes (the
 * limit, or the whole of a body within it) could not have judged the body: it
 * answered before reading it, lesson 04's respond-before-body-end (lesson 15 reruns
 * these checks), not a missing limit.
 */
function answeredEarly(ctx: CheckContext, sent: Upload, upTo: number, size: number, how: string): void {
  const { res, answer } = sent;
  const early = res.status === 413 || res.status === 404 || res.status === 405 ? null : ctx.upload.answeredBefore(sent, upTo, size);
  if (!early) return;
  ctx.fail(
    'respond-before-body-end',
    `We sent POST /api/users with ${how}; your server answered ${res.status} ${ctx.format.body(res)} ${early}: it answered before the body's last chunk arrived. Parse and answer in req.on('end'), once the whole body is there.`,
    answer?.call.via?.[0] ?? answer?.call.at ?? null,
  );
}

/**
 * After the 413 for a declared-too-large body, a real client is still sending: we
 * send the rest of the declared body, then ask on the same connection (a server that
 * closed it after its 413 is fine: a cut is not judged) and on a new one. A handler
 * that went on collecting after its 413 (a `return` missing after it) answers again
 * once more than 1 MiB arrived, and writeHead throws ERR_HTTP_HEADERS_SENT.
 */
async function restAfter413(ctx: CheckContext, connection: Connection, rest: Buffer, sentWhat: string): Promise<void> {
  ctx.note(`after the 413 we send the other ${ctx.format.count(rest.length)} bytes of the declared body, as a client still sending would`);
  // The engine reports a crash itself (the throwing line, the error); this says why it came now.
  const withdraw = ctx.evidence({
    detail: `It crashed after its 413 to ${sentWhat}, once we had sent the rest of that body, as a client still sending does: code that goes on after the 413 (a missing return) keeps counting the body and answers a second time when more than 1 MiB has arrived, and writeHead on a response already sent throws ERR_HTTP_HEADERS_SENT. Return right after the 413; from then on only drain or close.`,
  });
  await connection.send([rest], () => false, ctx.signal).catch(() => false);
  const lost = await ctx.http.request('GET', '/api/users/1', { connection, keepOpen: true, timeoutMs: 2500 }).then(() => false, () => true);
  // A lost connection is fine (closing after a 413 is allowed); a program that died is not.
  if (lost && (await ctx.program.waitForExit(1000))) ctx.fail('crash', 'The program exited after its 413, once we had sent the rest of the body.', null);
  withdraw();
  await ctx.json.stillServing('/api/users/1', 'the rest of the 2 MiB body, sent after the 413', { status: 200, body: ALICE });
}

/** The server cut the connection (still running) and no 413 reached us: body-limit-reset. */
function cutOff(ctx: CheckContext, cut: Cut, sentWhat: string): never {
  const wrote413 = cut.status === 413 ? ' (your code did write one: the cut threw it away)' : '';
  return ctx.fail(
    'body-limit-reset',
    `We sent ${sentWhat}; your server cut the connection (${cut.reason}) ${cut.partial ? `after only the status line and headers of a ${cut.partial.status}` : `and no 413 reached us${wrote413}`}. Closing a socket that is still receiving resets it, and the reset throws away the answer. Send the 413 first, keep reading and discarding for a bounded time (req.resume()), and only then close.`,
    ctx.upload.cutLine(cut.answer?.call),
  );
}
