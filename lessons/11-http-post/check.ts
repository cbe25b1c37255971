// Lesson 11: `client.js <url> <name>` POSTs {"name": <name>} with node:http,
// Content-Type: application/json and a Content-Length equal to the body's
// length in bytes, then handles the answer as lesson 10 does: the body on stdout
// and exit 0 for a 2xx; nothing on stdout, `HTTP <status>` on stderr and exit 1
// otherwise; `Error:` on stderr and exit 1 when the connection fails. Always:
// exit within 2 s of the last response.
//
// Each check runs the program against its own test server, a stand-in for lesson
// 04's POST /api/users that records exactly what arrives (headers, body bytes).
// The names include non-ASCII characters, so a Content-Length counted in
// characters shows. Generic ids: `wrong-body` what it sent us, or wrote to stdout
// or stderr, is not what was asked; `wrong-header` a header of its request is
// wrong in a way no listed pitfall names; `wrong-status` its exit code is wrong;
// `crash` an uncaught error; `timeout` still running 2 s after its last response
// for no reason a listed pitfall explains.
import type { CheckContext, ClientResult, Handler, LessonChecks, TestServer } from 'httpdojo/check';

const [NAME, USERS] = ['Zoë 😀', '/api/users'];

export default {
  checks: [
    {
      id: 'uses-node-http',
      title: 'the program POSTs with node:http (http.request), not fetch',
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.client.server(usersApi(ctx));
        // Which client made the request is all this check needs to see.
        const result = await ctx.client.run(server, [`${server.origin}${USERS}`, 'Ada'], ctx.client.madeRequest);
        ctx.client.expectNodeHttp(result, server, `We ran your program with ${server.origin}${USERS} and the name "Ada"`, 'http.request');
      },
    },
    {
      id: 'post-json',
      title: `POSTs {"name":"${NAME}"} with Content-Type: application/json and a Content-Length in bytes, prints the 201 answer, exit code 0`,
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.client.server(usersApi(ctx));
        const result = await ctx.client.run(server, [`${server.origin}${USERS}`, NAME]);
        const sent = `We ran your program with ${server.origin}${USERS} and the name "${NAME}"`;
        const checkRequest = () => {
          const record = server.upstream.received[0];
          if (!record) return;
          const intended = JSON.stringify({ name: NAME });
          if (record.method !== 'POST') ctx.fail('wrong-body', `${sent}; expected a POST, but your program sent ${record.method} ${record.url}.`, ctx.client.requestLine(result));
          const type = record.headers['content-type'];
          if (ctx.client.requestMediaType(record) !== 'application/json') {
            ctx.fail(
              'missing-content-type',
              `${sent}; your POST ${type === undefined ? 'had no Content-Type header at all' : `said Content-Type: ${String(type)}`}, so our server could not tell the body is JSON and answered 415 Unsupported Media Type; ${ctx.client.outcome(result)}.`,
              ctx.client.headerLine(result, 'content-type', /\bheaders\s*:/),
            );
          }
          if (record.headers['content-length'] === undefined) {
            ctx.fail(
              'wrong-header',
              `${sent}; your POST had no Content-Length header${record.headers['transfer-encoding'] ? ` (Node sent the body with Transfer-Encoding: ${String(record.headers['transfer-encoding'])})` : ''}; send Content-Length: ${Buffer.byteLength(intended)}, the body's length in bytes.`,
              ctx.client.headerLine(result, 'content-length', /\bheaders\s*:/),
            );
          }
          checkFraming(ctx, result, server, sent, NAME);
          if (record.endAtMs !== null && JSON.stringify(parseJson(record.body)) !== intended) {
            ctx.fail('wrong-body', `${sent}; expected the body ${intended}, but our server received ${ctx.client.show(record.body.toString('utf8'))}.`, ctx.source.find(/JSON\s*\.\s*stringify\s*\(/) ?? ctx.client.requestLine(result));
          }
        };
        ctx.client.failCommon(result, server, sent, checkRequest);
        checkRequest();
        const created = JSON.stringify({ id: 3, name: NAME });
        ctx.client.expectSuccessOutput(result, `${sent}; our server answered 201 with ${created}, in pieces cut inside ë and 😀`, created);
      },
    },
    {
      id: 'non-2xx',
      title: 'a 409 or a 303 answer prints nothing on stdout, HTTP <status> on stderr, and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 30_000,
      async run(ctx) {
        // CURRICULUM: anything but 2xx is "other status", a 3xx too (http.request
        // never follows a redirect: the 303 after a POST reaches the callback as is).
        const answers = [
          { status: 409, body: '{"error":"A user named Bob already exists"}' },
          { status: 303, body: 'See Other: /api/users/3\n' },
        ];
        // Both runs at once, each against its own server and judged on its own
        // output, then in this order (the verdict of one run at a time).
        const runs = await Promise.all(answers.map(async ({ status, body }) => {
          const server = await ctx.client.server(usersApi(ctx, { status, body }));
          return { status, body, server, result: await ctx.client.run(server, [`${server.origin}${USERS}`, 'Bob']) };
        }));
        for (const { status, body, server, result } of runs) {
          const sent = `We ran your program with the name "Bob" against a server that answers a POST with ${status} and ${ctx.client.show(body)}`;
          ctx.client.expectFailureStatus(result, server, sent, status, body, () => checkFraming(ctx, result, server, sent, 'Bob'));
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
        const result = await ctx.client.run(server, [`${origin}${USERS}`, NAME]);
        ctx.client.expectErrorLine(result, server, `We gave your program ${origin}${USERS}, a port where nothing listens (connection refused)`);
      },
    },
    {
      id: 'reset-before-response',
      title: 'a connection reset after the body arrived, before any answer, prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.client.server(async (req, res, _record, srv) => {
          await ctx.client.bodyReceived(req);
          ctx.client.cut(srv, res);
        });
        // An ASCII name: this check is about the reset, not about counting bytes.
        const result = await ctx.client.run(server, [`${server.origin}${USERS}`, 'Ada']);
        const sent = 'We ran your program with the name "Ada" against a server that reads the POST and then closes the connection without answering';
        ctx.client.expectErrorLine(result, server, sent, () => checkFraming(ctx, result, server, sent, 'Ada'));
      },
    },
    {
      id: 'reset-mid-body',
      title: 'a connection cut in the middle of the 201 body prints a line starting with "Error:" on stderr and exits with code 1',
      needs: ['uses-node-http'],
      timeoutMs: 15_000,
      async run(ctx) {
        // CURRICULUM: lesson 11 fails "as lesson 10", whose contract checks the exit
        // code and the `Error:` line when the connection breaks mid-body (not stdout).
        const first = '{"id":3,"na';
        const server = await ctx.client.server(async (req, res, _record, srv) => {
          await ctx.client.bodyReceived(req);
          res.writeHead(201, { 'Content-Type': 'application/json' });
          await ctx.client.sendPieces(srv, res, [Buffer.from(first), 50], false);
          ctx.client.cut(srv, res);
        });
        const result = await ctx.client.run(server, [`${server.origin}${USERS}`, 'Ada']);
        const sent = `We ran your program with the name "Ada" against a server that answers 201 with ${ctx.client.show(first)} and then cuts the connection in the middle of the body`;
        ctx.client.failCommon(result, server, sent, () => checkFraming(ctx, result, server, sent, 'Ada'));
        if (!/^Error:/m.test(result.stderr) && result.code === 0) {
          // Node 20 destroys the response with "aborted" and emits 'error' on it only
          // when it has a listener (lib/_http_incoming.js onError); the request emits none.
          ctx.fail(
            'client-no-error-handler',
            `${sent}; ${ctx.client.outcome(result)}. With no 'error' listener on the response, Node drops the error silently and 'end' never fires, so the broken answer went unreported. Listen for 'error' on res too: print a line starting with "Error:" and set exit code 1.`,
            ctx.source.find(/\.on\(\s*['"](?:data|end)['"]/) ?? ctx.client.requestLine(result),
          );
        }
        ctx.client.expectErrorLine(result, server, sent);
      },
    },
  ],
} satisfies LessonChecks;

/** What a stand-in for lesson 04's POST /api/users answers, once the body is in; `forced` answers that instead. */
function usersApi(ctx: CheckContext, forced?: { status: number; body: string }): Handler {
  return async (req, res, record, server) => {
    await ctx.client.bodyReceived(req);
    // Closed already: Node's parser answered 400 and closed the connection, for the bytes after the body were not HTTP.
    if (res.destroyed || req.socket.destroyed) return ctx.note(`our server received ${req.method} ${req.url} with a body of ${record.body.length} bytes, ${ctx.client.escapeBytes(record.body)}; the connection was already closed`);
    ctx.note(`our server received ${ctx.client.describeReceived(record)}`);
    const json = parseJson(record.body);
    const name = ctx.json.isObject(json) ? json.name : null;
    const [status, answer]: [number, string] = forced ? [forced.status, forced.body]
      : req.method !== 'POST' || req.url !== USERS ? [404, '{"error":"Not found"}']
      : ctx.client.requestMediaType(req) !== 'application/json' ? [415, '{"error":"Content-Type must be application/json"}']
      : json === undefined ? [400, '{"error":"Invalid JSON"}']
      : typeof name !== 'string' || name === '' ? [400, '{"error":"Invalid user"}']
      : [201, JSON.stringify({ id: 3, name })];
    res.writeHead(status, { 'Content-Type': 'application/json' });
    const multiByte = [...new Set([...answer].filter((character) => Buffer.byteLength(character) > 1))];
    const bytes = Buffer.from(answer);
    await ctx.client.sendPieces(server, res, multiByte.length ? ctx.client.cutInside(answer, multiByte, 40) : [bytes.subarray(0, 6), 40, bytes.subarray(6)]);
  };
}

/** A Content-Length that does not match the bytes written: too small cuts the body, too big leaves our server waiting. */
function checkFraming(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, name: string): void {
  const [record, written] = [server.upstream.received[0], ctx.client.bodyBytesWritten(result)];
  if (record?.headers['content-length'] === undefined) return;
  const [intended, intendedBytes] = [JSON.stringify({ name }), Buffer.byteLength(JSON.stringify({ name }))];
  const [length, sentBytes] = [Number(record.headers['content-length']), written || intendedBytes];
  if (length < sentBytes) {
    ctx.fail(
      'content-length-string-length',
      `${sent}; your request said Content-Length: ${length}, but its body${sentBytes === intendedBytes ? ` ${intended}` : ''} is ${sentBytes} bytes in UTF-8` +
        `${length === intended.length && sentBytes === intendedBytes ? ` (${length} is its string length, in UTF-16 units)` : ''}. ` +
        `Our server read ${length} bytes as the body, ${ctx.client.escapeBytes(record.body)}, and took the ${sentBytes - length} bytes left over for the start of a new request, which is not valid HTTP (a Node server answers that with 400 Bad Request and closes the connection); ${ctx.client.outcome(result)}.`,
      ctx.client.headerLine(result, 'content-length'),
    );
  }
  if (length > sentBytes && written > 0) {
    ctx.fail('wrong-header', `${sent}; your request said Content-Length: ${length}, but only ${written} bytes of body followed, so our server kept waiting for the rest; send Content-Length: ${intendedBytes}.`, ctx.client.headerLine(result, 'content-length'));
  }
}

/** The body as JSON, undefined when it is not JSON. */
const parseJson = (body: Buffer): unknown => { try { return JSON.parse(body.toString('utf8')) as unknown; } catch { return undefined; } };
