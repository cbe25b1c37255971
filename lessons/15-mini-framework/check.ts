// Lesson 15: the learner's own framework serving lesson 05's API. lesson.md's
// `reruns: [3, 4, 5]` runs every check of lessons 03-05 first (for an id repeated
// there, the last version wins); these add GET /boom (the handler throws) and GET
// /boom-async (its promise rejects): both get 500 {"error":"Internal Server Error"},
// and the server keeps serving. Both crashes die of a plain Error, so only the route
// tells them apart: each check states its pitfall. uses-a-framework is the engine's.
//
// Mutation survivors (dev check --mutate), each out of this lesson's contract or harmless:
// mutant drop-answer-in-branch#4: every route of this app answers, so the framework's "no response" error never runs
// mutant drop-answer-in-branch#5: the application middleware (X-Content-Type-Options) never calls next(err)
// mutant drop-return-after-answer#6: as drop-answer-in-branch#5
// mutant drop-return-after-answer#1: handleError after the head was sent runs only when a route wrote before it failed, and no route of this app does
// mutant drop-return-after-answer#4: after handleError the route's done callback finds res.writableEnded and does nothing more
// mutant drop-clear-timer#1: hangUp's own clearTimeout; when hangUp ran from the 64 MiB bound the timer later runs it again on a socket already destroyed, which does nothing
// mutant drop-clear-timer#2: the drain timer then runs hangUp 2 s later on a request that is complete or whose socket is gone: nothing to cut (and no contract case stops the server)
// mutant count-characters#2: counts the drain after a 413 (a 64 MiB safety bound), not the 1 MiB limit
// mutant drop-return-after-answer#2: the client has its whole 404; the code after it throws (setHeader after the head) inside the middleware's next(), and the framework's finish guard swallows it
// mutant drop-return-after-answer#3: as drop-return-after-answer#2 for the 405 (found.params of undefined throws, swallowed)
// mutant drop-return-after-answer#8: out of contract: the 404 is sent whole, then sendJson(undefined) throws and handleError destroys the socket; only a second request on that connection would see it, and lessons 03-05 send none
// mutant drop-end#1: out of contract: write(body) with a Content-Length gives the client its whole response; only a second request on the same connection would wait, and lessons 03-05's contracts send none
// mutant host-url-base#1: out of contract: the empty-Host rule is lesson 02's; lessons 03-05 and 15 do not restate it
// mutant unwrap-try#3: out of contract: with a fixed base only an absolute-form target (GET http://%zz/) makes new URL() throw, and lesson 02 says absolute-form targets are not checked
// mutant drop-return-after-answer#5: out of contract, as unwrap-try#3 (the 400 for a target new URL() rejects)
import { survivesFailure, timedOut, type HttpResponse, type LessonChecks } from 'httpdojo/check';

const INTERNAL_ERROR = { error: 'Internal Server Error' };
const ALICE = { id: 1, name: 'Alice' };
const NOT_FOUND = { error: 'Not found' };
/** A user id whose percent-escape is broken: decodeURIComponent('%E0') throws URIError (ECMA-262 Decode). */
const BROKEN_ID = '/api/users/%E0';

export default {
  checks: [
    {
      id: 'boom-500',
      title: 'GET /boom, whose handler throws, gets 500 {"error":"Internal Server Error"}, and the server keeps serving',
      concurrent: true,
      async run(ctx) {
        // A synchronous throw: the line to fix is the framework's call of the handler.
        const { res, next } = await survivesFailure(ctx, '/boom', '/api/users/1', {
          pitfall: 'sync-throw-crash',
          at: 'caller',
          who: 'the handler',
          fix: 'Call each handler inside try/catch in your framework and turn what it throws into 500 {"error":"Internal Server Error"}.',
        });
        ctx.expect(res).status(500).contentType('application/json').json(INTERNAL_ERROR);
        ctx.expect(next).status(200).contentType('application/json').json(ALICE);
      },
    },
    {
      id: 'boom-async-500',
      title: 'GET /boom-async, whose async handler rejects, gets 500 {"error":"Internal Server Error"}, and the server keeps serving',
      concurrent: true,
      async run(ctx) {
        // A rejection has no caller on its stack: the line is the throw after the await.
        const { res, next } = await survivesFailure(ctx, '/boom-async', '/api/users/1', {
          pitfall: 'async-error-unhandled',
          who: 'the handler',
          fix: "A try/catch around an async handler's call sees nothing: the handler returns a rejected promise. Catch it where you call the handler (result.catch(...), or await it inside the try) and answer 500 {\"error\":\"Internal Server Error\"}.",
        });
        ctx.expect(res).status(500).contentType('application/json').json(INTERNAL_ERROR);
        ctx.expect(next).status(200).contentType('application/json').json(ALICE);
      },
    },
    {
      id: 'broken-escape-id-404',
      title: 'a user id with a broken percent-escape (GET /api/users/%E0) gets 404 {"error":"Not found"}, and the server keeps serving',
      concurrent: true,
      async run(ctx) {
        // Lesson 03's contract: a non-numeric id gets 404. A framework that decodes :params
        // with decodeURIComponent outside a try throws URIError here; where that throw lands
        // decides between a crash (the engine's diagnosis, at the decode line) and a hang.
        let res: HttpResponse;
        try {
          res = await ctx.http.request('GET', BROKEN_ID);
        } catch (error) {
          if (!timedOut(error)) throw error;
          return ctx.fail(
            'missing-res-end',
            `We sent GET ${BROKEN_ID} and waited ${ctx.format.seconds(error.waitedMs)}: no answer came. "%E0" is a broken percent-escape, and decodeURIComponent('%E0') throws URIError; if your router decodes :params without a try, that throw ends the request before anything answers it (a catch that has already finished swallows it). Decode each param inside try/catch and treat a failure as "no route matches": 404 {"error":"Not found"}, as for any non-numeric id.`,
            ctx.source.find(/decodeURIComponent\s*\(/, /decodeURI\s*\(/),
          );
        }
        await ctx.json.expect(res, 404, NOT_FOUND);
        const next = await ctx.http.request('GET', '/api/users/1');
        ctx.expect(next).status(200).contentType('application/json').json(ALICE);
      },
    },
    {
      id: 'invalid-user-creates-nothing',
      title: 'POST /api/users with {"name":""}, answered 400 {"error":"Invalid user"}, creates no user: GET /api/users lists the same users before and after',
      async run(ctx) {
        // Lesson 04's contract: only a 201 creates a user. A handler that answers 400 and
        // falls through (no `return`) still pushes the user before its second answer fails.
        // The answers themselves are judged by lesson 03's list-users and 04's invalid-user-400
        // (rerun first): here only the side effect, so a program those already fail (e.g. one
        // that answers before the body arrives) keeps its one diagnosis.
        const before = await ctx.http.request('GET', '/api/users');
        const res = await ctx.http.request('POST', '/api/users', { headers: { 'content-type': 'application/json' }, body: '{"name":""}' });
        const after = await ctx.http.request('GET', '/api/users');
        if (before.status !== 200 || after.status !== 200 || res.status !== 400 || !ctx.json.equal(res.json, { error: 'Invalid user' })) return;
        if (!ctx.json.equal(after.json, before.json)) {
          const record = await ctx.server.recordOf(res);
          ctx.fail(
            'wrong-body',
            `We sent POST /api/users with {"name":""} and got 400 {"error":"Invalid user"}, as asked; but GET /api/users then listed ${ctx.format.value(after.json)} instead of ${ctx.format.value(before.json)}: the rejected user was created anyway. The code after your 400 kept running (a missing \`return\` after the answer): it created the user, then its second answer threw ERR_HTTP_HEADERS_SENT. Return right after sending the 400.`,
            record?.lastCallAt ?? null,
          );
        }
      },
    },
  ],
} satisfies LessonChecks;
