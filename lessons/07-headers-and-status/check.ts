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
import type { CheckContext, HttpResponse, LessonChecks, Location, ProbeEvent, ResponseCall, ResponseRecord } from 'httpdojo/check';

type EventOf<T extends ProbeEvent['t']> = Extract<ProbeEvent, { t: T }>;

const REPORT = 'line 1\nline 2\nline 3\n';
const REPORT_FAILED = { error: 'Report failed' };
const NOT_FOUND = { error: 'Not found' };

export default {
  // An uncaught ERR_HTTP_HEADERS_SENT can only mean a status or header set after
  // the body started; the checks below also name the line when they see it.
  crashes: { ERR_HTTP_HEADERS_SENT: 'headers-after-body' },
  checks: [
    {
      id: 'report',
      title: 'GET /report gets 200 text/plain; charset=utf-8, X-Report-Id from X-Request-Id, and the three lines in at least two res.write() calls',
      async run(ctx) {
        const target = '/report';
        const res = await send(ctx, 'GET', target, { 'X-Request-Id': 'req-7f3a' });
        ctx.expect(res).status(200).contentType('text/plain');
        await expectUtf8Charset(ctx, res);
        ctx.expect(res).header('X-Report-Id', 'req-7f3a').text(REPORT);
        const record = await recordOf(ctx, 'GET', target);
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
        const res = await send(ctx, 'GET', '/report');
        ctx.expect(res).status(200).header('X-Report-Id', 'none').text(REPORT);
      },
    },
    {
      id: 'report-fail',
      title: 'GET /report?fail=1 gets 500 {"error":"Report failed"} and no part of the report',
      async run(ctx) {
        const target = '/report?fail=1';
        let res: HttpResponse;
        try {
          res = await send(ctx, 'GET', target, { 'X-Request-Id': 'req-fail' });
        } catch (error) {
          // Cut off after the head: a 200 already sent, then the connection dropped
          // (res.destroy() once the failure was known). Not a crash: those are reported as such.
          const partial = (error as { partial?: { status: number; body: Buffer } | null }).partial;
          const record = ctx.server.crash() ? undefined : await recordOf(ctx, 'GET', target);
          const firstWrite = record?.calls.find((call) => (call.fn === 'write' || call.fn === 'end') && !call.nested && (call.bytes ?? 0) > 0);
          if (record && firstWrite && (partial ? partial.status !== 500 : !record.finished)) {
            const got = partial ? `we received status ${partial.status} and ${quote(partial.body.toString('utf8'))}, then the connection was cut` : 'the connection was cut before anything arrived';
            ctx.fail(
              'headers-after-body',
              `We sent GET /report?fail=1; ${got}: your server had started writing the report before its failure was known, so the 500 could no longer be sent. Produce the lines first, then write the head.`,
              firstWrite.at ?? record.lastCallAt,
            );
          }
          throw error;
        }
        if (res.status !== 500) {
          const record = await recordOf(ctx, 'GET', target);
          const late = lateHeadCall(ctx, record);
          const started = res.text.startsWith('line 1');
          if (late || (started && res.text !== REPORT)) {
            const firstWrite = record?.calls.find((call) => (call.fn === 'write' || call.fn === 'end') && !call.nested && (call.bytes ?? 0) > 0);
            ctx.fail(
              'headers-after-body',
              `We sent GET /report?fail=1; we got status ${res.status} and the body ${quote(res.text)}: the report had started (status ${res.status} already on the wire) before its failure was known, so ${late ? `${late.what} came too late and changed nothing` : 'the 500 could no longer be sent'}.`,
              late?.at ?? firstWrite?.at ?? record?.lastCallAt ?? null,
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
        const res = await send(ctx, 'GET', '/greeting?name=Bob');
        ctx.expect(res).status(200).contentType('application/json').json({ greeting: 'Hello, Bob!' });
      },
    },
    {
      id: 'greeting-content-length',
      title: 'GET /greeting with a non-ASCII name (Zoë, 😀) has a Content-Length equal to the body size in bytes, not chunked',
      async run(ctx) {
        for (const name of ['Zoë', '😀']) {
          const res = await greeting(ctx, 'GET', name);
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
        const name = 'Zoë';
        const res = await greeting(ctx, 'HEAD', name);
        ctx.expect(res).status(200).contentType('application/json');
        await expectByteLength(ctx, res, name);
      },
    },
    {
      id: 'not-found',
      title: 'any other path (/nope, /report/2024, /greetings) gets 404 {"error":"Not found"}',
      async run(ctx) {
        for (const target of ['/nope', '/report/2024', '/greetings?name=Bob']) {
          const res = await send(ctx, 'GET', target);
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
  ],
} satisfies LessonChecks;

/** A request; when no complete response comes back, a status or header set after the body started is named first. */
async function send(ctx: CheckContext, method: string, target: string, headers: Record<string, string> = {}, keepOpen = false, expectedBody?: string): Promise<HttpResponse> {
  try {
    return await ctx.http.request(method, target, { headers, keepOpen });
  } catch (error) {
    // The process may be exiting: its last events (the throw) are still on their way.
    await ctx.program.waitForExit(500);
    const partial = (error as { partial?: { status: number; body: Buffer } | null }).partial;
    const got = partial
      ? `we received status ${partial.status} and ${quote(partial.body.toString('utf8'))}, then the connection closed`
      : 'the connection closed before anything came back';
    const crashed = ctx.server.crash() !== null;
    const thrown = ctx.server.eventsOf('call-threw');
    const headersSent = thrown.find((event) => event.code === 'ERR_HTTP_HEADERS_SENT');
    if (headersSent) {
      ctx.fail(
        'headers-after-body',
        `We sent ${method} ${target}; ${got}: your server called res.${headersSent.fn}() after the body had started, when the status and headers were already on their way, so it threw ERR_HTTP_HEADERS_SENT${crashed ? ' and crashed the process' : ''}.`,
        headersSent.at,
      );
    }
    // res.strictContentLength = true turns a wrong Content-Length into this throw.
    const mismatch = thrown.find((event) => event.code === 'ERR_HTTP_CONTENT_LENGTH_MISMATCH');
    if (mismatch && expectedBody !== undefined) {
      const record = await recordOf(ctx, method, target);
      const call = contentLengthCall(record);
      const announced = Number(call ? contentLengthOf(call) : NaN);
      if (announced === expectedBody.length) {
        ctx.fail(
          'content-length-string-length',
          `We sent ${method} ${target}; ${got}: your server set Content-Length: ${announced}, the length of the string ${expectedBody} in UTF-16 units, but the body is ${Buffer.byteLength(expectedBody)} bytes in UTF-8, so res.${mismatch.fn}() threw ERR_HTTP_CONTENT_LENGTH_MISMATCH${crashed ? ' and crashed the process' : ''}.`,
          call?.at ?? mismatch.at,
        );
      }
    }
    throw error;
  }
}

/** Kept open (expectByteLength closes it): bytes beyond the announced Content-Length arrive on it. */
function greeting(ctx: CheckContext, method: string, name: string): Promise<HttpResponse> {
  return send(ctx, method, `/greeting?name=${encodeURIComponent(name)}`, {}, true, JSON.stringify({ greeting: `Hello, ${name}!` }));
}

/**
 * Content-Length must be present (not chunked) and equal the UTF-8 size of the
 * expected body. One equal to the string's .length is content-length-string-length.
 */
async function expectByteLength(ctx: CheckContext, res: HttpResponse, name: string): Promise<void> {
  const { method, target } = res.request;
  const body = JSON.stringify({ greeting: `Hello, ${name}!` });
  const bytes = Buffer.byteLength(body);
  const record = await recordOf(ctx, method, target);
  const lengthCall = contentLengthCall(record);
  try {
    const declared = res.headers['content-length'];
    if (declared === undefined) {
      const what = method === 'HEAD'
        ? `the answer had no Content-Length header, but it must announce the ${bytes} bytes of the GET body: Node adds its own Content-Length only when a body is actually sent, so set it yourself with Buffer.byteLength()`
        : `the answer had no Content-Length header (${res.framing === 'chunked' ? 'Transfer-Encoding: chunked instead' : 'the body ran until the connection closed'}), but it must announce the body's ${bytes} bytes: a head written before Node sees the body goes chunked, so set the length yourself with Buffer.byteLength()`;
      ctx.fail('wrong-header', `We sent ${method} ${target}; ${what}.`, lengthCall?.at ?? headCall(record)?.at ?? record?.lastCallAt ?? null);
    }
    const announced = Number(declared);
    if (announced === bytes) return;
    // What the server actually wrote: the probe counts the bytes handed to write()/end().
    const written = writtenBytes(record);
    if (method === 'GET' && written > announced) await waitForLeftover(ctx, res, written - announced);
    const leftover = res.connection.leftover;
    const sentText = method === 'GET' ? Buffer.concat([res.body, leftover]).toString('utf8') : body;
    if (announced === sentText.length || announced === body.length) {
      const wire = method === 'GET'
        ? ` We read ${res.body.length} bytes (${quote(res.body.toString('utf8'))})${leftover.length ? ` and ${leftover.length} byte${leftover.length === 1 ? ' was' : 's were'} left over on the connection (${quote(leftover.toString('utf8'))}), where the next response should start` : ''}.`
        : ' A client would read that many bytes of the GET body and stop short.';
      ctx.fail(
        'content-length-string-length',
        `We sent ${method} ${target}; your server announced Content-Length: ${announced}, the length of the string ${body} in UTF-16 units, but in UTF-8 it is ${bytes} bytes.${wire}`,
        lengthCall?.at ?? headCall(record)?.at ?? null,
      );
    }
    ctx.fail('wrong-header', `We sent ${method} ${target}; your server announced Content-Length: ${declared}, but the body ${body} is ${bytes} bytes in UTF-8.`, lengthCall?.at ?? headCall(record)?.at ?? null);
  } finally {
    res.connection.destroy();
  }
}

/** The probe's record of the request, once its response has finished or closed. */
async function recordOf(ctx: CheckContext, method: string, target: string): Promise<ResponseRecord | undefined> {
  const req = await ctx.server.waitFor('req', { timeoutMs: 500, where: (event) => event.method === method && event.url === target });
  if (req) {
    await ctx.server.waitFor('res-finish', { timeoutMs: 300, where: (event) => event.id === req.id });
    return ctx.server.requests().find((record) => record.id === req.id);
  }
  return ctx.server.request({ method, url: (url) => url === target });
}

/** A status or header change attempted after the body started (the head was already sent). */
function lateHeadCall(ctx: CheckContext, record: ResponseRecord | undefined): { what: string; at: Location | null } | null {
  const thrown = (record ? record.errors : ctx.server.eventsOf('call-threw')).find(
    (event): event is EventOf<'call-threw'> => event.t === 'call-threw' && event.code === 'ERR_HTTP_HEADERS_SENT',
  );
  if (thrown) return { what: `res.${thrown.fn}() (it threw ERR_HTTP_HEADERS_SENT)`, at: thrown.at };
  const ignored = record?.calls.find((call) => call.fn === 'statusCode' && !call.nested && call.state.headersSent);
  if (ignored) return { what: `res.statusCode = ${ignored.status} (silently ignored)`, at: ignored.at };
  return null;
}

function contentLengthCall(record: ResponseRecord | undefined): ResponseCall | undefined {
  return record?.calls.filter((call) => !call.nested && (
    (call.fn === 'setHeader' && String(call.name).toLowerCase() === 'content-length') ||
    (call.fn === 'writeHead' && headerNames(call).includes('content-length'))
  )).pop();
}

function contentLengthOf(call: ResponseCall): string | undefined {
  if (call.fn === 'setHeader') return Array.isArray(call.value) ? call.value[0] : call.value;
  if (Array.isArray(call.headers)) {
    const index = call.headers.findIndex((item, i) => i % 2 === 0 && item.toLowerCase() === 'content-length');
    return index >= 0 ? call.headers[index + 1] : undefined;
  }
  const key = Object.keys(call.headers ?? {}).find((name) => name.toLowerCase() === 'content-length');
  return key ? (call.headers as Record<string, string>)[key] : undefined;
}

function headCall(record: ResponseRecord | undefined): ResponseCall | undefined {
  return record?.calls.filter((call) => !call.nested && (call.fn === 'writeHead' || call.fn === 'setHeader')).pop();
}

function headerNames(call: ResponseCall): string[] {
  if (!call.headers) return [];
  if (Array.isArray(call.headers)) return call.headers.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
  return Object.keys(call.headers).map((name) => name.toLowerCase());
}

function writtenBytes(record: ResponseRecord | undefined): number {
  return Math.max(0, ...(record?.calls ?? []).filter((call) => call.fn === 'write' || call.fn === 'end').map((call) => call.totalBytes ?? 0));
}

/** Bytes beyond the announced length usually arrive with the body; give stragglers a moment. */
async function waitForLeftover(ctx: CheckContext, res: HttpResponse, expected: number): Promise<void> {
  for (let waited = 0; res.connection.leftover.length < expected && !res.connection.closed && waited < 300; waited += 20) await ctx.sleep(20);
}

async function expectUtf8Charset(ctx: CheckContext, res: HttpResponse): Promise<void> {
  const type = res.headers['content-type'] ?? '';
  if (!/;\s*charset\s*=\s*"?utf-8"?\s*(;|$)/i.test(type)) {
    const record = await recordOf(ctx, res.request.method, res.request.target);
    const call = record?.calls.filter((c) => !c.nested && (
      (c.fn === 'setHeader' && String(c.name).toLowerCase() === 'content-type') || (c.fn === 'writeHead' && headerNames(c).includes('content-type')))).pop();
    ctx.fail('wrong-content-type', `We sent ${res.request.method} ${res.request.target}; expected Content-Type text/plain; charset=utf-8, got ${JSON.stringify(type)}: without the charset, a client may not decode the text as UTF-8.`, call?.at ?? headCall(record)?.at ?? null);
  }
}

function quote(text: string, max = 80): string {
  if (text === '') return 'an empty body';
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
