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
import type { BodyPart, CheckContext, HttpResponse, LessonChecks, Location, ProbeEvent, ResponseCall } from 'httpdojo/check';

type ReqEvent = Extract<ProbeEvent, { t: 'req' }>;
type TickEvent = Extract<ProbeEvent, { t: 'tick' }>;
type UncaughtEvent = Extract<ProbeEvent, { t: 'uncaught' }>;

const NOT_FOUND = { error: 'Not found' };
/** Nominal countdown step (CURRICULUM 06). */
const STEP_MS = 100;
/** A server's first line must be written this long before "liftoff" (nominal 300 ms for from=3). */
const SERVER_SPREAD_MS = 150;
/** And reach us this long before the last line (a stalled client can merge arrivals, but not by 240 ms). */
const CLIENT_SPREAD_MS = 60;

export default {
  crashes: { ERR_STREAM_WRITE_AFTER_END: 'write-after-end' },
  checks: [
    {
      id: 'countdown-streams',
      title: 'GET /countdown?from=3 streams "3\\n2\\n1\\nliftoff\\n" as text/plain; charset=utf-8, one line every 100 ms, each arriving as it is written',
      async run(ctx) {
        const res = await countdown(ctx, 3);
        expectCountdown(ctx, res, 3);
        await expectStreamed(ctx, res, 3);
      },
    },
    {
      id: 'countdown-from',
      title: 'from defaults to 3 and sets the start: GET /countdown, ?from=1 and ?from=2 count down from 3, 1 and 2',
      async run(ctx) {
        // Sent together: the longest takes 300 ms. (from=10 is read in client-leaves.)
        const cases: Array<[string, number]> = [['/countdown', 3], ['/countdown?from=1', 1], ['/countdown?from=2', 2]];
        const settled = await Promise.allSettled(cases.map(([target, from]) => countdown(ctx, from, target, { settle: false })));
        await noWriteAfterEnd(ctx);
        for (const [i, result] of settled.entries()) {
          if (result.status === 'rejected') throw result.reason;
          expectCountdown(ctx, result.value, cases[i][1]);
        }
      },
    },
    {
      id: 'client-leaves',
      title: 'a client that leaves mid-countdown stops it: no write after the response closed, no timer left running',
      async run(ctx) {
        await clientLeaves(ctx);
      },
    },
    {
      id: 'upload-counts-bytes',
      title: 'POST /upload answers 200 {"bytes": n} with the body\'s size in bytes (multi-byte text, chunked, empty)',
      async run(ctx) {
        const small = 'héllo wörld 😀';
        await expectUpload(ctx, small, ctx.body.splitInside(small, '😀', { pauseMs: 30 }), false, `${JSON.stringify(small)} in two writes 30 ms apart, cut inside '😀'`);
        const large = 'Grüße aus Köln 😀\n'.repeat(12_000);
        await expectUpload(ctx, large, ctx.body.pieces(large, 48 * 1024, { pauseMs: 5 }), true, `${fmt(large.length)} characters of "Grüße aus Köln 😀\\n" (${fmt(Buffer.byteLength(large))} bytes) chunked, in 48 KiB pieces`);
        await expectUpload(ctx, '', [], false, 'an empty body (Content-Length: 0)');
      },
    },
    {
      id: 'upload-abort',
      title: 'a client that aborts mid-upload neither crashes nor wedges the server: the next upload gets its answer',
      async run(ctx) {
        await abortedUpload(ctx);
      },
    },
    {
      id: 'other-paths-404',
      title: 'any other path gets 404 {"error":"Not found"}',
      async run(ctx) {
        for (const target of ['/', '/nope']) {
          const res = await ctx.http.request('GET', target);
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
  ],
} satisfies LessonChecks;

// ---- countdown ---------------------------------------------------------------------------

function countdownText(from: number): string {
  let text = '';
  for (let n = from; n >= 1; n--) text += `${n}\n`;
  return `${text}liftoff\n`;
}

/**
 * GET a countdown to its end. Afterwards (unless `settle` is false) wait for the
 * response to close and a little more, so that a write after end() or the crash
 * it causes is seen by this check.
 */
async function countdown(ctx: CheckContext, from: number, target = `/countdown?from=${from}`, options: { settle?: boolean } = {}): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await ctx.http.request('GET', target, { timeoutMs: 2000 + from * STEP_MS });
  } catch (error) {
    await noWriteAfterEnd(ctx);
    throw error;
  }
  if (options.settle !== false) await noWriteAfterEnd(ctx);
  return res;
}

function expectCountdown(ctx: CheckContext, res: HttpResponse, from: number): void {
  ctx.expect(res).status(200).contentType('text/plain');
  const type = res.headers['content-type'] ?? '';
  if (!/charset\s*=\s*"?utf-8"?/i.test(type)) {
    ctx.fail('wrong-header', `We sent GET ${res.request.target}; expected Content-Type: text/plain; charset=utf-8, got ${JSON.stringify(type)}: without the charset a client may not decode the text as UTF-8.`, headerLocation(ctx, res));
  }
  ctx.expect(res).text(countdownText(from));
}

/**
 * The countdown must be written over time (server clock) and reach us over time
 * (our clock). Either one all at once is buffered-response.
 */
async function expectStreamed(ctx: CheckContext, res: HttpResponse, from: number): Promise<void> {
  const nominal = from * STEP_MS;
  const record = ctx.server.request({ method: 'GET', url: (url) => url === res.request.target });
  const writes = (record?.calls ?? []).filter((call) => (call.fn === 'write' || call.fn === 'end') && (call.bytes ?? 0) > 0);
  // The calls are the probe's events, stamped with the server's clock (`ms`).
  const stamp = (call: ResponseCall) => (call as ResponseCall & { ms?: number }).ms;
  const firstMs = writes.length ? stamp(writes[0]) : undefined;
  const lastMs = writes.length ? stamp(writes[writes.length - 1]) : undefined;
  const serverSpread = firstMs !== undefined && lastMs !== undefined ? lastMs - firstMs : null;

  const arrivals = res.arrivals.filter((arrival) => arrival.bytes > 0);
  const clientSpread = arrivals.length ? arrivals[arrivals.length - 1].atMs - arrivals[0].atMs : 0;

  if (serverSpread !== null && serverSpread < SERVER_SPREAD_MS) {
    const reqMs = ctx.server.eventsOf('req').find((event) => event.id === record?.id)?.ms;
    const when = reqMs !== undefined && lastMs !== undefined ? ` ${lastMs - reqMs} ms after the request` : '';
    const how = writes.length === 1
      ? `in a single call, res.${writes[0].fn}(${JSON.stringify(writes[0].preview ?? '')}),${when}`
      : `in ${writes.length} calls made within ${serverSpread} ms of each other,${when}`;
    ctx.fail(
      'buffered-response',
      `We sent GET ${res.request.target}; your server sent the whole countdown ${how}, so the client saw nothing for ${nominal} ms and then everything at once. Write each line with res.write() when it is due, and end with res.end('liftoff\\n').`,
      bufferedLocation(ctx, writes),
    );
  }
  if (clientSpread < CLIENT_SPREAD_MS) {
    ctx.fail(
      'buffered-response',
      `We sent GET ${res.request.target}; your server's writes were spread over ${serverSpread ?? '?'} ms, but the whole body reached us at once (${arrivals.length} piece${arrivals.length === 1 ? '' : 's'} within ${clientSpread} ms): something holds the bytes back until the end (res.cork() without uncork(), or a stream that buffers). Each write must reach the client when it is written.`,
      bufferedLocation(ctx, writes),
    );
  }
}

/**
 * Waits until every countdown response of this check has closed (bounded), then a
 * little longer; a write or end(data) made after end() is write-after-end, with
 * the line of that call.
 */
async function noWriteAfterEnd(ctx: CheckContext): Promise<void> {
  const countdowns = ctx.server.eventsOf('req').filter((event) => event.url.startsWith('/countdown'));
  for (const req of countdowns) await ctx.server.waitFor('res-close', { timeoutMs: 1000, where: (event) => event.id === req.id });
  // The error of a write after end() is emitted on the next tick; give the crash time to show.
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

// ---- disconnect ---------------------------------------------------------------------------

async function clientLeaves(ctx: CheckContext): Promise<void> {
  const target = '/countdown?from=10';
  const seen = new Set(ctx.server.eventsOf('req').map((event) => event.id));
  const before = await latestTick(ctx);
  const connection = await ctx.http.connect();
  connection.methods.push('GET');
  await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n\r\n`);
  // Read the first line (or give up waiting for it after 1 s: we leave either way).
  for (let waited = 0; waited < 1000 && !(connection.partialResponse?.body.length ?? 0) && !connection.closed; waited += 10) await ctx.sleep(10);
  const gotFirst = connection.partialResponse?.body.toString('utf8') ?? '';
  ctx.note(`we leave after receiving ${gotFirst ? JSON.stringify(gotFirst) : 'nothing of the body'}`);
  connection.destroy();
  if (gotFirst && !gotFirst.startsWith('10\n') && !'10\n'.startsWith(gotFirst)) {
    const record = ctx.server.request({ method: 'GET', url: (url) => url === target });
    ctx.fail('wrong-body', `We sent GET ${target}; the countdown must start with "10\n", but the first bytes were ${JSON.stringify(gotFirst)}.`, record?.lastCallAt ?? null);
  }

  const isOurs = (event: ReqEvent) => event.url === target && !seen.has(event.id);
  const req = ctx.server.eventsOf('req').find(isOurs) ?? (await ctx.server.waitFor('req', { timeoutMs: 1000, where: isOurs }));
  if (!req) ctx.fail('timeout', `We sent GET ${target}; your server never received it.`, null);
  const closed = await ctx.server.waitFor('res-close', { timeoutMs: 1500, where: (event) => event.id === req.id });
  if (!closed) {
    if (ctx.server.crash()) throw new Error('the program exited');
    ctx.fail('writes-after-disconnect', `We sent GET ${target}, read ${JSON.stringify(gotFirst)} and closed the connection; 1.5 s later your response had still not closed.`, null);
  }
  // Four steps of the countdown: a timer still running writes in this time.
  await ctx.sleep(4 * STEP_MS + 50);
  const events = ctx.server.events();
  const closeIndex = events.indexOf(closed);
  const late = events.slice(closeIndex + 1).filter((event): event is ResponseCall & ProbeEvent => event.t === 'call' && event.id === req.id && !event.nested && (event.fn === 'write' || event.fn === 'end'));
  if (late.length > 0) {
    ctx.fail(
      'writes-after-disconnect',
      `We sent GET ${target}, read ${JSON.stringify(gotFirst)} and closed the connection; your server went on writing to the closed response (${late.length} more call${late.length === 1 ? '' : 's'} in the next ${4 * STEP_MS} ms, e.g. res.${late[0].fn}(${JSON.stringify(late[0].preview ?? '')})): Node drops those bytes silently while the timer keeps running. Stop the timer in res.on('close', ...).`,
      late[0].at ?? timerLocation(ctx),
    );
  }
  if (ctx.server.crash()) throw new Error('the program exited');
  // Every step's timer is gone: the count of active timers is back to what it was.
  const after = await ctx.server.waitFor('tick', { timeoutMs: 1000, where: (tick) => tick.ms >= closed.ms + 4 * STEP_MS });
  const timersBefore = before?.resources.Timeout ?? 0;
  const timersAfter = after?.resources.Timeout ?? 0;
  ctx.note(`active timers in your server: ${timersBefore} before the request, ${after ? `${timersAfter} at ${after.ms - closed.ms} ms after the response closed` : 'unknown afterwards'}`);
  if (after && timersAfter > timersBefore) {
    ctx.fail(
      'writes-after-disconnect',
      `We sent GET ${target}, read ${JSON.stringify(gotFirst)} and closed the connection; ${after.ms - closed.ms} ms after the response closed your server still had ${timersAfter} active timer${timersAfter === 1 ? '' : 's'} (${timersBefore} before the request): the countdown's timer kept running for a reader who is gone. Clear it in res.on('close', ...).`,
      timerLocation(ctx),
    );
  }
}

async function latestTick(ctx: CheckContext): Promise<TickEvent | null> {
  await ctx.server.waitFor('tick', { timeoutMs: 600 });
  const ticks = ctx.server.eventsOf('tick');
  return ticks[ticks.length - 1] ?? null;
}

// ---- uploads ------------------------------------------------------------------------------

async function expectUpload(ctx: CheckContext, text: string, parts: BodyPart[], chunked: boolean, how: string): Promise<void> {
  const res = await ctx.http.request('POST', '/upload', {
    body: parts,
    chunked,
    headers: text === '' ? { 'Content-Length': '0' } : {},
    timeoutMs: 3000,
  });
  const bytes = Buffer.byteLength(text);
  const got = (res.json as { bytes?: unknown } | undefined)?.bytes;
  if (res.status === 200 && typeof got === 'number' && got !== bytes && got === [...text].length) {
    ctx.fail('wrong-body', `We sent POST /upload with ${how}; you answered {"bytes":${got}}, the number of characters, but the body is ${fmt(bytes)} bytes: add up chunk.length of the Buffers.`, null);
  }
  try {
    ctx.expect(res).status(200).contentType('application/json').json({ bytes });
  } catch (error) {
    const failure = error as { pitfall?: unknown; message?: unknown };
    if (typeof failure.pitfall === 'string' && typeof failure.message === 'string') {
      const record = ctx.server.request({ method: 'POST', url: (url) => url === '/upload' });
      ctx.fail(failure.pitfall, failure.message.replace(/^We sent POST \/upload with body [^;]*;/, `We sent POST /upload with ${how};`), record?.lastCallAt ?? null);
    }
    throw error;
  }
}

/**
 * A POST /upload announcing 1 MB that stops after 64 KiB: we close the connection
 * once the server has the request. Then a new upload must get its answer.
 */
async function abortedUpload(ctx: CheckContext): Promise<void> {
  const size = 1_000_000;
  const sentBytes = 64 * 1024;
  const seen = new Set(ctx.server.eventsOf('req').map((event) => event.id));
  const connection = await ctx.http.connect();
  connection.methods.push('POST');
  await connection.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`);
  await connection.write(Buffer.alloc(sentBytes, 'ü'.charCodeAt(0) & 0x7f));
  const isOurs = (event: ReqEvent) => event.method === 'POST' && event.url === '/upload' && !seen.has(event.id);
  const req = ctx.server.eventsOf('req').find(isOurs) ?? (await ctx.server.waitFor('req', { timeoutMs: 1000, where: isOurs }));
  await ctx.sleep(50);
  ctx.note(`we abort the upload: ${fmt(sentBytes)} of ${fmt(size)} bytes sent`);
  connection.destroy();
  if (req) await ctx.server.waitFor('req-close', { timeoutMs: 1000, where: (event) => event.id === req.id });
  // The rejection of a for-await loop follows the request's 'close' at once.
  const uncaught = await ctx.server.waitFor('uncaught', { timeoutMs: 200 });
  if (uncaught) {
    await ctx.program.waitForExit(1500);
    if (isAbortError(uncaught)) {
      ctx.fail(
        'upload-abort-crash',
        `We sent POST /upload announcing ${fmt(size)} bytes and closed the connection after ${fmt(sentBytes)}; your server crashed with ${uncaught.name}${uncaught.code ? ` [${uncaught.code}]` : ''}: ${uncaught.message}. Reading the body with for await throws when the client goes away; nothing caught it. Wrap the loop in try/catch (or use req.on('data'/'end')).`,
        abortLocation(ctx, uncaught),
      );
    }
    throw new Error('the program crashed');
  }
  const text = 'still here ✓';
  ctx.note('a new upload: the server must still answer');
  let res: HttpResponse;
  try {
    res = await ctx.http.request('POST', '/upload', { body: text, timeoutMs: 2000 });
  } catch (error) {
    const late = await ctx.server.waitFor('uncaught', { timeoutMs: 300 });
    if (late) {
      await ctx.program.waitForExit(1500);
      if (isAbortError(late)) {
        ctx.fail('upload-abort-crash', `We sent POST /upload announcing ${fmt(size)} bytes and closed the connection after ${fmt(sentBytes)}; your server crashed with ${late.name}${late.code ? ` [${late.code}]` : ''}: ${late.message}, so the next upload got no answer. Catch the error of an aborted read.`, abortLocation(ctx, late));
      }
    }
    throw error;
  }
  ctx.expect(res).status(200).contentType('application/json').json({ bytes: Buffer.byteLength(text) });
}

function isAbortError(error: UncaughtEvent): boolean {
  return error.code === 'ECONNRESET' || error.code === 'ERR_STREAM_PREMATURE_CLOSE' || /^aborted$/i.test(error.message);
}

// ---- locations ---------------------------------------------------------------------------

function lines(ctx: CheckContext): string[] {
  return ctx.source.text.split('\n');
}

function isComment(line: string, column = 1): boolean {
  return /^\s*(\/\/|\*|\/\*)/.test(line) || /(^|[^:])\/\//.test(line.slice(0, column - 1));
}

/** The single call that sent the countdown (its last write), else where the lines are collected. */
function bufferedLocation(ctx: CheckContext, writes: ResponseCall[]): Location | null {
  const last = writes[writes.length - 1];
  return last?.at ?? ctx.source.find(/\+=\s*`/) ?? null;
}

function headerLocation(ctx: CheckContext, res: HttpResponse): Location | null {
  const record = ctx.server.request({ method: 'GET', url: (url) => url === res.request.target });
  const call = record?.calls.find((c) => !c.nested && c.at && ((c.fn === 'setHeader' && /content-type/i.test(String(c.name))) || c.fn === 'writeHead'));
  return call?.at ?? record?.lastCallAt ?? null;
}

/** The countdown's timer: the first setInterval/setTimeout in the code. */
function timerLocation(ctx: CheckContext): Location | null {
  return ctx.source.find(/\bsetInterval\s*\(/) ?? ctx.source.find(/\bsetTimeout\s*\(/) ?? ctx.source.find(/\bsleep\s*\(|setTimeout as/);
}

/** The uncaught error's own line when it has one in the learner's file, else the for-await loop that reads the body. */
function abortLocation(ctx: CheckContext, error: UncaughtEvent): Location | null {
  if (error.at && error.at.file === ctx.server.file) return error.at;
  // A pipeline() that reads the body: its rejection's stack names no line of the learner's (see the probe's pipeline section).
  const pipelineAt = ctx.server.eventsOf('stream-pipeline').filter((event) => event.at.file === ctx.server.file).pop()?.at;
  return ctx.source.find(/for\s+await\s*\(/) ?? pipelineAt ?? error.at ?? ctx.source.find(/\.on\(\s*['"]error['"]/);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
