// Lesson 06: GET /countdown?from=N (1..10, default 3) streams "N\n", then every
// 100 ms the next number down to "1\n", then "liftoff\n", as separate writes that
// reach the client as they happen; nothing is written after end(); a client that
// leaves mid-countdown stops it (no write after the response closed, no timer
// left); POST /upload answers 200 {"bytes": n} with the body's size in bytes; an
// upload aborted mid-body neither crashes nor wedges the server.
//
// Evidence, and why it holds on a loaded machine:
// - Streaming: the probe stamps every write with the server's clock, and timers
//   never fire early, so a correct countdown's first line is written at least
//   ~300 ms before "liftoff" whatever the load; a buffered one writes everything
//   at the end. On our side the bytes must also arrive spread out (so a cork()
//   or a buffering stream is caught too), with a bound a stalled client cannot
//   reach by itself: the first line must arrive at least 60 ms before the last.
// - Write after end: the probe records the write call made after end() (with
//   the learner's line) before the process crashes; each countdown check waits
//   for the response to close and a little longer before it concludes.
// - Disconnect: calls after the response's 'close', and the count of active
//   timers ('Timeout' in the probe's heartbeat) against the count before.
//
// Mutation survivors (`dev check --mutate`), each checked by hand against the contract:
// mutant byte-length-to-length#1: every JSON body of this lesson is ASCII ({"bytes":n}, {"error":"Not found"}, {"error":"Invalid from"}): characters = bytes, so the Content-Length is right anyway
// mutant drop-guard#1: out of contract: the task says the checks never send an invalid from (from=0, from=abc) and lets the learner answer it as they like; this guard answers only those
// mutant drop-answer-in-branch#1: out of contract, as drop-guard#1 (the answer to an invalid from)
// mutant wrong-status-code#1: out of contract, as drop-guard#1 (400 → 500 for an invalid from)
// mutant drop-return-after-answer#1: out of contract, as drop-guard#1 (the return after that answer)
// mutant drop-clear-timer#1: res 'close' fires a few ms after end() (5 ms measured on Node 20.20, keep-alive socket still open) and its listener clears the interval before the next 100 ms tick
// mutant drop-end#1: out of contract: sendJson's res.write(body) carries Content-Length, so the client has its whole answer; only a second request on the same connection (Node holds its response until end()) shows it, and lesson 06's contract sends none (lesson 01's rule, not restated here)
// mutant host-url-base#1: out of contract: only lesson 02's task says an empty or malformed Host must be answered; this lesson's task does not, and no check sends one
import type { BodyPart, CheckContext, EventOf, HttpResponse, LessonChecks, Location } from 'httpdojo/check';
import { expectUtf8 } from 'httpdojo/check';

/** Nominal countdown step (CURRICULUM 06). */
const STEP_MS = 100;
/** A server's first line must be written this long before "liftoff" (nominal 300 ms for from=3). */
const SERVER_SPREAD_MS = 150;
/** And reach us this long before the last line (a stalled client can merge arrivals, but not by 240 ms). */
const CLIENT_SPREAD_MS = 60;
/** The probe reports a change in the active timers at its next 25 ms heartbeat: this covers that and the pipe to us. */
const HEARTBEAT_SLACK_MS = 50;

export default {
  crashes: { ERR_STREAM_WRITE_AFTER_END: 'write-after-end' },
  checks: [
    {
      id: 'countdown-streams',
      title: 'GET /countdown?from=3 streams "3\\n2\\n1\\nliftoff\\n" as text/plain; charset=utf-8, one line every 100 ms, each arriving as it is written',
      async run(ctx) {
        const res = await countdown(ctx, 3);
        await expectCountdown(ctx, res, 3);
        // Written over time (the probe's stamps, server clock) and received over time (ours): either one all at once is buffered.
        const record = ctx.server.request({ method: 'GET', url: (url) => url === res.request.target });
        const writes = (record?.calls ?? []).filter((call) => (call.fn === 'write' || call.fn === 'end') && (call.bytes ?? 0) > 0);
        // The calls are the probe's events, stamped with the server's clock (`ms`).
        const [first, last] = [writes[0], writes[writes.length - 1]].map((call) => (call as { ms?: number } | undefined)?.ms);
        const serverSpread = first !== undefined && last !== undefined ? last - first : null;
        const arrivals = res.arrivals.filter((arrival) => arrival.bytes > 0);
        const clientSpread = arrivals.length ? arrivals[arrivals.length - 1].atMs - arrivals[0].atMs : 0;
        // The single call that sent the countdown (its last write), else where the lines are collected.
        const buffered = writes[writes.length - 1]?.at ?? ctx.source.find(/\+=\s*`/);
        if (serverSpread !== null && serverSpread < SERVER_SPREAD_MS) {
          const reqMs = ctx.server.eventsOf('req').find((event) => event.id === record?.id)?.ms;
          const when = reqMs !== undefined && last !== undefined ? ` ${last - reqMs} ms after the request` : '';
          const how = writes.length === 1
            ? `in a single call, res.${writes[0].fn}(${JSON.stringify(writes[0].preview ?? '')}),${when}`
            : `in ${writes.length} calls made within ${serverSpread} ms of each other,${when}`;
          ctx.fail(
            'buffered-response',
            `We sent GET ${res.request.target}; your server sent the whole countdown ${how}, so the client saw nothing for ${3 * STEP_MS} ms and then everything at once. Write each line with res.write() when it is due, and end with res.end('liftoff\\n').`,
            buffered,
          );
        }
        if (clientSpread < CLIENT_SPREAD_MS) {
          ctx.fail(
            'buffered-response',
            `We sent GET ${res.request.target}; your server's writes were spread over ${serverSpread ?? '?'} ms, but the whole body reached us at once (${arrivals.length} piece${arrivals.length === 1 ? '' : 's'} within ${clientSpread} ms): something holds the bytes back until the end (res.cork() without uncork(), or a stream that buffers). Each write must reach the client when it is written.`,
            buffered,
          );
        }
      },
    },
    {
      id: 'countdown-from',
      title: 'from defaults to 3 and sets the start: GET /countdown, ?from=1 and ?from=2 count down from 3, 1 and 2',
      // Countdowns change nothing on the server: these run beside countdown-streams's
      // (client-leaves, which reads the program's timers, never does).
      concurrent: true,
      async run(ctx) {
        // Sent together: the longest takes 300 ms. (from=10 is read in client-leaves.)
        const cases: Array<[string, number]> = [['/countdown', 3], ['/countdown?from=1', 1], ['/countdown?from=2', 2]];
        const settled = await Promise.allSettled(cases.map(([target, from]) => countdown(ctx, from, target, { settle: false })));
        await noWriteAfterEnd(ctx);
        for (const [i, result] of settled.entries()) {
          if (result.status === 'rejected') throw result.reason;
          await expectCountdown(ctx, result.value, cases[i][1]);
        }
      },
    },
    {
      id: 'client-leaves',
      title: 'a client that leaves mid-countdown stops it: no write after the response closed, no timer left running',
      async run(ctx: CheckContext) {
        const target = '/countdown?from=10';
        const seen = new Set(ctx.server.eventsOf('req').map((event) => event.id));
        // The program's timers before the request: the probe's latest heartbeat (it reports within
        // 25 ms of a change in the active timers, else every 250 ms), else the next one.
        const before = ctx.server.heartbeat() ?? (await ctx.server.waitFor('tick', { timeoutMs: 600 }));
        const connection = await ctx.http.connect();
        connection.methods.push('GET');
        await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n\r\n`);
        // Read the first line (or give up waiting for it after 1 s: we leave either way).
        for (let waited = 0; waited < 1000 && !(connection.partialResponse?.body.length ?? 0) && !connection.closed; waited += 10) await ctx.sleep(10);
        const gotFirst = connection.partialResponse?.body.toString('utf8') ?? '';
        ctx.note(`we leave after receiving ${gotFirst ? JSON.stringify(gotFirst) : 'nothing of the body'}`);
        connection.destroy();
        const left = `We sent GET ${target}, read ${ctx.format.body(gotFirst)} and closed the connection`;
        if (gotFirst && !gotFirst.startsWith('10\n') && !'10\n'.startsWith(gotFirst)) {
          const record = ctx.server.request({ method: 'GET', url: (url) => url === target });
          ctx.fail('wrong-body', `We sent GET ${target}; the countdown must start with "10\\n", but the first bytes were ${ctx.format.body(gotFirst)}.`, record?.lastCallAt ?? null);
        }
        const isOurs = (event: EventOf<'req'>) => event.url === target && !seen.has(event.id);
        const req = ctx.server.eventsOf('req').find(isOurs) ?? (await ctx.server.waitFor('req', { timeoutMs: 1000, where: isOurs }));
        if (!req) ctx.fail('timeout', `We sent GET ${target}; your server never received it.`, null);
        const closed = await ctx.server.waitFor('res-close', { timeoutMs: 1500, where: (event) => event.id === req.id });
        if (!closed) {
          if (ctx.server.crash()) throw new Error('the program exited');
          ctx.fail('writes-after-disconnect', `${left}; 1.5 s later your response had still not closed.`, null);
        }
        // Four steps of the countdown: a timer still running writes in this time. Then the timers
        // left, from the probe's latest heartbeat (a timer cleared or created since would have
        // been reported within HEARTBEAT_SLACK_MS), not from the next 250 ms report.
        const closedSeen = performance.now();
        await ctx.sleep(4 * STEP_MS + HEARTBEAT_SLACK_MS);
        const after = ctx.server.heartbeat();
        const watchedMs = Math.round(performance.now() - closedSeen);
        const events = ctx.server.events();
        const late = events.slice(events.indexOf(closed) + 1).filter((event) => event.t === 'call' && event.id === req.id && !event.nested && (event.fn === 'write' || event.fn === 'end'));
        const timerAt = () => ctx.source.find(/\bsetInterval\s*\(/, /\bsetTimeout\s*\(/, /\bsleep\s*\(|setTimeout as/);
        if (late[0]?.t === 'call') {
          ctx.fail(
            'writes-after-disconnect',
            `${left}; your server went on writing to the closed response (${late.length} more call${late.length === 1 ? '' : 's'} in the next ${watchedMs} ms, e.g. res.${late[0].fn}(${JSON.stringify(late[0].preview ?? '')})): Node drops those bytes silently while the timer keeps running. Stop the timer in res.on('close', ...).`,
            late[0].at ?? timerAt(),
          );
        }
        if (ctx.server.crash()) throw new Error('the program exited');
        // Every step's timer is gone: the count of active timers is back to what it was.
        const [timersBefore, timersAfter] = [before?.resources.Timeout ?? 0, after?.resources.Timeout ?? 0];
        ctx.note(`active timers in your server: ${timersBefore} before the request, ${after ? `${timersAfter} at ${watchedMs} ms after the response closed` : 'unknown afterwards'}`);
        if (after && timersAfter > timersBefore) {
          ctx.fail(
            'writes-after-disconnect',
            `${left}; ${watchedMs} ms after the response closed your server still had ${timersAfter} active timer${timersAfter === 1 ? '' : 's'} (${timersBefore} before the request): the countdown's timer kept running for a reader who is gone. Clear it in res.on('close', ...).`,
            timerAt(),
          );
        }
      },
    },
    {
      id: 'upload-counts-bytes',
      title: 'POST /upload answers 200 {"bytes": n} with the body\'s size in bytes (multi-byte text, chunked, empty)',
      async run(ctx) {
        const small = 'héllo wörld 😀';
        const large = 'Grüße aus Köln 😀\n'.repeat(12_000);
        const uploads: Array<[string, BodyPart[], boolean, string]> = [
          [small, ctx.body.splitInside(small, '😀', { pauseMs: 30 }), false, `in two writes 30 ms apart, cut inside '😀'`],
          [large, ctx.body.pieces(large, 48 * 1024, { pauseMs: 5 }), true, `chunked, in 48 KiB pieces (${ctx.format.count(large.length)} characters of "Grüße aus Köln 😀\\n", ${ctx.format.count(Buffer.byteLength(large))} bytes)`],
          ['', [], false, 'with Content-Length: 0'],
        ];
        // Sent together (each on its own connection), judged in order: how each was sent is
        // stated as evidence just before its judgement, so a failure says which one it was.
        const settled = await Promise.allSettled(uploads.map(([text, body, chunked]) =>
          ctx.http.request('POST', '/upload', { body, chunked, headers: text === '' ? { 'Content-Length': '0' } : {}, timeoutMs: 3000 })));
        for (const [i, [text, , , how]] of uploads.entries()) {
          const withdraw = ctx.evidence({ sent: how, location: async () => (await ctx.server.settled('POST', '/upload'))?.lastCallAt ?? null });
          const result = settled[i];
          if (result.status === 'rejected') throw result.reason;
          const res = result.value;
          const [bytes, got] = [Buffer.byteLength(text), (res.json as { bytes?: unknown } | undefined)?.bytes];
          if (res.status === 200 && typeof got === 'number' && got !== bytes && got === [...text].length) {
            ctx.fail('wrong-body', `We sent POST /upload ${how}; you answered {"bytes":${got}}, the number of characters, but the body is ${ctx.format.count(bytes)} bytes: add up chunk.length of the Buffers.`, null);
          }
          ctx.expect(res).status(200).contentType('application/json').json({ bytes });
          withdraw();
        }
      },
    },
    {
      id: 'upload-abort',
      title: 'a client that aborts mid-upload neither crashes nor wedges the server: the next upload gets its answer',
      async run(ctx) {
        // A POST /upload announcing 1 MB that stops after 64 KiB: we close the connection once the server has the request.
        const [size, sentBytes] = [1_000_000, 64 * 1024];
        const seen = new Set(ctx.server.eventsOf('req').map((event) => event.id));
        const connection = await ctx.http.connect();
        connection.methods.push('POST');
        await connection.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`);
        await connection.write(Buffer.alloc(sentBytes, 'ü'.charCodeAt(0) & 0x7f));
        const isOurs = (event: EventOf<'req'>) => event.method === 'POST' && event.url === '/upload' && !seen.has(event.id);
        const req = ctx.server.eventsOf('req').find(isOurs) ?? (await ctx.server.waitFor('req', { timeoutMs: 1000, where: isOurs }));
        await ctx.sleep(50);
        ctx.note(`we abort the upload: ${ctx.format.count(sentBytes)} of ${ctx.format.count(size)} bytes sent`);
        connection.destroy();
        if (req) await ctx.server.waitFor('req-close', { timeoutMs: 1000, where: (event) => event.id === req.id });
        // The rejection of a for-await loop (or a pipeline) follows the request's 'close' in the
        // same turn of the event loop, before the server can take another request: a crash
        // ends the program before the upload below is answered.
        const text = 'still here ✓';
        ctx.note('a new upload: the server must still answer');
        const crashed = async () => ctx.server.eventsOf('uncaught').find(isAbortError) ?? (await ctx.server.waitFor('uncaught', { timeoutMs: 300, where: isAbortError }));
        const res = await ctx.http.request('POST', '/upload', { body: text, timeoutMs: 2000 }).catch(async (error: unknown) => {
          const late = await crashed();
          if (late) {
            await ctx.program.waitForExit(1500);
            ctx.fail('upload-abort-crash', `We sent POST /upload announcing ${ctx.format.count(size)} bytes and closed the connection after ${ctx.format.count(sentBytes)}; your server crashed with ${ctx.format.error(late)}, so the next upload got no answer. Reading the body with for await throws when the client goes away; nothing caught it. Wrap the loop in try/catch (or use req.on('data'/'end')).`, abortLine(ctx, late));
          }
          throw error;
        });
        const early = ctx.server.eventsOf('uncaught').find(isAbortError);
        if (early) ctx.fail('upload-abort-crash', `We sent POST /upload announcing ${ctx.format.count(size)} bytes and closed the connection after ${ctx.format.count(sentBytes)}; your server threw ${ctx.format.error(early)}: nothing caught the error of the aborted read.`, abortLine(ctx, early));
        ctx.expect(res).status(200).contentType('application/json').json({ bytes: Buffer.byteLength(text) });
      },
    },
    {
      id: 'other-paths-404',
      title: 'any other path gets 404 {"error":"Not found"}',
      async run(ctx) {
        for (const target of ['/', '/nope']) {
          const res = await ctx.http.request('GET', target);
          ctx.expect(res).status(404).contentType('application/json').json({ error: 'Not found' });
        }
      },
    },
  ],
} satisfies LessonChecks;

/** GET a countdown to its end; then (unless `settle` is false) look for a write after end(). */
async function countdown(ctx: CheckContext, from: number, target = `/countdown?from=${from}`, options: { settle?: boolean } = {}): Promise<HttpResponse> {
  try {
    const res = await ctx.http.request('GET', target, { timeoutMs: 2000 + from * STEP_MS });
    if (options.settle !== false) await noWriteAfterEnd(ctx);
    return res;
  } catch (error) {
    await noWriteAfterEnd(ctx);
    throw error;
  }
}

async function expectCountdown(ctx: CheckContext, res: HttpResponse, from: number): Promise<void> {
  ctx.expect(res).status(200).contentType('text/plain');
  await expectUtf8(ctx, res, 'wrong-header');
  ctx.expect(res).text(`${Array.from({ length: from }, (_, i) => `${from - i}\n`).join('')}liftoff\n`);
}

/**
 * Waits until every countdown response of this check has closed (bounded), then
 * 150 ms more (the error of a write after end() is emitted on the next tick: the
 * crash shows); a write or end(data) made after end() is write-after-end.
 */
async function noWriteAfterEnd(ctx: CheckContext): Promise<void> {
  const countdowns = ctx.server.eventsOf('req').filter((event) => event.url.startsWith('/countdown'));
  for (const req of countdowns) await ctx.server.waitFor('res-close', { timeoutMs: 1000, where: (event) => event.id === req.id });
  await ctx.sleep(150);
  const late = ctx.server.eventsOf('call').find((call) => !call.nested && call.state.ended && (call.fn === 'write' || (call.fn === 'end' && (call.bytes ?? 0) > 0)));
  if (!late) return;
  const req = countdowns.find((event) => event.id === late.id);
  const uncaught = ctx.server.eventsOf('uncaught').find((event) => event.code === 'ERR_STREAM_WRITE_AFTER_END');
  if (uncaught) await ctx.program.waitForExit(1500);
  ctx.fail(
    'write-after-end',
    `We sent GET ${req?.url ?? '/countdown'}; your server called res.${late.fn}(${late.preview !== undefined ? JSON.stringify(late.preview) : ''}) after res.end()${uncaught ? `, and a moment later the process crashed with ${uncaught.code} (the client had already received the whole countdown)` : ''}. Return right after ending, so that each path reaches exactly one end().`,
    late.at ?? uncaught?.at ?? null,
  );
}

function isAbortError(error: EventOf<'uncaught'>): boolean {
  return error.code === 'ECONNRESET' || error.code === 'ERR_STREAM_PREMATURE_CLOSE' || /^aborted$/i.test(error.message);
}

/** The uncaught error's own line in the learner's file, else the for-await loop (a pipeline()'s rejection names no line of the learner's). */
function abortLine(ctx: CheckContext, error: EventOf<'uncaught'>): Location | null {
  if (error.at && error.at.file === ctx.server.file) return error.at;
  const pipelineAt = ctx.server.eventsOf('stream-pipeline').filter((event) => event.at.file === ctx.server.file).pop()?.at;
  return ctx.source.find(/for\s+await\s*\(/) ?? pipelineAt ?? error.at ?? ctx.source.find(/\.on\(\s*['"]error['"]/);
}
