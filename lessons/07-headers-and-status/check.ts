// Lesson 07: the head leaves with the first byte of body.
// - GET /report: 200, text/plain; charset=utf-8, X-Report-Id echoing X-Request-Id
//   (or "none"), body "line 1\nline 2\nline 3\n" written with at least two
//   res.write() calls before res.end();
// - GET /report?fail=1: 500 {"error":"Report failed"} and no part of the report;
// - GET /greeting?name=X: 200 {"greeting":"Hello, X!"} with an explicit
//   Content-Length counted in bytes (never chunked), checked with Zoë and 😀;
// - HEAD /greeting?name=X: the same status and headers, no body;
// - any other path: 404 {"error":"Not found"}.
//
// Not sent on purpose: HEAD /report, a missing name, an empty X-Request-Id.
//
// mutant drop-guard#2: out of contract: the task names GET and HEAD on /report and /greeting and 404 elsewhere, never another method there (no 405)
// mutant drop-allow-header#1: out of contract, as drop-guard#2
// mutant header-after-write#2: out of contract, as drop-guard#2 (the Allow header of that 405)
// mutant drop-answer-in-branch#2: out of contract, as drop-guard#2
// mutant wrong-status-code#1: out of contract, as drop-guard#2 (405 → 404)
// mutant drop-return-after-answer#2: out of contract, as drop-guard#2
// mutant host-url-base#1: out of contract: only lesson 02's task says an empty or malformed Host must be answered; this lesson's task does not, and no check sends one
import type { CheckContext, HttpResponse, LessonChecks, NoResponseError } from 'httpdojo/check';
import { expectUtf8, headerCall } from 'httpdojo/check';

const REPORT = 'line 1\nline 2\nline 3\n';
const REPORT_FAILED = { error: 'Report failed' };
const NOT_FOUND = { error: 'Not found' };
const greetingOf = (name: string) => JSON.stringify({ greeting: `Hello, ${name}!` });

export default {
  // An uncaught ERR_HTTP_HEADERS_SENT can only mean a status or header set after
  // the body started; the checks below also name the line when they see it.
  crashes: { ERR_HTTP_HEADERS_SENT: 'headers-after-body' },
  checks: [
    {
      id: 'report',
      title: 'GET /report gets 200 text/plain; charset=utf-8, X-Report-Id from X-Request-Id, and the three lines in at least two res.write() calls',
      async run(ctx) {
        const res = await ask(ctx, 'GET', '/report', { 'X-Request-Id': 'req-7f3a' });
        ctx.expect(res).status(200).contentType('text/plain');
        await expectUtf8(ctx, res, 'wrong-content-type');
        ctx.expect(res).header('X-Report-Id', 'req-7f3a').text(REPORT);
        const record = await ctx.server.settled('GET', '/report', { timeoutMs: 500 });
        const writes = (record?.calls ?? []).filter((call) => call.fn === 'write' && !call.nested && (call.bytes ?? 0) > 0);
        if (record && writes.length < 2) {
          const end = record.calls.filter((call) => call.fn === 'end' && !call.nested).pop();
          ctx.fail(
            'wrong-body',
            `We sent GET /report; the body was right, but your server wrote it with ${writes.length} res.write() call${writes.length === 1 ? '' : 's'}${end?.bytes ? ` and put ${end.bytes} bytes in res.end()` : ''}: the task asks for the lines to go out in at least two res.write() calls before res.end().`,
            end?.at ?? record.lastCallAt,
          );
        }
      },
    },
    {
      id: 'report-id-none',
      title: 'GET /report without an X-Request-Id header gets X-Report-Id: none',
      async run(ctx) {
        const res = await ask(ctx, 'GET', '/report');
        ctx.expect(res).status(200).header('X-Report-Id', 'none').text(REPORT);
      },
    },
    {
      id: 'report-fail',
      title: 'GET /report?fail=1 gets 500 {"error":"Report failed"} and no part of the report',
      async run(ctx) {
        const target = '/report?fail=1';
        const firstWriteOf = (record: Awaited<ReturnType<typeof ctx.server.settled>>) =>
          record?.calls.find((call) => (call.fn === 'write' || call.fn === 'end') && !call.nested && (call.bytes ?? 0) > 0);
        let res: HttpResponse;
        try {
          res = await ask(ctx, 'GET', target, { 'X-Request-Id': 'req-fail' });
        } catch (error) {
          // Cut off after the head: a 200 already sent, then the connection dropped
          // (res.destroy() once the failure was known). Not a crash: those are reported as such.
          const partial = (error as Partial<NoResponseError>).partial;
          const record = ctx.server.crash() ? undefined : await ctx.server.settled('GET', target, { timeoutMs: 500 });
          const firstWrite = firstWriteOf(record);
          if (record && firstWrite && (partial ? partial.status !== 500 : !record.finished)) {
            const got = partial ? `we received status ${partial.status} and ${ctx.format.body(partial.body)}, then the connection was cut` : 'the connection was cut before anything arrived';
            ctx.fail(
              'headers-after-body',
              `We sent GET /report?fail=1; ${got}: your server had started writing the report before its failure was known, so the 500 could no longer be sent. Produce the lines first, then write the head.`,
              firstWrite.at ?? record.lastCallAt,
            );
          }
          throw error;
        }
        if (res.status !== 500) {
          const record = await ctx.server.settled('GET', target, { timeoutMs: 500 });
          // A status or header change attempted after the body started (the head was already sent).
          const thrown = (record ? record.errors : ctx.server.eventsOf('call-threw')).find((event) => event.t === 'call-threw' && event.code === 'ERR_HTTP_HEADERS_SENT');
          const ignored = record?.calls.find((call) => call.fn === 'statusCode' && !call.nested && call.state.headersSent);
          const late = thrown?.t === 'call-threw'
            ? { what: `res.${thrown.fn}() (it threw ERR_HTTP_HEADERS_SENT)`, at: thrown.at }
            : ignored ? { what: `res.statusCode = ${ignored.status} (silently ignored)`, at: ignored.at } : null;
          if (late || (res.text.startsWith('line 1') && res.text !== REPORT)) {
            ctx.fail(
              'headers-after-body',
              `We sent GET /report?fail=1; we got status ${res.status} and the body ${ctx.format.body(res)}: the report had started (status ${res.status} already on the wire) before its failure was known, so ${late ? `${late.what} came too late and changed nothing` : 'the 500 could no longer be sent'}.`,
              late?.at ?? firstWriteOf(record)?.at ?? record?.lastCallAt ?? null,
            );
          }
        }
        ctx.expect(res).status(500).contentType('application/json').json(REPORT_FAILED);
      },
    },
    {
      id: 'greeting',
      title: 'GET /greeting?name=Bob gets 200 {"greeting":"Hello, Bob!"} as JSON',
      async run(ctx) {
        const res = await ask(ctx, 'GET', '/greeting?name=Bob');
        ctx.expect(res).status(200).contentType('application/json').json({ greeting: 'Hello, Bob!' });
      },
    },
    {
      id: 'greeting-content-length',
      title: 'GET /greeting with a non-ASCII name (Zoë, 😀) has a Content-Length equal to the body size in bytes, not chunked',
      async run(ctx) {
        for (const name of ['Zoë', '😀']) {
          // Kept open (expectByteLength closes it): bytes beyond the announced Content-Length arrive on it.
          const res = await ask(ctx, 'GET', `/greeting?name=${encodeURIComponent(name)}`, {}, true, greetingOf(name));
          ctx.expect(res).status(200);
          await expectByteLength(ctx, res, name);
          ctx.expect(res).contentType('application/json').json({ greeting: `Hello, ${name}!` });
        }
      },
    },
    {
      id: 'greeting-head',
      title: 'HEAD /greeting?name=Zoë gets the same status and headers as GET (Content-Length in bytes), and no body',
      async run(ctx) {
        const res = await ask(ctx, 'HEAD', `/greeting?name=${encodeURIComponent('Zoë')}`, {}, true, greetingOf('Zoë'));
        ctx.expect(res).status(200).contentType('application/json');
        await expectByteLength(ctx, res, 'Zoë');
      },
    },
    {
      id: 'not-found',
      title: 'any other path (/nope, /report/2024, /greetings) gets 404 {"error":"Not found"}',
      async run(ctx) {
        for (const target of ['/nope', '/report/2024', '/greetings?name=Bob']) {
          const res = await ask(ctx, 'GET', target);
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
  ],
} satisfies LessonChecks;

/** A request; a response cut short by a call that threw on it says why (the process may be exiting: its last events are on their way). */
async function ask(ctx: CheckContext, method: string, target: string, headers: Record<string, string> = {}, keepOpen = false, expectedBody?: string): Promise<HttpResponse> {
  try {
    return await ctx.http.request(method, target, { headers, keepOpen });
  } catch (error) {
    await ctx.program.waitForExit(500);
    const partial = (error as Partial<NoResponseError>).partial;
    const got = `${partial ? `we received status ${partial.status} and ${ctx.format.body(partial.body)}, then the connection closed` : 'the connection closed before anything came back'}: your server`;
    const crashed = ctx.server.crash() ? ' and crashed the process' : '';
    const late = ctx.server.eventsOf('call-threw').find((event) => event.code === 'ERR_HTTP_HEADERS_SENT');
    if (late) ctx.fail('headers-after-body', `We sent ${method} ${target}; ${got} called res.${late.fn}() after the body had started, when the status and headers were already on their way, so it threw ERR_HTTP_HEADERS_SENT${crashed}.`, late.at);
    // res.strictContentLength = true turns a Content-Length counted in UTF-16 units into this throw.
    const mismatch = ctx.server.eventsOf('call-threw').find((event) => event.code === 'ERR_HTTP_CONTENT_LENGTH_MISMATCH');
    const set = mismatch && expectedBody !== undefined ? headerCall(await ctx.server.settled(method, target, { timeoutMs: 500 }), 'content-length') : null;
    if (mismatch && set && Number(set.value) === expectedBody?.length) {
      ctx.fail('content-length-string-length', `We sent ${method} ${target}; ${got} set Content-Length: ${set.value}, the length of the string ${expectedBody} in UTF-16 units, but the body is ${Buffer.byteLength(expectedBody)} bytes in UTF-8, so res.${mismatch.fn}() threw ERR_HTTP_CONTENT_LENGTH_MISMATCH${crashed}.`, set.call.at ?? mismatch.at);
    }
    throw error;
  }
}

/** Content-Length present (not chunked) and the body's UTF-8 size; the string's .length is content-length-string-length. */
async function expectByteLength(ctx: CheckContext, res: HttpResponse, name: string): Promise<void> {
  const [{ method, target }, body] = [res.request, greetingOf(name)];
  const bytes = Buffer.byteLength(body);
  const record = await ctx.server.settled(method, target, { timeoutMs: 500 });
  const at = headerCall(record, 'content-length')?.call.at ?? ctx.server.callLine(record, { fn: ['writeHead', 'setHeader'] });
  try {
    const declared = res.headers['content-length'];
    if (declared === undefined) {
      const what = method === 'HEAD'
        ? `the answer had no Content-Length header, but it must announce the ${bytes} bytes of the GET body: Node adds its own Content-Length only when a body is actually sent, so set it yourself with Buffer.byteLength()`
        : `the answer had no Content-Length header (${res.framing === 'chunked' ? 'Transfer-Encoding: chunked instead' : 'the body ran until the connection closed'}), but it must announce the body's ${bytes} bytes: a head written before Node sees the body goes chunked, so set the length yourself with Buffer.byteLength()`;
      ctx.fail('wrong-header', `We sent ${method} ${target}; ${what}.`, at);
    }
    const announced = Number(declared);
    if (announced === bytes) return;
    // Bytes written (the probe counts what write()/end() got) beyond the announced length arrive with the body; 300 ms for stragglers.
    const written = Math.max(0, ...(record?.calls ?? []).filter((call) => call.fn === 'write' || call.fn === 'end').map((call) => call.totalBytes ?? 0));
    for (let waited = 0; method === 'GET' && res.connection.leftover.length < written - announced && !res.connection.closed && waited < 300; waited += 20) await ctx.sleep(20);
    const leftover = res.connection.leftover;
    if (announced === body.length || (method === 'GET' && announced === Buffer.concat([res.body, leftover]).toString('utf8').length)) {
      const wire = method === 'GET' ? ` We read ${res.body.length} bytes (${ctx.format.body(res.body)})${leftover.length ? ` and ${leftover.length} byte${leftover.length === 1 ? ' was' : 's were'} left over on the connection (${ctx.format.body(leftover)}), where the next response should start` : ''}.`
        : ' A client would read that many bytes of the GET body and stop short.';
      ctx.fail('content-length-string-length', `We sent ${method} ${target}; your server announced Content-Length: ${announced}, the length of the string ${body} in UTF-16 units, but in UTF-8 it is ${bytes} bytes.${wire}`, at);
    }
    ctx.fail('wrong-header', `We sent ${method} ${target}; your server announced Content-Length: ${declared}, but the body ${body} is ${bytes} bytes in UTF-8.`, at);
  } finally {
    res.connection.destroy();
  }
}
