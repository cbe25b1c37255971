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
// client run is judged on) is the engine's, on the context as ctx.client; lessons
// 11 and 12 use the same.
import type { CheckContext, Handler, LessonChecks } from 'httpdojo/check';

const GREETING = 'Hello from httpdojo!\n';
const PIECES_TEXT = 'Grüße aus Köln!\nZoë sagt: 東京 → 😀\nÇa coûte ½ + ¼ = ¾ €.\n';
const PIECES_CUT = ['ü', 'ö', 'ë', '東', '→', '😀', 'Ç', '½', '€'];

export default {
  checks: [
    {
      id: 'uses-node-http',
      title: 'the program GETs the URL it is given with node:http (http.get or http.request), not fetch',
      timeoutMs: 15_000,
      async run(ctx) {
        const target = '/hello?from=httpdojo';
        const server = await ctx.client.server(serveText(ctx, target, [Buffer.from(GREETING)]));
        // Which client made the request is all this check needs to see.
        const result = await ctx.client.run(server, [`${server.origin}${target}`], ctx.client.madeRequest);
        ctx.client.expectNodeHttp(result, server, `We served ${ctx.client.show(GREETING)} at ${server.origin}${target}`);
      },
    },
    {
      id: 'body-in-pieces',
      title: 'a 200 body that arrives in pieces, with characters cut in two between them, is written to stdout exactly, exit code 0',
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        const target = '/greeting?lang=de&name=Zo%C3%AB';
        const parts = ctx.client.cutInside(PIECES_TEXT, PIECES_CUT, 40);
        const server = await ctx.client.server(serveText(ctx, target, parts));
        const result = await ctx.client.run(server, [`${server.origin}${target}`]);
        const pieces = parts.filter((part) => typeof part !== 'number').length;
        const sent = `We answered GET ${target} with 200 and the body ${ctx.client.show(PIECES_TEXT)} in ${pieces} pieces, cut inside ü, 東, 😀 and others, 40 ms apart`;
        ctx.client.failCommon(result, server, sent);
        const asked = server.upstream.received[0];
        const wrongTarget = asked && (asked.url !== target || asked.method !== 'GET') ? ` (it requested ${asked.method} ${asked.url}, which our server answered with 404)` : '';
        ctx.client.expectSuccessOutput(result, sent, PIECES_TEXT, wrongTarget);
      },
    },
    {
      id: 'non-2xx',
      title: 'a 404, a 500 or a 302 prints nothing on stdout, HTTP <status> on stderr, and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 30_000,
      async run(ctx) {
        const answers = [
          { status: 404, target: '/missing', body: '{"error":"Not found"}' },
          { status: 500, target: '/broken', body: 'Internal error ☹ try again later\n' },
          // CURRICULUM: anything but 2xx is "other status". http.get never follows a
          // redirect (https://nodejs.org/docs/latest-v20.x/api/http.html#httpgetoptions-callback
          // returns the 302 as is), so a client that only treats >= 400 as failure prints this page.
          { status: 302, target: '/moved', body: 'Found. Redirecting to /items\n' },
        ];
        // The three runs go at once, each against its own server and judged on its
        // own output (ctx.client.run), then in this order: the verdict is the one
        // a run one answer at a time gives.
        const runs = await Promise.all(answers.map(async (answer) => {
          const server = await ctx.client.server(async (_req, res, _record, srv) => {
            res.writeHead(answer.status, { 'Content-Type': answer.body.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8', ...(answer.status < 400 ? { Location: '/items' } : {}) });
            const bytes = Buffer.from(answer.body);
            await ctx.client.sendPieces(srv, res, [bytes.subarray(0, 8), 30, bytes.subarray(8)]);
          });
          return { answer, server, result: await ctx.client.run(server, [`${server.origin}${answer.target}`]) };
        }));
        for (const { answer, server, result } of runs) {
          ctx.client.expectFailureStatus(result, server, `We answered GET ${answer.target} with ${answer.status} and the body ${ctx.client.show(answer.body)}`, answer.status, answer.body);
        }
      },
    },
    {
      id: 'connection-refused',
      title: 'a refused connection prints a line starting with "Error:" on stderr and exits with code 1, without crashing',
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        const origin = await ctx.client.refusedOrigin();
        const server = await ctx.client.server((_req, res) => {
          res.end();
        });
        const result = await ctx.client.run(server, [`${origin}/items`]);
        ctx.client.expectErrorLine(result, server, `We gave your program ${origin}/items, a port where nothing listens (connection refused)`);
      },
    },
    {
      id: 'reset-before-response',
      title: 'a connection reset before any response prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.client.server((_req, res, _record, srv) => {
          ctx.client.cut(srv, res);
        });
        const result = await ctx.client.run(server, [`${server.origin}/hang-up`]);
        ctx.client.expectErrorLine(result, server, 'Our server closed the connection as soon as your GET /hang-up arrived, without answering');
      },
    },
    {
      id: 'reset-mid-body',
      title: 'a connection cut in the middle of the body prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        const first = 'The first half of a body that never';
        const server = await ctx.client.server(async (_req, res, _record, srv) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          await ctx.client.sendPieces(srv, res, [Buffer.from(first), 150], false);
          ctx.client.cut(srv, res);
        });
        const result = await ctx.client.run(server, [`${server.origin}/half`]);
        const sent = `We answered GET /half with 200 and ${ctx.client.show(first)}, then cut the connection in the middle of the body`;
        ctx.client.failCommon(result, server, sent);
        if (!/^Error:/m.test(result.stderr) && result.code === 0) {
          ctx.fail(
            'client-no-error-handler',
            `${sent}; ${ctx.client.outcome(result)}. With no 'error' listener on the response, Node drops the error silently and 'end' never fires, so the broken download went unreported.`,
            ctx.source.find(/\.on\(\s*['"](?:data|end)['"]/) ?? ctx.client.requestLine(result),
          );
        }
        ctx.client.expectErrorLine(result, server, sent);
      },
    },
  ],
} satisfies LessonChecks;

/** Serves `parts` (a number is a pause in ms) as a 200 text body at exactly GET `target`; anything else gets 404. */
function serveText(ctx: CheckContext, target: string, parts: Array<Buffer | number>): Handler {
  return async (req, res, _record, server) => {
    if (req.url !== target || req.method !== 'GET') {
      ctx.note(`our server got ${req.method} ${req.url}, expected GET ${target}: it answered 404`);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${req.method} ${req.url} is not what you were asked to get\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    await ctx.client.sendPieces(server, res, parts);
  };
}
