// Lesson 18: one http2.createSecureServer with allowHTTP1 serves GET / ({"httpVersion"}),
// GET /slow?ms=N, GET /events (three parts 100 ms apart) and a 404 to HTTP/2 clients
// (ALPN h2) and HTTP/1.1 clients (no ALPN, or ALPN http/1.1); 100 /slow?ms=300 on one
// session complete within 1.5 s; a cancel, an INTERNAL_ERROR reset and a dropped TLS
// connection leave it answering. HTTP/2 goes through ctx.tls.h2 (a session per check,
// frames in the transcript), HTTP/1.1 through ctx.tls.https (trusting the test CA only).
//
// Why the crashes are judged here and not only through `crashes`: an HTTP/2 client whose
// server died sees a closed stream, not a missing response, and the line to point at is
// not always the throw (ERR_HTTP2_INVALID_STREAM is thrown by respond() in whatever helper
// calls it: the caller's timer is the bug; ERR_HTTP2_STREAM_ERROR has no learner frame at
// all: the 'stream' listener that lacks an 'error' listener is). The map below covers a
// crash the checks did not see coming (and the PEM error, thrown before listen()).
//
// Budget: the contract's own waits set the floor: the 100 /slow?ms=300 (0.3 s) and the
// cancel of /slow?ms=500 (the server's timer fires at 0.5 s, we look 0.15 s later). The
// checks run in two windows of `concurrent` checks (each has its own sessions and
// connections): the four route checks (0.2 s: /events), then the 100 streams beside the
// clients that leave (0.65 s), so a correct server is done in about 0.9 s after it listens.
//
// Mutation survivors (dev check --mutate), each out of this lesson's contract or harmless:
// mutant drop-answer-in-branch#2: out of contract: /slow with ms outside 0..2000 is not specified (the solution's 400 is its own choice)
// mutant wrong-status-code#1: out of contract: the same out-of-range /slow answer, 400 → 500
// mutant byte-length-to-length#1: every body of this lesson is ASCII ({"httpVersion"}, {"waited"}, the 404): bytes = characters
// mutant drop-clear-timer#1: harmless: the compatibility API's writeHead/end on a cancelled or dropped stream does nothing and throws nothing (test/facts/lesson-18.test.ts, "even answering after the cancel")
// mutant host-url-base#1: out of contract: the empty-Host rule is lesson 02's; every request here carries :authority (HTTP/2) or Host (HTTP/1.1) localhost:<port>
import type { CheckContext, EventOf, LessonChecks, Location } from 'httpdojo/check';

type H2Session = Awaited<ReturnType<CheckContext['tls']['h2']['connect']>>;
type H2Response = Awaited<ReturnType<H2Session['request']>>;
type HttpsResult = Awaited<ReturnType<CheckContext['tls']['https']['request']>>;

const EVENTS = 'data: 1\n\ndata: 2\n\ndata: 3\n\n';
/** CURRICULUM 18: /events parts arrive ≥ 60 ms apart; 100 concurrent GET /slow?ms=300 complete within 1.5 s of the first. */
const EVENT_GAP_MS = 60;
const STREAMS = 100;
const MULTIPLEX_BOUND_MS = 1500;
const H2C_WHY = "Your server is not a TLS server: http2.createServer() speaks HTTP/2 in clear text (h2c) and ignores key and cert without a word, so every https:// client (browsers, curl, https.get, http2.connect('https://…')) fails. Use http2.createSecureServer({ key, cert, allowHTTP1: true }).";
const CRASH_WHY: Record<string, { pitfall: string; why: string }> = { // https://nodejs.org/docs/latest-v20.x/api/http2.html#error-handling
  ERR_HTTP2_INVALID_CONNECTION_HEADERS: { pitfall: 'h2-connection-header', why: 'HTTP/2 forbids HTTP/1 connection headers (Connection, Keep-Alive, Transfer-Encoding, Upgrade, Proxy-Connection, TE other than trailers: RFC 9113 §8.2.2), and Node throws when a response carries one; over HTTP/1.1 the same code works, which hides it. Remove the header: HTTP/2 frames the body and keeps the stream open by itself.' },
  ERR_HTTP2_INVALID_STREAM: { pitfall: 'h2-stream-error-crash', why: "respond() on a stream the client has already cancelled or dropped throws: a timer outlived its stream. Check stream.destroyed before answering, or clear the timer on the stream's 'close'." },
  ERR_HTTP2_STREAM_ERROR: { pitfall: 'h2-stream-error-crash', why: "A client's RST_STREAM with an error code emits 'error' on the server's stream, and an 'error' without a listener is thrown. Add stream.on('error', …) in your 'stream' listener (a 'request' listener's compatibility layer also handles it)." },
};

export default {
  setup: (s) => ({ args: [s.certs.dir] }),
  // Thrown before listen() (key/cert given as paths), or by a crash no check saw coming.
  crashes: { ERR_OSSL_PEM_NO_START_LINE: 'pem-path-not-contents', ERR_OSSL_UNSUPPORTED: 'pem-path-not-contents', ERR_HTTP2_INVALID_CONNECTION_HEADERS: 'h2-connection-header', ERR_HTTP2_INVALID_STREAM: 'h2-stream-error-crash', ERR_HTTP2_STREAM_ERROR: 'h2-stream-error-crash' },
  checks: [
    {
      id: 'h2-root',
      title: 'an HTTP/2 client (TLS, ALPN h2, trusting the test CA) gets GET / → 200 {"httpVersion":"2.0"}',
      async run(ctx) {
        let session: H2Session;
        try {
          session = await ctx.tls.h2.connect();
        } catch (error) {
          const message = (error as Error).message;
          if (/wrong version number|packet length|unknown protocol/i.test(message) || ctx.server.listeners()[0]?.tls === false) {
            ctx.fail('h2c-cleartext', `We opened a TLS connection offering ALPN h2 to send GET /; the handshake failed: ${message}. ${H2C_WHY}`, h2cLine(ctx));
          }
          await judgeCrash(ctx, 'We opened an HTTP/2 connection to send GET /', true);
          return ctx.fail('timeout', `We opened a TLS connection offering ALPN h2 to send GET /; it failed: ${message}.`, ctx.server.listenAt);
        }
        await h2Json(ctx, await session.request('/'), 'GET / over HTTP/2', 200, { httpVersion: '2.0' });
      },
    },
    {
      id: 'http1-root',
      title: 'HTTP/1.1 clients, without ALPN (like https.get) and with ALPN http/1.1 (like curl --http1.1), get GET / → 200 {"httpVersion":"1.1"}',
      concurrent: true,
      async run(ctx) {
        const asked = await Promise.all([
          { sent: 'GET / over HTTPS/1.1 with no ALPN (as https.get sends it)', alpn: undefined },
          { sent: 'GET / over HTTPS/1.1 offering ALPN http/1.1 (as curl --http1.1 does)', alpn: ['http/1.1'] },
        ].map(async ({ sent, alpn }) => ({ sent, res: await ctx.tls.https.request({ target: '/', alpn }) })));
        const createLine = ctx.source.find(/createSecureServer\s*\(/) ?? ctx.server.listenAt;
        const NO_FALLBACK_WHY = 'Without allowHTTP1, createSecureServer speaks only HTTP/2: a TLS client that offers no ALPN gets a canned 403, one that offers only http/1.1 fails the handshake (ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL). Add allowHTTP1: true to its options.';
        for (const { sent, res } of asked) {
          if (res.ok && res.status === 403 && /Missing ALPN Protocol/.test(res.text)) {
            ctx.fail('no-http1-fallback', `We sent ${sent}; Node answered for you: 403 ${ctx.format.body(res.text)}. ${NO_FALLBACK_WHY}`, createLine);
          }
          if (!res.ok && /no application protocol/i.test(`${res.code} ${res.message}`)) {
            ctx.fail('no-http1-fallback', `We sent ${sent}; the TLS handshake failed: ${res.message}. ${NO_FALLBACK_WHY}`, createLine);
          }
          if (!res.ok && /wrong version number|packet length/i.test(res.message)) {
            ctx.fail('h2c-cleartext', `We sent ${sent}; the TLS handshake failed: ${res.message}. ${H2C_WHY}`, h2cLine(ctx));
          }
          const streamLine = ctx.source.find(/\.on\(\s*['"]stream['"]/);
          if (!res.ok && res.code === 'TIMEOUT' && streamLine && !ctx.source.find(/\.on\(\s*['"]request['"]|createSecureServer\s*\([^)]*?,\s*(async\s*)?(\(|function|\w+\s*=>)/)) {
            ctx.fail('http1-requests-unanswered', `We sent ${sent}; the handshake went through, then nothing came for ${ctx.format.seconds(res.ms)}. allowHTTP1 hands HTTP/1.1 connections to Node's HTTP/1.1 server, which fires only 'request'; the core API's 'stream' event never sees them, so nobody answers. Add a 'request' listener that answers HTTP/1.1 and leaves req.httpVersion === '2.0' to your 'stream' listener.`, streamLine);
          }
          expectJson(ctx, await answered1(ctx, res, sent), sent, 200, { httpVersion: '1.1' }, ctx.server.listenAt);
        }
      },
    },
    {
      id: 'slow-and-404',
      title: 'GET /slow?ms=120 → 200 {"waited":120} after 120 ms and any other path → 404 {"error":"Not found"}, over HTTP/2 and HTTP/1.1',
      concurrent: true,
      needs: ['h2-root', 'http1-root'],
      async run(ctx) {
        const session = await connect(ctx, 'its requests');
        const [slow2, missing2, slow1, missing1] = await Promise.all([
          session.request('/slow?ms=120'), session.request('/no-such-page'),
          ctx.tls.https.request({ target: '/slow?ms=120' }), ctx.tls.https.request({ target: '/no-such-page' }),
        ]);
        await h2Json(ctx, slow2, 'GET /slow?ms=120 over HTTP/2', 200, { waited: 120 });
        if (slow2.endAtMs !== null && slow2.endAtMs < 110) ctx.fail('wrong-body', `We sent GET /slow?ms=120 over HTTP/2; the answer came after ${slow2.endAtMs} ms, before the 120 ms had passed.`, ctx.source.find(/setTimeout\s*\(/));
        await h2Json(ctx, missing2, 'GET /no-such-page over HTTP/2', 404, { error: 'Not found' });
        expectJson(ctx, await answered1(ctx, slow1, 'GET /slow?ms=120 over HTTPS/1.1'), 'GET /slow?ms=120 over HTTPS/1.1', 200, { waited: 120 }, ctx.server.listenAt);
        expectJson(ctx, await answered1(ctx, missing1, 'GET /no-such-page over HTTPS/1.1'), 'GET /no-such-page over HTTPS/1.1', 404, { error: 'Not found' }, ctx.server.listenAt);
      },
    },
    {
      id: 'events',
      title: 'GET /events → 200 text/event-stream, no-cache, "data: 1/2/3" each arriving on its own ≥ 60 ms apart over HTTP/2, and the same body over HTTP/1.1',
      concurrent: true,
      needs: ['h2-root', 'http1-root'],
      async run(ctx) {
        const session = await connect(ctx, 'its requests');
        const [res, res1] = await Promise.all([session.request('/events'), ctx.tls.https.request({ target: '/events' })]);
        const sent = 'We sent GET /events over HTTP/2';
        if (res.status === null) await noAnswer(ctx, sent, res);
        if (res.status !== 200) ctx.fail('wrong-status', `${sent}; the status was ${res.status}, expected 200 (body ${ctx.format.body(res.text)}).`, lastCall(ctx, '/events'));
        for (const [name, want] of [['Content-Type', /^text\/event-stream\s*(;|$)/i], ['Cache-Control', /^no-cache$/i]] as const) {
          const value = res.headers[name.toLowerCase()];
          if (typeof value !== 'string' || !want.test(value)) ctx.fail('wrong-header', `${sent}; ${name} was ${value === undefined ? 'missing' : ctx.format.value(value)}, expected ${name === 'Content-Type' ? 'text/event-stream' : 'no-cache'}.`, ctx.source.find(new RegExp(name, 'i')) ?? lastCall(ctx, '/events'));
        }
        if (res.timedOut && res.text === EVENTS) {
          ctx.fail('missing-res-end', `${sent}; the three events arrived, then nothing: ${ctx.format.seconds(2000)} later the stream still had no END_STREAM. The response is over only when you end it: res.end() (stream.end() in the core API) sends the last DATA frame with END_STREAM.`, lastCall(ctx, '/events') ?? ctx.source.find(/['"`]data: 3/));
        }
        if (!res.complete) await noAnswer(ctx, sent, res);
        if (res.text !== EVENTS) ctx.fail('wrong-body', `${sent}; the body was ${ctx.format.body(res.text)}, expected ${ctx.format.body(EVENTS)}.`, lastCall(ctx, '/events'));
        // Each part must be written by a call of its own, 60 ms or more after the one before (the
        // probe's stamps, server clock; our arrivals when the probe has none), and not reach us all
        // at once. Parts written by separate calls that came too close may be a loaded machine's
        // late timers: that is measured once more before it counts.
        for (let attempt = 1, current = res; ; attempt++) {
          const t = partTimes(ctx, current);
          const shared = t.calls !== null && (t.calls[0] === t.calls[1] || t.calls[1] === t.calls[2]);
          const when = t.server ?? t.client;
          if (!shared && when[1] - when[0] >= EVENT_GAP_MS && when[2] - when[1] >= EVENT_GAP_MS && t.client[2] - t.client[0] >= EVENT_GAP_MS) break;
          if (shared || attempt === 2) {
            const written = t.server ? `your server wrote them at ${t.server.map((ms) => `${ms} ms`).join(', ')} (${shared ? 'two or more in one call' : 'in separate calls'}) and ` : '';
            ctx.fail('buffered-response', `${sent}${attempt === 2 ? ' (twice)' : ''}; ${written}they were complete here at ${t.client.map((ms) => `${ms} ms`).join(', ')} (DATA frames: ${current.chunks.map((c) => `${c.bytes} bytes at ${c.atMs} ms`).join(', ')}), not one by one ${EVENT_GAP_MS} ms or more apart. Each res.write() sends its DATA frame at once; text collected first leaves only when you send it.`, ctx.source.find(/\.(end|write)\([^)\n]*data: 3/) ?? t.line);
          }
          ctx.note(`the three events came closer than ${EVENT_GAP_MS} ms apart: measuring once more (a loaded machine can fire timers late)`);
          current = await session.request('/events');
          if (!current.complete || current.text !== EVENTS) await noAnswer(ctx, `${sent} (a second time)`, current);
        }
        const ok = await answered1(ctx, res1, 'GET /events over HTTPS/1.1');
        if (ok.text !== EVENTS) ctx.fail('wrong-body', `We sent GET /events over HTTPS/1.1; the body was ${ctx.format.body(ok.text)}, expected ${ctx.format.body(EVENTS)}.`, ctx.source.find(/['"`]data: 3/));
      },
    },
    {
      id: 'multiplexed',
      title: `${STREAMS} GET /slow?ms=300 sent at once on one HTTP/2 session all get {"waited":300} within 1.5 s of the first`,
      // Not beside 'events': the burst of 100 streams would delay the 100 ms timers it measures.
      needs: ['h2-root'],
      async run(ctx) {
        const session = await connect(ctx, 'its requests');
        const started = performance.now();
        const done = await Promise.all(Array.from({ length: STREAMS }, () => session.request('/slow?ms=300', { timeoutMs: 2500 }).then((res) => ({ res, ms: Math.round(performance.now() - started) }))));
        const sent = `We sent ${STREAMS} GET /slow?ms=300 at once, streams 1 to ${2 * STREAMS - 1} of one HTTP/2 session`;
        const answered = done.filter(({ res }) => res.complete && res.status === 200).length;
        for (const { res } of done) await h2Json(ctx, res, `${sent}; ${answered} were answered; stream ${res.id}`, 200, { waited: 300 });
        const times = done.map(({ ms }) => ms).sort((a, b) => a - b);
        if (times[times.length - 1] > MULTIPLEX_BOUND_MS) {
          ctx.fail('timeout', `${sent}; the first answer came after ${times[0]} ms, the last after ${times[times.length - 1]} ms (bound: ${MULTIPLEX_BOUND_MS} ms). On one HTTP/2 connection the streams run side by side: a handler that waits with setTimeout serves them all at once, unless something makes each wait for the one before.`, ctx.source.find(/setTimeout\s*\(/));
        }
      },
    },
    {
      id: 'survives-clients-leaving',
      title: 'after a cancel of /slow?ms=500 at 100 ms, an INTERNAL_ERROR reset of /events at 150 ms and a dropped connection mid-/events, GET / on a new session still answers',
      concurrent: true,
      needs: ['h2-root'],
      timeoutMs: 6000,
      async run(ctx) {
        const [a, b, c] = await Promise.all([connect(ctx, 'GET /slow?ms=500'), connect(ctx, 'GET /events'), connect(ctx, 'GET /events')]);
        c.dropAfter(150);
        const started = performance.now();
        await Promise.all([a.request('/slow?ms=500', { cancelAfterMs: 100 }), b.request('/events', { resetAfterMs: 150 }), c.request('/events')]);
        // The server's /slow timer fires at 500 ms: respond() on the cancelled stream is the test.
        await ctx.sleep(Math.max(0, 650 - (performance.now() - started)));
        const sent = 'We cancelled GET /slow?ms=500 after 100 ms (RST_STREAM CANCEL), reset GET /events after 150 ms (RST_STREAM INTERNAL_ERROR, what req.destroy(err) sends from a Node client) and dropped the TLS connection of another GET /events after 150 ms, each on its own session';
        await judgeCrash(ctx, sent);
        ctx.note('a new session must still be answered: GET /');
        const after = await connect(ctx, `GET /: ${sent}; then a new session`);
        await h2Json(ctx, await after.request('/'), `${sent}; then GET / on a new session`, 200, { httpVersion: '2.0' });
      },
    },
  ],
} satisfies LessonChecks;

/** An HTTP/2 session for `what`; a failed connection is a crash's or the server's (a timeout), never httpdojo's. */
const connect = (ctx: CheckContext, what: string): Promise<H2Session> => ctx.tls.h2.connect().catch(async (error: Error) => {
  await judgeCrash(ctx, `We opened an HTTP/2 connection to send ${what}`, true);
  return ctx.fail('timeout', `We opened a TLS connection offering ALPN h2 to send ${what}; it failed: ${error.message}.`, ctx.server.listenAt);
});

/** A stream that closed without a complete answer: a crash, a response never ended, or silence. */
async function noAnswer(ctx: CheckContext, sent: string, res: H2Response): Promise<never> {
  await judgeCrash(ctx, sent, true);
  const what = res.timedOut ? `no ${res.status === null ? 'response' : 'end of the response'} came within ${ctx.format.seconds(2000)}` : `the stream closed ${res.status === null ? 'without a response' : 'before its END_STREAM'} (${res.error ?? `RST_STREAM code ${res.rstCode}`})`;
  if (res.timedOut && res.status !== null) ctx.fail('missing-res-end', `${sent}; ${what}: the response was never ended (res.end() / stream.end()).`, lastCall(ctx, res.path));
  return ctx.fail('timeout', `${sent}; ${what}.`, lastCall(ctx, res.path) ?? ctx.server.listenAt);
}

/** A crash whose code means a pitfall here fails with it (others go to the engine); `wait`: give the probe's report a moment. */
async function judgeCrash(ctx: CheckContext, sent: string, wait = false): Promise<void> {
  const uncaught = ctx.server.eventsOf('uncaught').pop() ?? (wait ? await ctx.server.waitFor('uncaught', { timeoutMs: 500 }) : null);
  const meaning = uncaught && CRASH_WHY[uncaught.code ?? ''];
  if (!uncaught || !meaning) return;
  const exit = await ctx.program.waitForExit(1500);
  const at = uncaught.code === 'ERR_HTTP2_INVALID_STREAM' ? callerOf(uncaught, ctx.server.file) : uncaught.at ?? ctx.source.find(/\.on\(\s*['"]stream['"]/);
  ctx.fail(meaning.pitfall, `${sent}; ${ctx.format.error(uncaught)} was thrown and nothing caught it: your server ${exit ? `exited (${exit.signal ?? `code ${exit.code}`})` : 'crashed'}, and every other stream and connection with it. ${meaning.why}`, at);
}

/** The learner's frame that called the function that threw (the timer), else the throw. */
function callerOf(uncaught: EventOf<'uncaught'>, file: string): Location | null {
  const frames: Location[] = [];
  for (const line of (uncaught.stack ?? '').split('\n')) {
    const match = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/.exec(line.trim());
    const path = match && (match[1].startsWith('file://') ? decodeURIComponent(new URL(match[1]).pathname) : match[1]);
    if (match && path === file) frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames.length >= 2 && uncaught.at && frames[0].line === uncaught.at.line ? frames[1] : uncaught.at ?? frames[0] ?? null;
}

/** An answer's status, JSON media type and JSON value (HTTP/2 or HTTP/1.1). */
function expectJson(ctx: CheckContext, res: { status: number | null; headers: Record<string, unknown>; text: string }, sent: string, status: number, want: unknown, line: Location | null): void {
  if (res.status !== status) ctx.fail('wrong-status', `We sent ${sent}; the status was ${res.status}, expected ${status} (body ${ctx.format.body(res.text)}).`, line);
  const type = res.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/json\s*(;|$)/i.test(type)) ctx.fail('wrong-header', `We sent ${sent}; Content-Type was ${type === undefined ? 'missing' : ctx.format.value(type)}, expected application/json.`, line);
  const got = ((): unknown => { try { return JSON.parse(res.text); } catch { return undefined; } })();
  if (!ctx.json.equal(got, want)) ctx.fail('wrong-body', `We sent ${sent}; the body was ${ctx.format.body(res.text)}, expected ${ctx.format.value(want)}.`, line);
}

/** A complete HTTP/2 answer, judged by expectJson. */
async function h2Json(ctx: CheckContext, res: H2Response, sent: string, status: number, want: unknown): Promise<void> {
  if (res.status === null || !res.complete) await noAnswer(ctx, `We sent ${sent}`, res);
  if (res.status !== status && !lastCall(ctx, res.path)) await ctx.server.waitFor('call', { timeoutMs: 300, where: () => lastCall(ctx, res.path) !== null }); // the probe's report trails our bytes
  expectJson(ctx, res, sent, status, want, lastCall(ctx, res.path));
}

/** An HTTP/1.1 answer over TLS, or a diagnosis of none (a crash, a timeout). */
async function answered1(ctx: CheckContext, res: HttpsResult, sent: string): Promise<Extract<HttpsResult, { ok: true }>> {
  if (res.ok) return res;
  await judgeCrash(ctx, `We sent ${sent}`, true);
  return ctx.fail(res.code === 'TIMEOUT' ? 'timeout' : 'wrong-status', `We sent ${sent}; ${res.stage === 'response' ? 'no complete answer came' : `the ${res.stage} failed`}: ${res.code} ${res.message}.`, ctx.server.listenAt);
}

/** When each 9-byte /events part was complete here and at the server (the probe's stamp of its last byte's call), and that call. */
function partTimes(ctx: CheckContext, res: H2Response): { client: number[]; server: number[] | null; calls: number[] | null; line: Location | null } {
  const record = ctx.server.requests().filter((r) => r.url === '/events' && (r as { protocol?: string }).protocol === 'h2').pop();
  const writes = (record?.calls ?? []).filter((call) => (call.fn === 'write' || call.fn === 'end') && (call.bytes ?? 0) > 0) as Array<{ ms?: number; bytes?: number; at: Location | null }>;
  const upTo = (sizes: number[]) => [9, 18, 27].map((end) => { let sum = 0; return sizes.findIndex((size) => (sum += size) >= end); });
  const client = upTo(res.chunks.map((c) => c.bytes)).map((i) => res.chunks[i]?.atMs ?? Infinity);
  const calls = upTo(writes.map((w) => w.bytes ?? 0));
  const known = writes.length > 0 && calls.every((i) => i >= 0 && writes[i].ms !== undefined);
  return { client, server: known ? calls.map((i) => writes[i].ms! - writes[0].ms!) : null, calls: known ? calls : null, line: writes[writes.length - 1]?.at ?? null };
}

/** The learner's last call on the HTTP/2 response to `target`, when the probe reported it. */
const lastCall = (ctx: CheckContext, target: string): Location | null => ctx.server.requests().filter((r) => r.url === target && (r as { protocol?: string }).protocol === 'h2').pop()?.lastCallAt ?? null;

const h2cLine = (ctx: CheckContext) => ctx.source.find(/http2\.createServer\s*\(/, /\bcreateServer\s*\(/) ?? ctx.server.listenAt;
