// Lesson 03: a read-only JSON API over two users kept in memory. GET /api/users
// and GET /api/users/:id answer 200; an unknown or non-numeric id and any other
// path answer 404 {"error":"Not found"}; other methods on the two API paths
// answer 405 {"error":"Method not allowed"} with Allow: GET; a query string never
// changes the route; and every route answers (a branch without a response hangs).
//
// Not sent on purpose: DELETE or PUT on an unknown id (404 and 405 are both
// defensible there), HEAD, leading zeros, trailing slashes.
//
// mutant host-url-base#1: out of contract: only lesson 02's task says an empty or malformed Host must be answered; this lesson's task does not, and no check sends one
import { failUnanswered, handSplitLine, requestRoute, timedOut, type HttpResponse, type LessonChecks } from 'httpdojo/check';

const ALICE = { id: 1, name: 'Alice' };
const BOB = { id: 2, name: 'Bob' };
const USERS = [ALICE, BOB];
const NOT_FOUND = { error: 'Not found' };
const NOT_ALLOWED = { error: 'Method not allowed' };
/** Routes that answer: a request that hangs is located from the nearest of them (nearestRoutes). */
const ROUTES = ['/api/users', '/api/users/1'];

export default {
  checks: [
    {
      id: 'list-users',
      title: 'GET /api/users gets 200 and the JSON array of users',
      async run(ctx) {
        const res = await requestRoute(ctx, 'GET', '/api/users', { routes: ROUTES });
        await ctx.json.expect(res, 200, USERS);
      },
    },
    {
      id: 'user-by-id',
      title: 'GET /api/users/1 and GET /api/users/2 get 200 with Alice and Bob',
      async run(ctx) {
        await ctx.json.expect(await requestRoute(ctx, 'GET', '/api/users/1', { routes: ROUTES }), 200, ALICE);
        await ctx.json.expect(await requestRoute(ctx, 'GET', '/api/users/2', { routes: ROUTES }), 200, BOB);
      },
    },
    {
      id: 'unknown-user-404',
      title: 'a user that does not exist (/api/users/99) or a non-numeric id (abc, 2abc) gets 404 {"error":"Not found"}',
      async run(ctx) {
        // Sent together: a branch that never answers costs one 2 s wait, not three.
        const targets = ['/api/users/99', '/api/users/abc', '/api/users/2abc'];
        const settled = await Promise.allSettled(targets.map((target) => ctx.http.request('GET', target)));
        const hung = settled.flatMap((result, i) => (result.status === 'rejected' && timedOut(result.reason) ? [targets[i]] : []));
        for (const [i, result] of settled.entries()) {
          if (result.status === 'rejected') await failUnanswered(ctx, { method: 'GET', target: targets[i], error: result.reason, routes: ROUTES, alsoHung: hung });
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
        // The queried target must get exactly what the plain one gets.
        const pairs: Array<[string, string, unknown]> = [['/api/users/2?format=json', '/api/users/2', BOB], ['/api/users?page=2', '/api/users', USERS]];
        for (const [withQuery, plain, want] of pairs) {
          const res = await requestRoute(ctx, 'GET', withQuery, { routes: ROUTES });
          if (res.status === 200 && ctx.json.equal(res.json, want) && ctx.json.typed(res)) continue;
          ctx.note(`the same path without the query, for comparison`);
          const control = await requestRoute(ctx, 'GET', plain, { routes: ROUTES });
          if (control.status === 200 && ctx.json.equal(control.json, want)) {
            ctx.fail(
              'url-string-split',
              `We sent GET ${withQuery}; you answered ${res.status} ${ctx.format.body(res)}, but GET ${plain} gets 200 ${ctx.format.body(control)}: the query string changed the route. Route on new URL(req.url, 'http://localhost').pathname, which leaves the query out.`,
              handSplitLine(ctx.source) ?? ctx.server.request({ method: 'GET', url: withQuery })?.lastCallAt ?? null,
            );
          }
          await ctx.json.expect(res, 200, want);
        }
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
          const res = await requestRoute(ctx, method, target, body === undefined ? { routes: ROUTES } : { body, headers: { 'Content-Type': 'application/json' }, routes: ROUTES });
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
          await ctx.json.expect(await requestRoute(ctx, method, target, { routes: ROUTES }), 404, NOT_FOUND);
        }
      },
    },
  ],
} satisfies LessonChecks;
