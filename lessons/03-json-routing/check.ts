// Lesson 03: a read-only JSON API over two users kept in memory. GET /api/users
// and GET /api/users/:id answer 200; an unknown or non-numeric id and any other
// path answer 404 {"error":"Not found"}; other methods on the two API paths
// answer 405 {"error":"Method not allowed"} with Allow: GET; a query string never
// changes the route; and every route answers (a branch without a response hangs).
//
// Not sent on purpose: DELETE or PUT on an unknown id (404 and 405 are both
// defensible there), HEAD, leading zeros, trailing slashes.
import type { CheckContext, HttpResponse, LessonChecks, Location, ResponseRecord } from 'httpdojo/check';

const ALICE = { id: 1, name: 'Alice' };
const BOB = { id: 2, name: 'Bob' };
const USERS = [ALICE, BOB];
const NOT_FOUND = { error: 'Not found' };
const NOT_ALLOWED = { error: 'Method not allowed' };

export default {
  checks: [
    {
      id: 'list-users',
      title: 'GET /api/users gets 200 and the JSON array of users',
      async run(ctx) {
        const res = await send(ctx, 'GET', '/api/users');
        expectAnswer(ctx, res, 200, USERS);
      },
    },
    {
      id: 'user-by-id',
      title: 'GET /api/users/1 and GET /api/users/2 get 200 with Alice and Bob',
      async run(ctx) {
        const alice = await send(ctx, 'GET', '/api/users/1');
        expectAnswer(ctx, alice, 200, ALICE);
        const bob = await send(ctx, 'GET', '/api/users/2');
        expectAnswer(ctx, bob, 200, BOB);
      },
    },
    {
      id: 'unknown-user-404',
      title: 'a user that does not exist (/api/users/99) or a non-numeric id (abc, 2abc) gets 404 {"error":"Not found"}',
      async run(ctx) {
        // Sent together: a branch that never answers costs one 2 s wait, not three.
        const targets = ['/api/users/99', '/api/users/abc', '/api/users/2abc'];
        const settled = await Promise.allSettled(targets.map((target) => ctx.http.request('GET', target)));
        const hung = settled.flatMap((result, i) => (result.status === 'rejected' && isTimeout(result.reason) ? [targets[i]] : []));
        for (const [i, result] of settled.entries()) {
          if (result.status === 'rejected') await noAnswer(ctx, 'GET', targets[i], result.reason, hung);
          const res = (result as PromiseFulfilledResult<HttpResponse>).value;
          await ctx.server.recordOf(res);
          if (res.status === 200 && targets[i] === '/api/users/2abc' && isBob(res.json)) {
            ctx.fail('wrong-status', `We sent GET /api/users/2abc; you answered 200 with Bob, but "2abc" is not a number: parseInt('2abc') is 2, so test the id with /^\\d+$/ before converting it.`, ctx.source.find(/parseInt\s*\(/) ?? lastCall(ctx, 'GET', targets[i]));
          }
          expectAnswer(ctx, res, 404, NOT_FOUND);
        }
      },
    },
    {
      id: 'query-does-not-route',
      title: 'a query string never changes the route: /api/users/2?format=json is Bob, /api/users?page=2 the list',
      async run(ctx) {
        await expectSameRoute(ctx, '/api/users/2?format=json', '/api/users/2', BOB);
        await expectSameRoute(ctx, '/api/users?page=2', '/api/users', USERS);
      },
    },
    {
      id: 'method-not-allowed',
      title: 'other methods on /api/users and /api/users/:id get 405 {"error":"Method not allowed"} with Allow: GET',
      async run(ctx) {
        const attempts: Array<[string, string, string?]> = [
          ['POST', '/api/users', '{"name":"Carol"}'],
          ['DELETE', '/api/users/1'],
          ['PUT', '/api/users/2', '{"name":"Robert"}'],
          ['PATCH', '/api/users'],
        ];
        for (const [method, target, body] of attempts) {
          const res = await send(ctx, method, target, body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } });
          expectAnswer(ctx, res, 405);
          const allow = res.headers.allow;
          const methods = allow?.split(',').map((name) => name.trim()).filter(Boolean) ?? [];
          if (methods.length !== 1 || methods[0] !== 'GET') {
            const record = findRecord(ctx, method, target);
            ctx.fail(
              'missing-allow-header',
              allow === undefined
                ? `We sent ${method} ${target}; you answered 405 with no Allow header, but a 405 must list the methods the resource supports: Allow: GET.`
                : `We sent ${method} ${target}; you answered 405 with Allow: ${allow}, but this resource supports only GET: Allow: GET.`,
              allowLocation(ctx, record, allow !== undefined),
            );
          }
          expectAnswer(ctx, res, 405, NOT_ALLOWED);
        }
      },
    },
    {
      id: 'other-paths-404',
      title: 'any other path gets 404 {"error":"Not found"}, whatever the method',
      async run(ctx) {
        const attempts: Array<[string, string]> = [
          ['GET', '/'],
          ['GET', '/api'],
          ['GET', '/users/1'],
          ['GET', '/api/user'],
          ['GET', '/api/users/1/posts'],
          ['POST', '/nope'],
          ['DELETE', '/api/things/1'],
        ];
        for (const [method, target] of attempts) {
          const res = await send(ctx, method, target);
          expectAnswer(ctx, res, 404, NOT_FOUND);
        }
      },
    },
  ],
} satisfies LessonChecks;

/**
 * Status, then (when given) JSON media type and body. A wrong status points at
 * the line that chose it: with a helper such as sendJson(res, 405, ...), the
 * probe's line is inside the helper, and the caller's line says 405.
 */
function expectAnswer(ctx: CheckContext, res: HttpResponse, status: number, body?: unknown): void {
  try {
    const expectation = ctx.expect(res).status(status);
    if (body !== undefined) expectation.contentType('application/json').json(body);
  } catch (error) {
    const failure = error as { pitfall?: unknown; message?: unknown };
    if (failure.pitfall === 'wrong-status' && typeof failure.message === 'string') {
      const record = findRecord(ctx, res.request.method, res.request.target);
      const call = record?.calls.filter((c) => !c.nested && (c.fn === 'writeHead' || c.fn === 'statusCode') && c.status === res.status).pop();
      const frames = call ? framesOf(call).filter((frame) => frame.file === ctx.server.file) : [];
      const chose = frames.find((frame) => new RegExp(`\\b${res.status}\\b`).test(lineText(ctx, frame)));
      if (chose) ctx.fail('wrong-status', failure.message, chose);
    }
    throw error;
  }
}

/** A request whose hang is diagnosed as a route without an answer. */
async function send(ctx: CheckContext, method: string, target: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await ctx.http.request(method, target, options);
  } catch (error) {
    return noAnswer(ctx, method, target, error, [target]);
  }
  await ctx.server.recordOf(res);
  return res;
}

/**
 * No complete response to `target`. A timeout on a request the server received
 * and never ended is missing-res-end, pointed at the branch; anything else
 * (a crash, a closed connection) goes back to the engine.
 */
async function noAnswer(ctx: CheckContext, method: string, target: string, error: unknown, hung: string[]): Promise<never> {
  const record = isTimeout(error) ? findRecord(ctx, method, target) : undefined;
  if (!record || record.ended) throw error;
  const calls = [...new Set(record.calls.filter((call) => !call.nested).map((call) => call.fn))];
  const others = hung.filter((other) => other !== target);
  const waited = ((error as { waitedMs: number }).waitedMs / 1000).toFixed(1);
  const what = calls.length
    ? `it had called ${calls.join(', ')} but never res.end()`
    : 'it had made no call on the response at all: a branch of your routing ends without answering';
  ctx.fail(
    'missing-res-end',
    `We sent ${method} ${target}${others.length ? ` (and ${others.join(', ')}, with the same result)` : ''}; your server received it, and ${waited} s later ${what}.`,
    // Only headers set (e.g. by a middleware that runs for every request, lesson 15)
    // says nothing about where the answer went missing: look for the branch.
    calls.some((fn) => fn !== 'setHeader' && fn !== 'removeHeader') ? record.lastCallAt : await silentBranch(ctx, method, target),
  );
}

/** The queried target must get exactly what the plain one gets. */
async function expectSameRoute(ctx: CheckContext, withQuery: string, plain: string, want: unknown): Promise<void> {
  const res = await send(ctx, 'GET', withQuery);
  if (res.status === 200 && jsonEqual(res.json, want) && isJson(res)) return;
  ctx.note(`the same path without the query, for comparison`);
  const control = await send(ctx, 'GET', plain);
  if (control.status === 200 && jsonEqual(control.json, want)) {
    ctx.fail(
      'url-string-split',
      `We sent GET ${withQuery}; you answered ${res.status} ${bodyText(res)}, but GET ${plain} gets 200 ${bodyText(control)}: the query string changed the route. Route on new URL(req.url, 'http://localhost').pathname, which leaves the query out.`,
      splitLocation(ctx, withQuery),
    );
  }
  expectAnswer(ctx, res, 200, want);
}

// ---- locations --------------------------------------------------------------

function findRecord(ctx: CheckContext, method: string, target: string): ResponseRecord | undefined {
  return ctx.server.request({ method, url: (url) => url === target });
}

function lastCall(ctx: CheckContext, method: string, target: string): Location | null {
  return findRecord(ctx, method, target)?.lastCallAt ?? null;
}

/** The learner's frames of a call: its own line, then the lines it was called from. */
function framesOf(call: { at: Location | null; via?: Location[] }): Location[] {
  return call.at ? [call.at, ...(call.via ?? [])] : [];
}

function lineText(ctx: CheckContext, location: Location): string {
  return ctx.source.text.split('\n')[location.line - 1] ?? '';
}

/**
 * Where the 405 (or its Allow header) is written: of the frames of the call that
 * set the status, the first whose line says 405 (a helper such as sendJson is
 * called with it); else the 405 in the code; else the call itself.
 */
function allowLocation(ctx: CheckContext, record: ResponseRecord | undefined, hasAllow: boolean): Location | null {
  const calls = record?.calls.filter((call) => !call.nested && call.at) ?? [];
  const setsAllow = calls.filter((call) =>
    (call.fn === 'setHeader' && String(call.name).toLowerCase() === 'allow') ||
    (call.fn === 'writeHead' && JSON.stringify(call.headers ?? {}).toLowerCase().includes('"allow"')));
  const setsStatus = calls.filter((call) => (call.fn === 'writeHead' || call.fn === 'statusCode') && call.status === 405);
  const call = (hasAllow ? setsAllow[0] : undefined) ?? setsStatus[0];
  const frames = call ? framesOf(call) : [];
  const pattern = hasAllow ? /allow/i : /\b405\b/;
  return (
    frames.find((frame) => frame.file === ctx.server.file && pattern.test(lineText(ctx, frame))) ??
    frames.find((frame) => frame.file === ctx.server.file && /\b405\b/.test(lineText(ctx, frame))) ??
    ctx.source.find(/\b405\b/) ??
    frames[0] ??
    record?.lastCallAt ??
    null
  );
}

/**
 * A request that got no call at all fell through a branch. The probe cannot see
 * a call that never happened, so we ask for the nearest route that does answer:
 * the same path with GET (the hang was another method), else a user that exists
 * (the hang was an id). Of the frames of that answer, the line not shared with
 * another route's answer (a helper such as sendJson is shared) is the branch's
 * answer; the condition on it or around it is the `if` that has no `else`.
 */
async function silentBranch(ctx: CheckContext, method: string, target: string): Promise<Location | null> {
  const fallback = ctx.source.find(/createServer\s*\(/);
  const onApi = /^\/api\/users(\/[^/?]+)?(\?|$)/.exec(target);
  if (!onApi) return fallback;
  const byMethod = method !== 'GET';
  const reference = byMethod ? target : '/api/users/1';
  const sibling = (byMethod ? !onApi[1] : false) ? '/api/users/1' : '/api/users';
  ctx.note(`to find the branch that does not answer, we also send GET ${reference} and GET ${sibling}`);
  const answerFrames = async (path: string): Promise<Location[]> => {
    try {
      await ctx.http.request('GET', path, { timeoutMs: 500 });
    } catch {
      // Evidence only: a failure here is reported by the checks that test this route.
    }
    await probeCaughtUp(ctx, 'GET', path);
    const record = findRecord(ctx, 'GET', path);
    // The first call that answers: a middleware's setHeader is shared by every route.
    const first = record?.calls.find((call) => !call.nested && call.at && call.fn !== 'setHeader' && call.fn !== 'removeHeader');
    return first ? framesOf(first).filter((frame) => frame.file === ctx.server.file) : [];
  };
  const [answer, other] = await Promise.all([answerFrames(reference), answerFrames(sibling)]);
  const shared = new Set(other.map((frame) => frame.line));
  const own = answer.find((frame) => !shared.has(frame.line));
  if (!own) return fallback;
  const branches = conditionsAround(ctx.source.text.split('\n'), own.line);
  const chosen = (byMethod ? branches.find((branch) => /method/i.test(branch.text)) : undefined) ?? branches[0];
  return chosen ? { file: own.file, line: chosen.line, column: chosen.column } : own;
}

/**
 * The conditions that decide whether `lineNo` runs, innermost first: an `if` or
 * ternary on the line itself, then each enclosing block opener (a less indented
 * line above) that holds an if, else, case or switch, up to the function.
 */
function conditionsAround(lines: string[], lineNo: number): Array<{ line: number; column: number; text: string }> {
  const found: Array<{ line: number; column: number; text: string }> = [];
  const branch = /\bif\s*\(|\belse\b|\bcase\b|\bswitch\b|\s\?\s/;
  const indentOf = (text: string) => /^\s*/.exec(text)![0].length;
  const own = lines[lineNo - 1] ?? '';
  const inline = branch.exec(own);
  if (inline) found.push({ line: lineNo, column: inline.index + 1 + (inline[0].startsWith(' ') ? 1 : 0), text: own });
  let indent = indentOf(own);
  for (let line = lineNo - 1; line >= Math.max(1, lineNo - 60) && indent > 0; line--) {
    const text = lines[line - 1] ?? '';
    if (text.trim() === '' || /^\s*(\/\/|\*|\/\*)/.test(text)) continue;
    if (indentOf(text) >= indent) continue;
    indent = indentOf(text);
    const match = branch.exec(text);
    if (match) found.push({ line, column: match.index + 1 + (match[0].startsWith(' ') ? 1 : 0), text });
    if (/=>\s*\{\s*$|\bfunction\b|createServer/.test(text)) break;
  }
  return found;
}

/**
 * The response reached us; the probe's report of the calls that made it travels
 * on another pipe and may be a moment behind. Wait (briefly) for it, so that a
 * failure points at the learner's line.
 */
async function probeCaughtUp(ctx: CheckContext, method: string, target: string): Promise<void> {
  const seen = ctx.server.eventsOf('req').filter((event) => event.method === method && event.url === target).pop();
  const req = seen ?? (await ctx.server.waitFor('req', { timeoutMs: 200, where: (event) => event.method === method && event.url === target }));
  if (req) await ctx.server.waitFor('res-finish', { timeoutMs: 200, where: (event) => event.id === req.id });
}

/** Where the target is taken apart or compared by hand, else where req.url is read. */
function splitLocation(ctx: CheckContext, target: string): Location | null {
  return (
    ctx.source.find(/\.url\b[^\n]*\.(split|indexOf|slice|substring|substr|startsWith|match)\(/) ??
    ctx.source.find(/\burl\b[^\n]*\.split\(/i) ??
    ctx.source.find(/\.url\s*[!=]==?/) ??
    ctx.source.find(/\breq(uest)?\.url\b|\burl\s*[,}]/) ??
    lastCall(ctx, 'GET', target)
  );
}

// ---- values ------------------------------------------------------------------

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error as { reason?: unknown }).reason === 'timeout' && 'receivedBytes' in error;
}

function isJson(res: HttpResponse): boolean {
  return res.headers['content-type']?.split(';')[0].trim().toLowerCase() === 'application/json';
}

function isBob(value: unknown): boolean {
  return jsonEqual(value, BOB);
}

function bodyText(res: HttpResponse): string {
  const text = res.text.length > 120 ? `${res.text.slice(0, 120)}…` : res.text;
  return text === '' ? '(empty body)' : text;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
