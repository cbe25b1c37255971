// Lesson 13: `proxy.js <upstream-origin>` forwards every request to the upstream
// (same method, path and query, end-to-end headers with Host set to the upstream's,
// the body streamed up) and answers with the upstream's status, headers and body,
// streamed back. An unreachable upstream, or one that drops the connection before
// answering, gets 502 {"error":"Bad gateway"} and the proxy keeps serving; a client
// that disconnects makes the proxy abort its upstream request.
//
// One test upstream lives for the whole verify (setup() passes its origin as
// argv[2]); each check puts its own handler on its own path. The streaming checks
// are causal, not timed: the upstream holds back the rest of a response until the
// client has seen its first chunk, and the client holds back the rest of an upload
// until the upstream has seen its first bytes. A correct proxy never makes anyone
// wait; a buffering one makes the waiting side give up after 1.5 s.
//
// Crashes: an upstream request that fails (ECONNREFUSED, ECONNRESET "socket hang
// up", also after the proxy destroyed it because its client left) emits 'error';
// with no listener that kills the proxy: proxy-no-upstream-error.
//
// Hangs: a 502 that leaves the rest of the request body unread (pipeline(req,
// upstreamReq) destroyed req, or pipe() without req.resume()) strands a keep-alive
// connection: its next request is never answered. proxy-no-upstream-error too.
//
// Not checked on purpose: hop-by-hop headers (Connection, Keep-Alive, …), the
// reason phrase, X-Forwarded-*. Nor an upstream that fails AFTER its response head
// (the contract names only failures before it answers): measured on Node 20.20 with
// an upstream that sends a 200 head and 5 bytes, then FIN, RST or a bad chunk size,
// two correct fixtures differ from the solution there (raw-headers.cjs leaves the
// client's response open after a FIN; close-after-502.ts crashes on a RST), so no
// check may judge it (test/facts/lesson-13-after-head.test.ts holds the Node facts).
// Mutation survivors (`dev check --mutate`), each verified so:
// mutant byte-length-to-length#1: the 502 body {"error":"Bad gateway"} is ASCII, so its string length is its length in bytes
// mutant header-after-write#2: writeHead after pipeline() still goes first: pipe() starts the flow with resume(), which waits for process.nextTick (lib/internal/streams/readable.js), so no chunk is written before the head
// mutant pipeline-to-pipe#1: out of contract: with pipe() an upstream that closes (FIN) after its head leaves the client's response open (nothing destroys res; the aborted upstream response emits 'error' only to a listener, lib/_http_incoming.js onError), as the correct fixture raw-headers.cjs does; a RST or a bad body still cuts it through the upstream request's 'error'
// mutant drop-return-after-answer#1: out of contract: badGateway with the head sent runs only when the upstream request errs after its response (a RST or a malformed body after the head; a FIN emits no request 'error'); then writeHead throws ERR_HTTP_HEADERS_SENT and the proxy exits, as the correct fixture close-after-502.ts does (its setHeader throws)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pollUntil, responseLine, type CallQuery, type CheckContext, type HttpResponse, type LessonChecks, type Location, type NoResponseError, type Upstream, type UpstreamRequest } from 'httpdojo/check';

type Handler = (req: IncomingMessage, res: ServerResponse, record: UpstreamRequest) => void | Promise<void>;

interface Shared {
  upstream: Upstream;
  /** Handlers by raw path (without the query string); anything else gets a 404. */
  routes: Map<string, Handler>;
}

const BAD_GATEWAY = { error: 'Bad gateway' };
/** The call that chose the status the client got: where a wrong status is pointed. */
const STATUS_CALL: CallQuery = { fn: ['writeHead', 'statusCode'] };
/** How long the waiting side of a streaming check gives the other side (a correct proxy needs a few ms). */
const STREAM_WAIT_MS = 1500;
/** How long after a client left we wait for the upstream request to be aborted (10–41 ms measured). */
const ABORT_WAIT_MS = 1500;
/** CURRICULUM: a response must be complete 2 s after its request was sent. */
const ANSWER_WITHIN_MS = 2000;
/** After the upstream cut its connection, how long we wait for the 502 before sending the rest anyway (a correct proxy: a few ms). */
const CUT_TO_502_MS = 500;
/** Why an upstream request's unhandled 'error' crashed the proxy, and the fix. */
const UNHANDLED_UPSTREAM_ERROR = "nothing listened for the upstream request's 'error' event, so your proxy crashed, dropping every client with it. Listen for 'error' on the upstream request: answer 502 {\"error\":\"Bad gateway\"} when the client is still there, do nothing when it is gone";

export default {
  async setup({ upstream }) {
    const routes = new Map<string, Handler>();
    const server = await upstream((req, res, record) => {
      const path = (req.url ?? '/').split('?')[0];
      const handler = routes.get(path);
      if (handler) return handler(req, res, record);
      req.resume();
      sendJson(res, 404, { error: `the test upstream has nothing at ${path}` });
    });
    return { args: [server.origin], data: { upstream: server, routes } satisfies Shared };
  },
  // A crash the checks below did not already explain: an upstream request's 'error' nobody listened to.
  crashes: { ECONNREFUSED: 'proxy-no-upstream-error', ECONNRESET: 'proxy-no-upstream-error' },
  checks: [
    {
      id: 'forwards-request',
      title: 'the upstream receives the same method, path, query string, headers and body, with Host set to the upstream\'s own',
      async run(ctx) {
        upstreamCrashEvidence(ctx);
        const { upstream, routes } = ctx.data as Shared;
        const body = JSON.stringify({ name: 'Widget', price: 9.5 });
        routes.set('/api/items/caf%C3%A9', async (req, res) => {
          await bodyDone(req);
          sendJson(res, 201, { created: true });
        });
        routes.set('/api/items/7', async (req, res) => {
          await bodyDone(req);
          sendJson(res, 200, { deleted: 7 });
        });
        const headers = {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          Authorization: 'Bearer s3cret',
          Cookie: 'theme=dark; lang=fr',
          'X-Request-Id': 'dojo-1234',
        };
        const sent: Array<{ method: string; target: string; body?: string }> = [
          { method: 'POST', target: '/api/items/caf%C3%A9?draft=1&tag=a+b%2Fc', body },
          { method: 'DELETE', target: '/api/items/7?hard=true' },
        ];
        for (const request of sent) {
          const before = upstream.received.length;
          const res = await ctx.http.request(request.method, request.target, { headers, ...(request.body === undefined ? {} : { body: request.body }) });
          const record = upstream.received.slice(before).pop();
          const what = `We sent ${request.method} ${request.target}${request.body ? ` with body ${request.body}` : ''} to your proxy`;
          if (!record) {
            return ctx.fail('wrong-status', `${what}; the upstream received nothing, and your proxy answered ${res.status} ${ctx.format.body(res.text)} itself. Forward every request with http.request() to the origin in process.argv[2].`, (await responseLine(ctx, request.method, request.target)) ?? ctx.server.lineOf('request-handler'));
          }
          const at = ctx.server.clientRequestAt((event) => event.path === request.target);
          if (record.method !== request.method) ctx.fail('wrong-header', `${what}; the upstream received ${record.method} ${record.url}: the method must stay ${request.method} (method: req.method).`, at);
          if (record.url !== request.target) ctx.fail('wrong-header', `${what}; the upstream received ${record.method} ${record.url}, not ${request.target}: forward req.url untouched, query string and percent-escapes included.`, at);
          const host = `127.0.0.1:${upstream.port}`;
          if (record.headers.host !== host) {
            ctx.fail('wrong-header', `${what}; the upstream received Host: ${record.headers.host ?? '(none)'}, expected its own, ${host}: the request is now addressed to the upstream (headers.host = new URL(origin).host).`, at);
          }
          for (const [name, value] of Object.entries(headers)) {
            if (request.body === undefined && name === 'Content-Type') continue;
            const got = record.headers[name.toLowerCase()];
            if (got !== value) {
              ctx.fail('wrong-header', `${what}; the upstream received ${got === undefined ? `no ${name} header` : `${name}: ${String(got)}`}, expected ${name}: ${value}: end-to-end headers pass through unchanged.`, at);
            }
          }
          const received = record.body.toString('utf8');
          if (received !== (request.body ?? '')) {
            ctx.fail('wrong-body', `${what}; the upstream received the body ${ctx.format.body(received)}: the body must arrive byte for byte (req.pipe(upstreamReq)).`, at);
          }
        }
      },
    },
    {
      id: 'streams-request-body',
      title: 'the request body is streamed: the upstream sees the first bytes of a slow upload before the client has finished sending',
      async run(ctx) {
        const { upstream, routes } = ctx.data as Shared;
        routes.set('/upload', async (req, res, record) => {
          await bodyDone(req);
          sendJson(res, 200, { bytes: record.body.length });
        });
        const total = 48 * 1024;
        const first = 16 * 1024;
        const payload = Buffer.alloc(total);
        for (let i = 0; i < total; i++) payload[i] = 97 + (i % 26);
        const target = '/upload';
        const before = upstream.received.length;
        const connection = await ctx.http.connect();
        try {
          connection.methods.push('POST');
          await connection.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`);
          await connection.write(payload.subarray(0, first));
          ctx.note(`we wait (at most ${STREAM_WAIT_MS / 1000} s) until the upstream has the first bytes before we send the rest`);
          const seen = await pollUntil(() => upstream.received.slice(before).find((r) => r.url === target && r.firstBodyAtMs !== null) ?? (connection.partialResponse ? null : undefined), { timeoutMs: STREAM_WAIT_MS, signal: ctx.signal });
          const early = connection.partialResponse;
          if (!seen && early && !upstream.received.slice(before).some((r) => r.url === target)) {
            return ctx.fail('wrong-status', `We sent POST ${target} with Content-Length: ${ctx.format.count(total)} and the first ${ctx.format.count(first)} bytes of the body; your proxy answered ${early.status} itself, without sending anything to the upstream. Forward every request with http.request() to the origin in process.argv[2].`, (await responseLine(ctx, 'POST', target)) ?? ctx.server.lineOf('request-handler'));
          }
          const headOnly = seen ? null : upstream.received.slice(before).find((r) => r.url === target);
          await connection.write(payload.subarray(first, 2 * first));
          await ctx.sleep(20);
          await connection.write(payload.subarray(2 * first));
          let answer: { status: number; text: string } | null = null;
          let failure: unknown = null;
          try {
            const parsed = await connection.readResponse({ timeoutMs: ANSWER_WITHIN_MS, signal: ctx.signal });
            answer = { status: parsed.status, text: parsed.body.toString('utf8') };
          } catch (error) {
            await upstreamCrash(ctx, `We sent POST ${target} to your proxy`);
            // The engine says what came back instead ("We sent POST /upload; …").
            failure = Object.assign(error as object, { request: { method: 'POST', target } });
            if (seen) throw failure;
          }
          if (!seen) {
            const record = upstream.received.slice(before).find((r) => r.url === target);
            // Never forwarded at all, even once the whole body was there: not a buffering proxy.
            if (!record && failure) throw failure;
            if (!record) {
              return ctx.fail('wrong-status', `We sent POST ${target} with ${ctx.format.count(total)} bytes; the upstream received nothing, and your proxy answered ${answer!.status} ${ctx.format.body(answer!.text)} itself. Forward every request with http.request() to the origin in process.argv[2].`, (await responseLine(ctx, 'POST', target)) ?? ctx.server.lineOf('request-handler'));
            }
            const later = ` Only after we sent the rest did the upstream get ${record.body.length === total ? `all ${ctx.format.count(total)} bytes` : `${ctx.format.count(record.body.length)} bytes`}.`;
            ctx.fail(
              'proxy-buffers-body',
              `We sent POST ${target} with Content-Length: ${ctx.format.count(total)} and the first ${ctx.format.count(first)} bytes of the body, then waited; ${STREAM_WAIT_MS / 1000} s later the upstream had received ${headOnly ? 'the request head but no body bytes' : 'nothing, not even the request head'}: your proxy waits for the whole body before forwarding it.${later} Pipe the request into the upstream request (req.pipe(upstreamReq)) so each chunk goes up as it arrives.`,
              bodyBufferedAt(ctx, target, total),
            );
          }
          const record = upstream.received.slice(before).find((r) => r.url === target)!;
          if (!record.body.equals(payload)) {
            ctx.fail('wrong-body', `We sent POST ${target} with ${ctx.format.count(total)} bytes; the upstream received ${ctx.format.count(record.body.length)} bytes${record.body.length === total ? ', but not the same ones' : ''}.`, ctx.server.clientRequestAt((event) => event.path === target));
          }
          const expected = JSON.stringify({ bytes: total });
          if (answer!.status !== 200 || !sameJson(ctx, answer!.text, { bytes: total })) {
            ctx.fail(answer!.status !== 200 ? 'wrong-status' : 'wrong-body', `We sent POST ${target} with ${ctx.format.count(total)} bytes; the upstream answered 200 ${expected}, your proxy answered ${answer!.status} ${ctx.format.body(answer!.text)}.`, await responseLine(ctx, 'POST', target, STATUS_CALL));
          }
        } finally {
          connection.destroy();
        }
      },
    },
    {
      id: 'returns-response',
      title: 'the client gets the upstream\'s status, headers and body, whatever the status (200, 404, 500)',
      async run(ctx) {
        upstreamCrashEvidence(ctx);
        const { routes } = ctx.data as Shared;
        const csv = 'id,name\n1,Alice\n2,Zoë\n';
        routes.set('/api/report', (req, res) => {
          req.resume();
          res.writeHead(200, {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Length': Buffer.byteLength(csv),
            'X-Report-Id': 'r-77',
            'Cache-Control': 'no-store',
            'Set-Cookie': ['seen=1; Path=/', 'theme=dark; Path=/'],
          });
          res.end(csv);
        });
        routes.set('/api/missing', (req, res) => {
          req.resume();
          sendJson(res, 404, { error: 'no such item' }, { 'X-Upstream': 'missing' });
        });
        routes.set('/api/broken', (req, res) => {
          req.resume();
          sendJson(res, 500, { error: 'database down' }, { 'X-Upstream': 'broken' });
        });

        const report = await ctx.http.request('GET', '/api/report');
        ctx.expect(report).status(200).header('Content-Type', 'text/csv; charset=utf-8').header('X-Report-Id', 'r-77').header('Cache-Control', 'no-store').text(csv);
        const cookies = report.rawHeaders.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, value]) => value);
        if (!cookies.includes('seen=1; Path=/') || !cookies.includes('theme=dark; Path=/')) {
          ctx.fail('wrong-header', `We sent GET /api/report; the upstream answered with two Set-Cookie headers (seen=1; Path=/ and theme=dark; Path=/), your proxy passed on ${cookies.length ? cookies.map((c) => JSON.stringify(c)).join(' and ') : 'none'}: every end-to-end header, repeated ones too, must reach the client.`, await responseLine(ctx, 'GET', '/api/report', STATUS_CALL));
        }
        for (const [target, status, body, marker] of [['/api/missing', 404, { error: 'no such item' }, 'missing'], ['/api/broken', 500, { error: 'database down' }, 'broken']] as const) {
          const res = await ctx.http.request('GET', target);
          if (res.status !== status) {
            ctx.fail('wrong-status', `We sent GET ${target}; the upstream answered ${status} ${JSON.stringify(body)}, your proxy answered ${res.status} ${ctx.format.body(res.text)}: pass the upstream's status on as it is (res.writeHead(upstreamRes.statusCode, …)), errors included.`, await responseLine(ctx, 'GET', target, STATUS_CALL));
          }
          ctx.expect(res).contentType('application/json').header('X-Upstream', marker).json(body);
        }
      },
    },
    {
      id: 'streams-response-body',
      title: 'the response is streamed: the client sees the first chunk of a slow upstream response before the upstream has finished',
      async run(ctx) {
        const { routes } = ctx.data as Shared;
        const target = '/download';
        const chunks = ['first chunk\n', 'second chunk\n', 'last chunk\n'];
        let release: () => void = () => {};
        const released = new Promise<void>((resolve) => (release = resolve));
        let gaveUp = false;
        let headEarly = false;
        const handler: Handler = (req, res) => {
          req.resume();
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.write(chunks[0]);
          const timer = setTimeout(() => {
            gaveUp = true;
            headEarly = connection.partialResponse !== null;
            ctx.note(`the upstream stops waiting and sends the rest: after ${STREAM_WAIT_MS / 1000} s the first chunk had not reached us`);
            release();
          }, STREAM_WAIT_MS);
          res.on('close', () => clearTimeout(timer));
          void released.then(() => {
            clearTimeout(timer);
            if (res.destroyed) return;
            res.write(chunks[1]);
            setTimeout(() => res.end(chunks[2]), 20);
          });
        };
        const connection = await ctx.http.connect();
        routes.set(target, handler);
        try {
          ctx.note(`the upstream writes "first chunk\\n" at once and holds back the rest until we have seen it (at most ${STREAM_WAIT_MS / 1000} s)`);
          const reading = ctx.http.request('GET', target, { connection, keepOpen: true, timeoutMs: STREAM_WAIT_MS + ANSWER_WITHIN_MS });
          let finished = false;
          const watching = (async () => {
            const seen = await pollUntil(() => (finished || connection.partialResponse?.body.toString('utf8').startsWith(chunks[0]) ? true : undefined), { timeoutMs: STREAM_WAIT_MS + 500, signal: ctx.signal });
            if (seen) release();
          })();
          let res: HttpResponse;
          try {
            res = await reading;
          } catch (error) {
            await upstreamCrash(ctx, `We sent GET ${target} to your proxy`);
            throw error;
          } finally {
            finished = true;
            release();
            await watching;
          }
          if (gaveUp) {
            ctx.fail(
              'proxy-buffers-response',
              `We sent GET ${target}; the upstream sent its status, headers and "first chunk\\n" at once, then waited for that chunk to reach us. ${STREAM_WAIT_MS / 1000} s later ${headEarly ? 'only the status line and headers had reached us' : 'nothing had reached us, not even the status line'}, so the upstream finished on its own, and then the whole body (${ctx.format.count(res.body.length)} bytes) came at once: your proxy collects the upstream's response before answering. Write the status and headers as soon as the upstream's response starts, then pipeline(upstreamRes, res).`,
              await bufferedResponseAt(ctx, target),
            );
          }
          ctx.expect(res).status(200).contentType('text/plain').text(chunks.join(''));
        } finally {
          connection.destroy();
        }
      },
    },
    {
      id: 'upstream-hangs-up-502',
      title: 'an upstream that drops the connection before answering gets 502 {"error":"Bad gateway"}, and the proxy keeps serving',
      async run(ctx) {
        upstreamCrashEvidence(ctx);
        const { routes } = ctx.data as Shared;
        const target = '/flaky';
        routes.set(target, (req) => {
          // No answer at all: the connection is cut as soon as the request arrives.
          req.socket.destroy();
        });
        await expectBadGateway(ctx, target, 'the upstream closed the connection as soon as your proxy\'s request arrived, without answering');
        routes.set('/api/after', (req, res) => {
          req.resume();
          sendJson(res, 200, { still: 'serving' });
        });
        ctx.note('the next request must be served as usual');
        const next = await ctx.http.request('GET', '/api/after');
        ctx.expect(next).status(200).json({ still: 'serving' });
      },
    },
    {
      // The same failure with body bytes still arriving, then the next request on
      // that keep-alive connection. pipeline(req, upstreamReq) answers the 502 and
      // then strands the connection (test/facts/corrections.test.ts shows it on Node 20).
      // Skipped when a plainer check already failed: a buffering proxy never sees the
      // upstream fail mid-body, and a proxy with no 502 at all is already diagnosed.
      //
      // POST /upload-fails on a keep-alive connection: the head and the first 1 KiB. The
      // upstream reads part of the body and cuts its connection without answering. Once
      // the proxy's 502 is here the other 255 KiB follow, in two pieces, then
      // GET /api/after-upload on the same connection.
      //
      // Why pipeline(req, upstreamReq) strands that connection (Node 20): on the
      // upstream's error pipeline destroys req through destroyer() in
      // lib/internal/streams/destroy.js, which sets req.socket = null first so that the
      // socket survives; the body bytes still arriving are then pushed into a destroyed
      // request, push() returns false, parserOnBody (lib/_http_server.js) calls
      // readStop(socket), and nothing ever starts reading it again: no close, no reset,
      // the next request is never parsed. req.pipe() only unpipes on the destination's
      // error, and req.resume() reads and drops the rest. test/facts/corrections.test.ts
      // shows all three.
      id: 'upstream-fails-mid-upload-502',
      title: 'an upstream that drops the connection while the request body is still arriving gets 502 {"error":"Bad gateway"}, and the next request on the same connection is answered',
      needs: ['streams-request-body', 'upstream-hangs-up-502'],
      async run(ctx) {
        upstreamCrashEvidence(ctx);
      const { upstream, routes } = ctx.data as Shared;
      const target = '/upload-fails';
      const after = '/api/after-upload';
      routes.set(target, (req, _res, record) => {
        // The test upstream's own 'data' listener may already have taken the first bytes.
        if (record.firstBodyAtMs !== null) req.socket.destroy();
        else req.once('data', () => req.socket.destroy());
      });
      routes.set(after, (req, res) => {
        req.resume();
        sendJson(res, 200, { still: 'serving' });
      });
      // The rest must outgrow one 64 KiB socket read: a paused req (pipe() without
      // resume()) takes in up to that much before Node stops reading the connection.
      const total = 256 * 1024;
      const first = 1024;
      const second = 64 * 1024;
      const payload = Buffer.alloc(total, 'x');
      const sent = `POST ${target} with Content-Length: ${ctx.format.count(total)} on a keep-alive connection`;
      const failure = `the upstream read the first ${ctx.format.count(first)} bytes and closed its connection without answering`;
      const before = upstream.received.length;
      const connection = await ctx.http.connect();
      try {
        connection.methods.push('POST');
        await connection.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`);
        await connection.write(payload.subarray(0, first));
        ctx.note(`the upstream reads the first bytes, then closes its connection without answering; we send the rest of the body once your proxy's 502 is here (at most ${CUT_TO_502_MS} ms after the cut)`);
        const cut = await pollUntil(() => (upstream.received.slice(before).some((r) => r.url === target && r.firstBodyAtMs !== null) ? true : connection.closed ? false : undefined), { timeoutMs: STREAM_WAIT_MS, signal: ctx.signal });
        if (cut) await pollUntil(() => (connection.partialResponse?.complete || connection.closed ? true : undefined), { timeoutMs: CUT_TO_502_MS, signal: ctx.signal });
        await connection.send([payload.subarray(first, first + second), { pauseMs: 20 }, payload.subarray(first + second)], () => false, ctx.signal);

        let answer: Awaited<ReturnType<typeof connection.readResponse>>;
        try {
          answer = await connection.readResponse({ timeoutMs: ANSWER_WITHIN_MS, signal: ctx.signal });
        } catch (error) {
          await upstreamCrash(ctx, `We sent ${sent}, and ${failure}`);
          const reason = (error as NoResponseError).reason;
          if (reason === 'timeout' || reason === 'closed' || reason === 'reset') {
            ctx.fail('proxy-no-upstream-error', `We sent ${sent}, and ${failure}; ${(error as Error).message}, instead of 502 {"error":"Bad gateway"}. In the upstream request's 'error' listener, answer 502 {"error":"Bad gateway"}.`, upstreamErrorAt(ctx, target));
          }
          throw Object.assign(error as object, { request: { method: 'POST', target } });
        }
        const text = answer.body.toString('utf8');
        if (answer.status !== 502 || !sameJson(ctx, text, BAD_GATEWAY)) {
          ctx.fail(answer.status !== 502 ? 'wrong-status' : 'wrong-body', `We sent ${sent}, and ${failure}; your proxy answered ${answer.status} ${ctx.format.body(text)}, expected 502 {"error":"Bad gateway"}.`, await responseLine(ctx, 'POST', target, STATUS_CALL));
        }

        // A proxy may close the connection after its 502 (Connection: close, or just a
        // close); a client then asks again on a new one (RFC 9112 §9.3.1). The hang is
        // the failure, not the close.
        let next: HttpResponse | null = null;
        if (/\bclose\b/i.test(answer.headers.connection ?? '') || connection.closed) {
          ctx.note('your proxy closed the connection after its 502: the next request goes on a new one');
        } else {
          ctx.note(`the next request goes on the same connection: it must be answered within ${ANSWER_WITHIN_MS / 1000} s`);
          try {
            next = await ctx.http.request('GET', after, { connection, keepOpen: true, timeoutMs: ANSWER_WITHIN_MS });
          } catch (error) {
            await upstreamCrash(ctx, `We sent ${sent}, ${failure}, your proxy answered 502, and then we sent GET ${after} on the same connection`);
            const { reason, partial, waitedMs } = error as NoResponseError;
            if (partial || ctx.server.request({ method: 'GET', url: after })) throw error;
            if (reason === 'timeout') {
              const { message, at } = stranded(ctx, { sent, first, total, after, waited: (waitedMs / 1000).toFixed(1) }, target);
              ctx.fail('proxy-no-upstream-error', message, at);
            }
            if (reason !== 'closed' && reason !== 'reset') throw error;
            ctx.note('your proxy closed the connection before reading this request: it goes again on a new one');
          }
        }
        next ??= await ctx.http.request('GET', after);
        ctx.expect(next).status(200).json({ still: 'serving' });
      } finally {
        connection.destroy();
      }
      },
    },
    {
      id: 'client-abort-aborts-upstream',
      title: 'a client that disconnects before the upstream answers makes the proxy abort its upstream request',
      timeoutMs: 8000,
      async run(ctx) {
        const { upstream, routes } = ctx.data as Shared;
        const target = '/slow-report';
        routes.set(target, (req, res) => {
          req.resume();
          // Slow work: it answers after 3 s, unless the request is aborted first.
          const timer = setTimeout(() => sendJson(res, 200, { report: 'done' }), 3000);
          res.on('close', () => clearTimeout(timer));
        });
        const before = upstream.received.length;
        const connection = await ctx.http.connect();
        connection.methods.push('GET');
        await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n\r\n`);
        const record = await pollUntil(() => upstream.received.slice(before).find((r) => r.url === target) ?? (connection.partialResponse ? null : undefined), { timeoutMs: ANSWER_WITHIN_MS, signal: ctx.signal });
        if (!record) {
          const early = connection.partialResponse;
          connection.destroy();
          await upstreamCrash(ctx, `We sent GET ${target} to your proxy`);
          if (early) return ctx.fail('wrong-status', `We sent GET ${target} to your proxy; it answered ${early.status} itself, without sending anything to the upstream.`, (await responseLine(ctx, 'GET', target)) ?? ctx.server.lineOf('request-handler'));
          return ctx.fail('timeout', `We sent GET ${target} to your proxy; after ${ANSWER_WITHIN_MS / 1000} s the upstream had still not received it.`, null);
        }
        ctx.note('the upstream has the request and is working on it: we close our connection now');
        connection.destroy();
        const leftAt = performance.now();
        const aborted = await pollUntil(() => (record.aborted ? true : undefined), { timeoutMs: ABORT_WAIT_MS, signal: ctx.signal });
        // The destroyed upstream request emits 'error' at once (handled, in a correct
        // proxy): the wait for an unhandled one ends on that event, not on a timer.
        await ctx.server.waitFor('client-error', { timeoutMs: 150 });
        await upstreamCrash(ctx, `We sent GET ${target} to your proxy and closed our connection before the upstream answered; your proxy destroyed its upstream request, as it should, but a request destroyed before its response emits 'error'`, 0);
        if (!aborted) {
          ctx.fail(
            'proxy-leaks-upstream',
            `We sent GET ${target} to your proxy and closed our connection while the upstream was still working on it; ${ctx.format.count(Math.round(performance.now() - leftAt))} ms later the upstream's request was still open: your proxy never aborted it, so the upstream goes on working for nobody. Destroy the upstream request when the client's response closes early: res.on('close', () => { if (!res.writableFinished) upstreamReq.destroy(); }).`,
            ctx.server.clientRequestAt((event) => event.path === target),
          );
        }
      },
    },
    {
      // Last: it restarts the proxy with a dead upstream, and the lesson-wide
      // origin is not restored (no check comes after it).
      id: 'upstream-unreachable-502',
      title: 'an unreachable upstream gets 502 {"error":"Bad gateway"}, and the proxy keeps serving',
      timeoutMs: 15_000,
      async run(ctx) {
        // The port is held by a test server (that never answers) while the proxy
        // restarts, and released just before we send: another process on this
        // machine cannot take it over in between. Should one still answer there
        // (the proxy got a response from the "unreachable" origin), we start over
        // once with a fresh port: that says nothing about the proxy.
        for (let attempt = 1; ; attempt++) {
          const gone = await ctx.upstream(() => {});
          ctx.note(`we restart your proxy with ${gone.origin}, then close that port: nothing listens there (connection refused)`);
          await ctx.program.restart({ args: [gone.origin] });
          await gone.close();
          try {
            await expectBadGateway(ctx, '/api/report', 'the upstream is unreachable (connection refused)');
            ctx.note('the next request must get its 502 too');
            await expectBadGateway(ctx, '/api/items?page=2', 'the upstream is unreachable (connection refused)');
            return;
          } catch (error) {
            const foreign = ctx.server.eventsOf('client-res').length > 0;
            if (!foreign || attempt > 1) throw error;
            ctx.note('something else answered on that port (another program took it over): once more, with a fresh port');
          }
        }
      },
    },
  ],
} satisfies LessonChecks;


/**
 * What a connection left unread after a 502 looks like, why, and the learner's
 * line: the probe saw req close incomplete (destroyed: pipeline) or never close
 * (paused: pipe() without resume()); the source says which call carried the body.
 */
function stranded(ctx: CheckContext, what: { sent: string; first: number; total: number; after: string; waited: string }, target: string): { message: string; at: Location | null } {
  const told = `We sent ${what.sent}: the first ${ctx.format.count(what.first)} bytes; the upstream read them and closed its connection without answering; your proxy answered 502 {"error":"Bad gateway"}, as it should, and we sent the other ${ctx.format.count(what.total - what.first)} bytes. Then we sent GET ${what.after} on the same connection: nothing came back for ${what.waited} s, no close and no reset, and your server never received that request.`;
  const post = ctx.server.request({ method: 'POST', url: target });
  const pipelineAt = pipelineOnRequestAt(ctx);
  const pipeAt = bodyPipeAt(ctx);
  const destroyed = post?.requestClosed === true && post.requestComplete === false;
  if (destroyed || (pipelineAt && !pipeAt)) {
    return {
      message: `${told} pipeline(req, upstreamReq) destroyed req when the upstream failed, and it first detaches the socket from the request (req.socket = null) so that the connection is not destroyed with it; the body bytes still arriving then went to a destroyed request, so Node stopped reading the connection, and nothing ever reads it again: every later request on it waits forever. Forward the body with req.pipe(upstreamReq), which only stops forwarding when the upstream fails, and call req.resume() in the upstream request's 'error' listener: it reads and drops the rest of the body, and the connection is ready for the next request.`,
      at: pipelineAt ?? ctx.server.clientRequestAt((event) => event.path === target),
    };
  }
  return {
    message: `${told} Nothing read the rest of the request body: req.pipe(upstreamReq) stops forwarding when the upstream request fails and leaves req paused, so Node stops reading the connection and never gets to the next request. Call req.resume() in the upstream request's 'error' listener: it reads and drops the rest of the body, and the connection is ready for the next request.`,
    at: upstreamErrorListenerAt(ctx, target) ?? pipeAt ?? ctx.server.clientRequestAt((event) => event.path === target),
  };
}

/** The learner's `upstreamReq.on('error', …)` line: where req.resume() belongs. Found by the variable http.request() was assigned to. */
function upstreamErrorListenerAt(ctx: CheckContext, target: string): Location | null {
  const created = ctx.server.clientRequestAt((event) => event.path === target);
  const line = created ? ctx.source.line(created.line) : '';
  const name = /([\w$]+)\s*=\s*[\w$.]*\brequest\s*\(/.exec(line)?.[1];
  if (!name) return null;
  const escaped = name.replace(/\$/g, '\\$');
  return ctx.source.find(new RegExp('(?<![\\w$])' + escaped + "\\s*\\.\\s*(?:on|once|addListener|prependListener)\\s*\\(\\s*['\"`]error['\"`]"));
}

/** A response stream's name (upstreamRes, proxyRes, response): not the request body. */
const RESPONSE_NAME = /res(ponse)?$/i;

/** The learner's pipeline(...) call whose first stream is the request (comments and strings skipped by ctx.source). */
function pipelineOnRequestAt(ctx: CheckContext): Location | null {
  return byStreamName(ctx, /\bpipeline\s*\(\s*([\w$.]+)/);
}

/** The learner's `<request>.pipe(` call. */
function bodyPipeAt(ctx: CheckContext): Location | null {
  return byStreamName(ctx, /([\w$]+)\s*\.pipe\s*\(/);
}

/** Matches of `pattern` (group 1: a stream's name), the request body's first: req-like, then anything but a response. */
function byStreamName(ctx: CheckContext, pattern: RegExp): Location | null {
  const found = ctx.source.findAll(pattern).map((location) => ({ location, name: pattern.exec(ctx.source.line(location.line).slice(location.column - 1))?.[1] ?? '' }));
  const requestLike = found.find(({ name }) => /req/i.test(name) && !RESPONSE_NAME.test(name));
  return (requestLike ?? found.find(({ name }) => name && !RESPONSE_NAME.test(name)))?.location ?? null;
}

// ---- the test upstream's side -------------------------------------------------------

/**
 * Resolves once the request body has been read. A handler runs a microtask after
 * the request arrived, while the test upstream already reads the body into its
 * record: a request without a body has emitted 'end' by then, so waiting for
 * 'end' alone would wait forever.
 */
function bodyDone(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', () => resolve());
    req.once('close', () => resolve());
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

// ---- the proxy's side ------------------------------------------------------------------

/** An uncaught error that an upstream request emitted (refused, reset, "socket hang up"). */
function fromUpstream(error: { code?: string; message: string }): boolean {
  return error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || /socket hang up/.test(error.message);
}

/** For the engine's diagnosis of a crash while a request goes through the proxy: what it means here, and where. */
function upstreamCrashEvidence(ctx: CheckContext): void {
  ctx.evidence({
    crash: { pitfall: 'proxy-no-upstream-error', because: UNHANDLED_UPSTREAM_ERROR, when: fromUpstream },
    location: () => ctx.server.clientRequestAt(),
  });
}

/** Where the failed upstream request was made: the one the failing error belongs to. */
function upstreamErrorAt(ctx: CheckContext, target: string): Location | null {
  const failed = ctx.server.eventsOf('client-error').pop();
  const byId = failed?.id != null ? ctx.server.eventsOf('client-create').find((event) => event.id === failed.id)?.at : null;
  return byId ?? ctx.server.clientRequestAt((event) => event.path === target);
}

/**
 * Where the whole body went up in one piece: the learner's write()/end() on the
 * upstream request that carried (nearly) all of it, else the http.request line.
 */
function bodyBufferedAt(ctx: CheckContext, target: string, total: number): Location | null {
  const created = ctx.server.eventsOf('client-create').filter((event) => event.path === target).pop();
  const calls = ctx.server.eventsOf('client-call').filter((call) => (!created || call.id === created.id) && (call.fn === 'write' || call.fn === 'end') && (call.bytes ?? 0) >= total / 2 && call.at);
  return calls[0]?.at ?? created?.at ?? ctx.server.lineOf('data-listener');
}

/** Where the whole response body went to the client in one piece: the write()/end() that carried it. */
async function bufferedResponseAt(ctx: CheckContext, target: string): Promise<Location | null> {
  const record = await ctx.server.settled('GET', target);
  const calls = record?.calls.filter((c) => !c.nested && c.at) ?? [];
  const written = calls.find((c) => (c.fn === 'write' || c.fn === 'end') && (c.bytes ?? 0) > 0) ?? calls.find((c) => c.fn === 'writeHead');
  return written?.at ?? record?.lastCallAt ?? ctx.server.lineOf('end-listener');
}

/** The upstream fails (`failure` says how): the client must get 502 {"error":"Bad gateway"} as JSON. */
async function expectBadGateway(ctx: CheckContext, target: string, failure: string): Promise<void> {
  const started = performance.now();
  let res: HttpResponse;
  try {
    res = await ctx.http.request('GET', target, { timeoutMs: ANSWER_WITHIN_MS });
  } catch (error) {
    await upstreamCrash(ctx, `We sent GET ${target} to your proxy, and ${failure}`);
    // Any other crash is the engine's to report; and a proxy that never asked the
    // upstream (no upstream request, no upstream error) did not fail at upstream errors.
    if (ctx.server.eventsOf('uncaught').length > 0 || ctx.server.crash()) {
      await ctx.program.waitForExit(1500);
      throw error;
    }
    const tried = ctx.server.eventsOf('client-error').length > 0 || ctx.server.eventsOf('client-create').some((event) => event.path === target);
    if (!tried) throw error;
    const reason = (error as { reason?: unknown }).reason;
    const waited = Math.round(performance.now() - started);
    const upstreamError = ctx.server.eventsOf('client-error').filter((event) => event.handled).pop();
    if (reason === 'timeout') {
      // The error counts as handled when pipeline() listens for it too: then the
      // learner's code to blame is pipeline's callback, not an 'error' listener.
      const catcher = ctx.server.eventsOf('stream-pipeline').length > 0 ? "pipeline()'s callback received it" : "your 'error' listener ran";
      const handled = upstreamError
        ? ` Your proxy's upstream request failed with ${upstreamError.code ?? upstreamError.name} (${upstreamError.message}), and ${catcher}, but it never answered us:`
        : ' Your proxy never answered us:';
      ctx.fail(
        'proxy-no-upstream-error',
        `We sent GET ${target} to your proxy, and ${failure}.${handled} nothing came back for ${ctx.format.seconds(waited)}. In the upstream request's 'error' listener, answer 502 {"error":"Bad gateway"}.`,
        upstreamErrorAt(ctx, target),
      );
    }
    if (reason === 'closed' || reason === 'reset') {
      ctx.fail(
        'proxy-no-upstream-error',
        `We sent GET ${target} to your proxy, and ${failure}; your proxy ${reason === 'reset' ? 'reset' : 'closed'} our connection without an answer, instead of answering 502 {"error":"Bad gateway"}.`,
        upstreamErrorAt(ctx, target),
      );
    }
    throw error;
  }
  if (res.status !== 502) {
    ctx.fail('wrong-status', `We sent GET ${target} to your proxy, and ${failure}; your proxy answered ${res.status} ${ctx.format.body(res.text)}, expected 502 {"error":"Bad gateway"}: 502 Bad Gateway says the upstream failed.`, await responseLine(ctx, 'GET', target, STATUS_CALL));
  }
  ctx.expect(res).contentType('application/json').json(BAD_GATEWAY);
}

/**
 * The proxy died of an upstream request's 'error' that nothing listened to:
 * proxy-no-upstream-error. The probe reports the error unhandled (client-error
 * with handled: false) before Node throws it, at most `waitMs` after the failure
 * (0: the caller already waited for it); we then wait for the exit.
 */
async function upstreamCrash(ctx: CheckContext, lead: string, waitMs = 150): Promise<void> {
  const unhandled = ctx.server.eventsOf('client-error').find((event) => !event.handled) ?? (ctx.server.crash() || waitMs === 0 ? null : await ctx.server.waitFor('client-error', { timeoutMs: waitMs, where: (event) => !event.handled }));
  const uncaught = ctx.server.eventsOf('uncaught').pop() ?? null;
  if (!unhandled && !(uncaught && fromUpstream(uncaught))) return;
  await ctx.program.waitForExit(1500);
  const error = unhandled ?? uncaught!;
  const created = unhandled?.id != null ? ctx.server.eventsOf('client-create').find((event) => event.id === unhandled.id)?.at : null;
  ctx.fail(
    'proxy-no-upstream-error',
    `${lead}. The upstream request failed with ${error.code ?? error.name} (${error.message}); ${UNHANDLED_UPSTREAM_ERROR}.`,
    created ?? uncaught?.at ?? ctx.server.clientRequestAt(),
  );
}

/** The text parses as JSON equal to `value`. */
function sameJson(ctx: CheckContext, text: string, value: unknown): boolean {
  try {
    return ctx.json.equal(JSON.parse(text), value);
  } catch {
    return false;
  }
}
