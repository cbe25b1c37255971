// Lesson 10: `client.js <url>` GETs the URL with node:http. 2xx: the body on
// stdout exactly as received (decoded as UTF-8, one extra trailing newline
// tolerated), exit 0. Other status: nothing on stdout, `HTTP <status>` on
// stderr, exit 1. Connection refused or reset: a line starting with `Error:` on
// stderr, exit 1, no crash. Always: exit within 2 s of the last response.
//
// Each check starts its own test server, runs the program against it, and
// judges what the program did: its stdout, stderr and exit code, when it exited,
// and the probe's view of its requests (which client made them, on which line;
// whether an 'error' had a listener; which responses were read to the end).
//
// A client program has no status line and no response body, so the generic ids
// mean, here: `wrong-body` what it wrote to stdout or stderr is not what was
// asked; `wrong-status` its exit code is not; `crash` it died of an uncaught
// error; `timeout` it was still running 2 s after its last response for no
// reason a listed pitfall explains.
//
// The client harness (test server, running the program, the failures every
// client run is judged on) is the engine's, from 'httpdojo/check'; lessons 11
// and 12 use the same.
import type { CheckContext, LessonChecks, Location } from 'httpdojo/check';
import {
  CHECK_MS, clientRequests, cut, cutInside, eventsOf, exitText, expectErrorLine, expectFailureStatus, expectSuccessOutput, failCommon, findInSource, outcome,
  refusedOrigin, requestLine, runClient, sendPieces, show, testServer, type ClientResult, type Handler, type TestServer,
} from 'httpdojo/check';


const GREETING = 'Hello from httpdojo!\n';
const PIECES_TEXT = 'Grüße aus Köln!\nZoë sagt: 東京 → 😀\nÇa coûte ½ + ¼ = ¾ €.\n';
const PIECES_CUT = ['ü', 'ö', 'ë', '東', '→', '😀', 'Ç', '½', '€'];

/** A 2xx check: the body on stdout exactly, exit 0, in time. */
function expectBody(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, text: string, target: string): void {
  failCommon(ctx, result, server, sent);
  const requested = server.upstream.received[0];
  const wrongTarget = requested && (requested.url !== target || requested.method !== 'GET') ? ` (it requested ${requested.method} ${requested.url}, which our server answered with 404)` : '';
  expectSuccessOutput(ctx, result, sent, text, wrongTarget);
}

/** Serves `text` at exactly `target` (a 404 for anything else), in the given pieces. */
function serveText(ctx: CheckContext, target: string, status: number, type: string, parts: Array<Buffer | number>): Handler {
  return async (req, res, _record, server) => {
    if (req.url !== target || req.method !== 'GET') {
      ctx.note(`our server got ${req.method} ${req.url}, expected GET ${target}: it answered 404`);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${req.method} ${req.url} is not what you were asked to get\n`);
      return;
    }
    res.writeHead(status, { 'Content-Type': type });
    await sendPieces(ctx, server, res, parts);
  };
}

export default {
  checks: [
    {
      id: 'uses-node-http',
      title: 'the program GETs the URL it is given with node:http (http.get or http.request), not fetch',
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const target = '/hello?from=httpdojo';
        const server = await testServer(ctx, serveText(ctx, target, 200, 'text/plain; charset=utf-8', [Buffer.from(GREETING)]));
        // Which client made the request is all this check needs to see.
        const result = await runClient(ctx, server, [`${server.origin}${target}`], (events) => events.some((event) => event.t === 'fetch' || event.t === 'client-create'));
        const sent = `We served ${show(GREETING)} at ${server.origin}${target}`;
        const fetched = eventsOf(result, 'fetch')[0];
        if (fetched) ctx.fail('not-using-http-module', `${sent}; your program fetched it with fetch(), Node's built-in undici client, not with node:http (http.get or http.request).`, fetched.at ?? findInSource(ctx, /\bfetch\s*\(/));
        if (server.upstream.received.length > 0 && clientRequests(result).length === 0) {
          ctx.fail('not-using-http-module', `${sent}; a request reached our server, but not through node:http's http.get or http.request: your program used another client.`, findInSource(ctx, /\bfetch\s*\(|\.connect\s*\(|createConnection\s*\(/));
        }
        if (clientRequests(result).length === 0) {
          failCommon(ctx, result, server, sent);
          if (result.exited && result.code !== 0) ctx.fail('crash', `${sent}; your program ${exitText(result)} before making any request (stderr ${show(result.stderr, 400)}).`, null);
          ctx.fail('timeout', `${sent}; your program never made a request (${outcome(result)}).`, findInSource(ctx, /\bhttp\s*\.\s*(?:get|request)\s*\(/));
        }
      },
    },
    {
      id: 'body-in-pieces',
      title: 'a 200 body that arrives in pieces, with characters cut in two between them, is written to stdout exactly, exit code 0',
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const target = '/greeting?lang=de&name=Zo%C3%AB';
        const parts = cutInside(PIECES_TEXT, PIECES_CUT, 40);
        const server = await testServer(ctx, serveText(ctx, target, 200, 'text/plain; charset=utf-8', parts));
        const result = await runClient(ctx, server, [`${server.origin}${target}`]);
        const pieces = parts.filter((part) => typeof part !== 'number').length;
        expectBody(ctx, result, server, `We answered GET ${target} with 200 and the body ${show(PIECES_TEXT)} in ${pieces} pieces, cut inside ü, 東, 😀 and others, 40 ms apart`, PIECES_TEXT, target);
      },
    },
    {
      id: 'non-2xx',
      title: 'a 404, a 500 or a 302 prints nothing on stdout, HTTP <status> on stderr, and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 2 * CHECK_MS,
      async run(ctx) {
        const answers = [
          { status: 404, target: '/missing', body: '{"error":"Not found"}' },
          { status: 500, target: '/broken', body: 'Internal error ☹ try again later\n' },
          // CURRICULUM: anything but 2xx is "other status". http.get never follows a
          // redirect (https://nodejs.org/docs/latest-v20.x/api/http.html#httpgetoptions-callback
          // returns the 302 as is), so a client that only treats >= 400 as failure prints this page.
          { status: 302, target: '/moved', body: 'Found. Redirecting to /items\n' },
        ];
        for (const answer of answers) {
          const server = await testServer(ctx, async (_req, res, _record, srv) => {
            res.writeHead(answer.status, { 'Content-Type': answer.body.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8', ...(answer.status < 400 ? { Location: '/items' } : {}) });
            const bytes = Buffer.from(answer.body);
            await sendPieces(ctx, srv, res, [bytes.subarray(0, 8), 30, bytes.subarray(8)]);
          });
          const result = await runClient(ctx, server, [`${server.origin}${answer.target}`]);
          expectFailureStatus(ctx, result, server, `We answered GET ${answer.target} with ${answer.status} and the body ${show(answer.body)}`, answer.status, answer.body);
        }
      },
    },
    {
      id: 'connection-refused',
      title: 'a refused connection prints a line starting with "Error:" on stderr and exits with code 1, without crashing',
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const origin = await refusedOrigin(ctx);
        const server = await testServer(ctx, (_req, res) => {
          res.end();
        });
        const result = await runClient(ctx, server, [`${origin}/items`]);
        expectErrorLine(ctx, result, server, `We gave your program ${origin}/items, a port where nothing listens (connection refused)`);
      },
    },
    {
      id: 'reset-before-response',
      title: 'a connection reset before any response prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const server = await testServer(ctx, (_req, res, _record, srv) => {
          cut(srv, res);
        });
        const result = await runClient(ctx, server, [`${server.origin}/hang-up`]);
        expectErrorLine(ctx, result, server, 'Our server closed the connection as soon as your GET /hang-up arrived, without answering');
      },
    },
    {
      id: 'reset-mid-body',
      title: 'a connection cut in the middle of the body prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const first = 'The first half of a body that never';
        const server = await testServer(ctx, async (_req, res, _record, srv) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          await sendPieces(ctx, srv, res, [Buffer.from(first), 150], false);
          cut(srv, res);
        });
        const result = await runClient(ctx, server, [`${server.origin}/half`]);
        const sent = `We answered GET /half with 200 and ${show(first)}, then cut the connection in the middle of the body`;
        failCommon(ctx, result, server, sent);
        if (!/^Error:/m.test(result.stderr) && result.code === 0) {
          ctx.fail(
            'client-no-error-handler',
            `${sent}; ${outcome(result)}. With no 'error' listener on the response, Node drops the error silently and 'end' never fires, so the broken download went unreported.`,
            findInSource(ctx, /\.on\(\s*['"](?:data|end)['"]/) ?? requestLine(result),
          );
        }
        expectErrorLine(ctx, result, server, sent);
      },
    },
  ],
} satisfies LessonChecks;
