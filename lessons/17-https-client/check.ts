// Lesson 17: `client.js <url> <ca-file>` GETs the URL with node:https, trusting
// exactly the CA in <ca-file> (its contents as the `ca` option). 2xx: the JSON
// body on stdout (compared as a value), exit 0. Other status: nothing on stdout,
// `HTTP <status>` on stderr, exit 1. Connection or TLS failure: a line starting
// with `Error:` on stderr, exit 1, no crash. The servers it must refuse (a
// certificate for another name, from another CA, self-signed, expired) get no
// HTTP request at all. Always: exit within 2 s of the last response.
//
// Each check starts its own HTTPS test server (ctx.tls.servers: the client
// harness's test server speaking TLS, presenting the certificate the check
// chooses, counting handshakes and requests) and runs the program against it
// with the lesson's CA file, then judges with ctx.client as lessons 10-12 do.
// Before the harness's judgements come the TLS causes (tlsCauses below): fetch
// (no way to pass a CA in Node 20), node:http on an https: URL, the lesson's CA
// not trusted. Generic ids as in lesson 10: `wrong-body` stdout or stderr is not
// what was asked; `wrong-status` the exit code; `crash`; `timeout`.
//
// Mutation survivors (dev check --mutate), each out of this lesson's contract:
// mutant drop-error-listener#1: out of contract: the failures the contract lists come before any response (refused connections, refused certificates), never a body cut midway (lesson 10's reset-mid-body), so no response 'error' is emitted
import { isDeepStrictEqual } from 'node:util';
import type { CheckContext, ClientResult, LessonChecks } from 'httpdojo/check';

type Servers = CheckContext['tls']['servers'];
type Presented = Parameters<Servers['server']>[0];
type TlsTestServer = Awaited<ReturnType<Servers['server']>>;

const ITEMS = { city: 'Köln', greeting: 'Grüße aus Köln', tags: ['東京', '😀', '½ + ¼ = ¾ €'], count: 3 };
const ITEMS_TEXT = `${JSON.stringify(ITEMS, null, 2)}\n`;
const ITEMS_CUT = ['ö', 'ü', '東', '😀', '½', '€'];
const UNTRUSTED: Presented[] = ['other-ca', 'self-signed', 'expired'];

export default {
  checks: [
    {
      id: 'uses-node-https',
      title: "the program GETs the URL with node:https (https.get or https.request), trusting the CA file it is given: the lesson's server answers it",
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.tls.servers.server('localhost', serveJson(ctx, '/items', [Buffer.from(ITEMS_TEXT)]));
        const result = await ctx.client.run(server, [`${server.origin}/items`, ctx.tls.certs.caFile]);
        const sent = `We served JSON at ${server.origin}/items, presenting ${server.certificate}, and gave your program the CA file ${ctx.tls.certs.caFile}`;
        tlsCauses(ctx, result, server, sent);
        ctx.client.expectNodeHttp(result, server, sent, 'https.get or https.request from node:https');
        const failed = ctx.client.eventsOf(result, 'client-error')[0];
        if (server.upstream.received.length === 0) ctx.fail('wrong-body', `${sent}; no request reached our server${failed ? ` (your request failed with ${failed.code ?? failed.name}: ${failed.message})` : ''}; ${ctx.client.outcome(result)}.`, ctx.client.requestLine(result));
      },
    },
    {
      id: 'body-in-pieces',
      title: 'a 200 JSON body that arrives in pieces, characters cut in two between them, is printed on stdout (compared as JSON), exit code 0',
      needs: ['uses-node-https'],
      timeoutMs: 15_000,
      async run(ctx) {
        const parts = ctx.client.cutInside(ITEMS_TEXT, ITEMS_CUT, 40);
        const server = await ctx.tls.servers.server('localhost', serveJson(ctx, '/items?page=1', parts));
        const result = await ctx.client.run(server, [`${server.origin}/items?page=1`, ctx.tls.certs.caFile]);
        const sent = `We answered GET /items?page=1 over HTTPS with 200 and a JSON body in ${parts.filter((part) => typeof part !== 'number').length} pieces, cut inside ö, 東, 😀 and others, 40 ms apart`;
        tlsCauses(ctx, result, server, sent);
        ctx.client.failCommon(result, server, sent);
        if (result.stdout.includes('\uFFFD')) {
          ctx.fail(
            'string-concat-chunks',
            `${sent}; your program printed ${ctx.client.show(result.stdout)}: the characters we cut in two between pieces became U+FFFD (�), because each chunk was decoded to a string on its own.`,
            // The concatenation after the 'data' listener, not an unrelated `+=` before it.
            ctx.source.findAll(/\+=\s*[\w$.]+\s*;|\+=\s*[\w$]+\.toString\(|\+\s*[\w$]+\.toString\(/).find((at) => at.line >= (ctx.source.find(/\.on\(\s*['"]data['"]/)?.line ?? 0)) ?? ctx.client.requestLine(result),
          );
        }
        const asked = server.upstream.received[0];
        const aside = asked && asked.url !== '/items?page=1' ? ` (it requested ${asked.method} ${asked.url}, which our server answered with 404)` : '';
        if (!isDeepStrictEqual(jsonOf(result.stdout), ITEMS)) ctx.fail('wrong-body', `${sent}; expected that JSON on stdout (compared as a value), but ${ctx.client.outcome(result)}${aside}.`, ctx.client.requestLine(result));
        if (result.code !== 0) ctx.fail('wrong-status', `${sent}; your program printed the body but ${ctx.client.exitText(result)}; a 2xx answer must end with exit code 0 (stderr ${ctx.client.show(result.stderr)}).`, ctx.client.requestLine(result));
      },
    },
    {
      id: 'names-localhost',
      title: 'a URL naming localhost (the name in the certificate, sent as SNI) works like 127.0.0.1: the JSON body on stdout, exit code 0',
      needs: ['uses-node-https'],
      timeoutMs: 15_000,
      async run(ctx) {
        const server = await ctx.tls.servers.server('localhost', serveJson(ctx, '/items', [Buffer.from(ITEMS_TEXT)]));
        const url = `${server.localhostOrigin}/items`;
        const result = await ctx.client.run(server, [url, ctx.tls.certs.caFile]);
        const sent = `We served JSON at ${url} (our server listens on 127.0.0.1, localhost resolves to it), presenting ${server.certificate}`;
        tlsCauses(ctx, result, server, sent);
        ctx.client.failCommon(result, server, sent);
        if (!isDeepStrictEqual(jsonOf(result.stdout), ITEMS)) ctx.fail('wrong-body', `${sent}; expected that JSON on stdout (compared as a value), but ${ctx.client.outcome(result)}.`, ctx.client.requestLine(result));
        if (result.code !== 0) ctx.fail('wrong-status', `${sent}; your program printed the body but ${ctx.client.exitText(result)}; a 2xx answer must end with exit code 0.`, ctx.client.requestLine(result));
      },
    },
    {
      id: 'non-2xx',
      title: 'a 404, a 500 or a 302 over HTTPS prints nothing on stdout, HTTP <status> on stderr, and exits with code 1',
      needs: ['uses-node-https'],
      timeoutMs: 30_000,
      async run(ctx) {
        const answers = [
          { status: 404, target: '/missing', body: '{"error":"Not found"}' },
          { status: 500, target: '/broken', body: '{"error":"Internal error ☹"}' },
          // https.get follows no redirect either: the 302 is the answer (lesson 10).
          { status: 302, target: '/moved', body: 'Found. Redirecting to /items\n' },
        ];
        // At once, each against its own server, then judged in this order (lesson 10's non-2xx).
        const runs = await Promise.all(answers.map(async (answer) => {
          const server = await ctx.tls.servers.server('localhost', async (_req, res, _record, srv) => {
            res.writeHead(answer.status, { 'Content-Type': answer.body.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8', ...(answer.status < 400 ? { Location: '/items' } : {}) });
            const bytes = Buffer.from(answer.body);
            await ctx.client.sendPieces(srv, res, [bytes.subarray(0, 8), 30, bytes.subarray(8)]);
          });
          return { answer, server, result: await ctx.client.run(server, [`${server.origin}${answer.target}`, ctx.tls.certs.caFile]) };
        }));
        for (const { answer, server, result } of runs) {
          const sent = `We answered GET ${answer.target} over HTTPS with ${answer.status} and the body ${ctx.client.show(answer.body)}`;
          tlsCauses(ctx, result, server, sent);
          ctx.client.expectFailureStatus(result, server, sent, answer.status, answer.body);
        }
      },
    },
    {
      id: 'refuses-wrong-host',
      title: 'a server presenting a test-CA certificate for wrong.example only is refused: no HTTP request, "Error:" on stderr, exit code 1',
      needs: ['uses-node-https'],
      timeoutMs: 15_000,
      async run(ctx) {
        await expectRefusals(ctx, ['wrong-host']);
      },
    },
    {
      id: 'refuses-untrusted-certificates',
      title: 'servers presenting a localhost certificate from another CA, a self-signed one and an expired one are each refused: no HTTP request, "Error:", exit code 1',
      needs: ['uses-node-https'],
      timeoutMs: 30_000,
      async run(ctx) {
        await expectRefusals(ctx, UNTRUSTED);
      },
    },
    {
      id: 'connection-refused',
      title: 'a refused connection prints a line starting with "Error:" on stderr and exits with code 1, without crashing',
      needs: ['uses-node-https'],
      timeoutMs: 15_000,
      async run(ctx) {
        const origin = (await ctx.client.refusedOrigin()).replace(/^http:/, 'https:');
        const server = await ctx.tls.servers.server('localhost', (_req, res) => {
          res.end();
        });
        const result = await ctx.client.run(server, [`${origin}/items`, ctx.tls.certs.caFile]);
        ctx.client.expectErrorLine(result, server, `We gave your program ${origin}/items, a port where nothing listens (connection refused)`);
      },
    },
  ],
} satisfies LessonChecks;

/** Serves `parts` (a number is a pause in ms) as a 200 JSON body at exactly GET `target`; anything else gets 404. */
function serveJson(ctx: CheckContext, target: string, parts: Array<Buffer | number>): Parameters<Servers['server']>[1] {
  return async (req, res, _record, server) => {
    if (req.url !== target || req.method !== 'GET') {
      ctx.note(`our server got ${req.method} ${req.url}, expected GET ${target}: it answered 404`);
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"Not found"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    await ctx.client.sendPieces(server, res, parts);
  };
}

/** Runs the program against one server per certificate at once; each must get no request and an `Error:` line. */
async function expectRefusals(ctx: CheckContext, presented: Presented[]): Promise<void> {
  const runs = await Promise.all(presented.map(async (present) => {
    const server = await ctx.tls.servers.server(present, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"secret":"you should not have seen this"}');
    });
    return { server, result: await ctx.client.run(server, [`${server.origin}/items`, ctx.tls.certs.caFile]) };
  }));
  for (const { server, result } of runs) {
    const sent = `Our server at ${server.origin} presented ${server.certificate}`;
    const { accepted } = ctx.tls.servers.findings(result, server);
    if (accepted) ctx.fail('tls-verification-disabled', `${sent}; ${accepted.text}`, accepted.at);
    tlsCauses(ctx, result, server, sent);
    ctx.client.expectErrorLine(result, server, `${sent} (your program sent no request: right)`);
  }
}

/** The failures this lesson adds before the harness's: fetch, node:http on an https: URL, the lesson's CA not trusted. */
function tlsCauses(ctx: CheckContext, result: ClientResult, server: TlsTestServer, sent: string): void {
  const found = ctx.tls.servers.findings(result, server);
  if (found.fetch) ctx.fail('not-using-http-module', `${sent}; ${found.fetch.text}`, found.fetch.at);
  if (found.plainHttp) ctx.fail('http-module-for-https', `${sent}; ${found.plainHttp.text}`, found.plainHttp.at);
  if (found.untrusted) ctx.fail('test-ca-not-trusted', `${sent}; ${found.untrusted.text}`, found.untrusted.at);
}

/** stdout as a JSON value; undefined when it is not JSON (one trailing newline is whitespace to JSON.parse). */
function jsonOf(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}
