// Lesson 03: a read-only JSON API over two users kept in memory. GET /api/users
// and GET /api/users/:id answer 200; an unknown or non-numeric id and any other
// path answer 404 {"error":"Not found"}; other methods on the two API paths
// answer 405 {"error":"Method not allowed"} with Allow: GET; a query string never
// changes the route; and every route answers (a branch without a response hangs).
//
// Not sent on purpose: DELETE or PUT on an unknown id (404 and 405 are both
// defensible there), HEAD, leading zeros, trailing slashes.
import type { CheckContext, HttpResponse, LessonChecks, Location } from 'httpdojo/check';

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
        await ctx.json.expect(res, 200, USERS);
      },
    },
    {
      id: 'user-by-id',
      title: 'GET /api/users/1 and GET /api/users/2 get 200 with Alice and Bob',
      async run(ctx) {
        await ctx.json.expect(await send(ctx, 'GET', '/api/users/1'), 200, ALICE);
        await ctx.json.expect(await send(ctx, 'GET', '/api/users/2'), 200, BOB);
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
          const record = await ctx.server.recordOf(res);
          if (res.status === 200 && targets[i] === '/api/users/2abc' && ctx.json.equal(res.json, BOB)) {
            ctx.fail('wrong-status', `We sent GET /api/users/2abc; you answered 200 with Bob, but "2abc" is not a number: parseInt('2abc') is 2, so test the id with /^\\d+$/ before converting it.`, ctx.source.find(/parseInt\s*\(/) ?? record?.lastCallAt ?? null);
          }
          await ctx.json.expect(res, 404, NOT_FOUND);
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
          await ctx.json.status(res, 405);
          const allow = res.headers.allow;
          const methods = allow?.split(',').map((name) => name.trim()).filter(Boolean) ?? [];
          if (methods.length !== 1 || methods[0] !== 'GET') {
            const record = ctx.server.request({ method, url: target });
            ctx.fail(
              'missing-allow-header',
              allow === undefined
                ? `We sent ${method} ${target}; you answered 405 with no Allow header, but a 405 must list the methods the resource supports: Allow: GET.`
                : `We sent ${method} ${target}; you answered 405 with Allow: ${allow}, but this resource supports only GET: Allow: GET.`,
              // Where the 405 or its Allow header is written: the line that names it (a
              // helper such as sendJson is called with it), else any 405 in the code.
              (allow !== undefined ? ctx.server.callLine(record, { header: 'allow', named: true }) : null) ??
                ctx.server.callLine(record, { status: 405, named: true }) ?? ctx.source.find(/\b405\b/) ?? ctx.server.callLine(record, { status: 405 }),
            );
          }
          await ctx.json.expect(res, 405, NOT_ALLOWED);
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
          await ctx.json.expect(await send(ctx, method, target), 404, NOT_FOUND);
        }
      },
    },
  ],
} satisfies LessonChecks;

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
  const record = isTimeout(error) ? ctx.server.request({ method, url: target }) : undefined;
  if (!record || record.ended) throw error;
  const calls = [...new Set(record.calls.filter((call) => !call.nested).map((call) => call.fn))];
  const others = hung.filter((other) => other !== target);
  const what = calls.length
    ? `it had called ${calls.join(', ')} but never res.end()`
    : 'it had made no call on the response at all: a branch of your routing ends without answering';
  ctx.fail(
    'missing-res-end',
    `We sent ${method} ${target}${others.length ? ` (and ${others.join(', ')}, with the same result)` : ''}; your server received it, and ${ctx.format.seconds((error as { waitedMs: number }).waitedMs)} later ${what}.`,
    // Only headers set (e.g. by a middleware that runs for every request, lesson 15)
    // says nothing about where the answer went missing: look for the branch.
    calls.some((fn) => fn !== 'setHeader' && fn !== 'removeHeader') ? record.lastCallAt : await silentBranch(ctx, method, target),
  );
}

/** The queried target must get exactly what the plain one gets. */
async function expectSameRoute(ctx: CheckContext, withQuery: string, plain: string, want: unknown): Promise<void> {
  const res = await send(ctx, 'GET', withQuery);
  if (res.status === 200 && ctx.json.equal(res.json, want) && ctx.json.typed(res)) return;
  ctx.note(`the same path without the query, for comparison`);
  const control = await send(ctx, 'GET', plain);
  if (control.status === 200 && ctx.json.equal(control.json, want)) {
    ctx.fail(
      'url-string-split',
      `We sent GET ${withQuery}; you answered ${res.status} ${ctx.format.body(res)}, but GET ${plain} gets 200 ${ctx.format.body(control)}: the query string changed the route. Route on new URL(req.url, 'http://localhost').pathname, which leaves the query out.`,
      // Where the target is taken apart or compared by hand, else where req.url is read.
      ctx.source.find(/\.url\b[^\n]*\.(split|indexOf|slice|substring|substr|startsWith|match)\(/, /\burl\b[^\n]*\.split\(/i, /\.url\s*[!=]==?/, /\breq(uest)?\.url\b|\burl\s*[,}]/) ??
        ctx.server.request({ method: 'GET', url: withQuery })?.lastCallAt ?? null,
    );
  }
  await ctx.json.expect(res, 200, want);
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
  const fallback = ctx.server.lineOf('request-handler');
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
    const record = await ctx.server.settled('GET', path);
    // The first call that answers: a middleware's setHeader is shared by every route.
    return ctx.server.framesOf(record?.calls.find((call) => !call.nested && call.at && call.fn !== 'setHeader' && call.fn !== 'removeHeader'));
  };
  const [answer, other] = await Promise.all([answerFrames(reference), answerFrames(sibling)]);
  const shared = new Set(other.map((frame) => frame.line));
  const own = answer.find((frame) => !shared.has(frame.line));
  if (!own) return fallback;
  const branches = ctx.source.conditionsAround(own);
  const chosen = (byMethod ? branches.find((branch) => /method/i.test(branch.text)) : undefined) ?? branches[0];
  return chosen ? { file: own.file, line: chosen.line, column: chosen.column } : own;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error as { reason?: unknown }).reason === 'timeout' && 'receivedBytes' in error;
}
