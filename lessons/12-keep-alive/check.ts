// Lesson 12: `client.js <base-url>` GETs <base>/items/1 … /items/20 with node:http, never more
// than 4 requests in flight, reusing connections through a keep-alive agent; prints each body
// (`item <n>`) on its own line in item order, and exits 0 within 2 s of the last response.
//
// Each check runs the program once (two checks at a time, each with its own timeline and
// transcript) against a server answering /items/N with `item N` after a random 50–200 ms, so
// responses finish out of order. Behaviour is judged, not code: a sequential loop passes, as
// does Agent({ maxSockets: 4 }) without keepAlive when its queue hands the sockets on. A
// program reading no body stalls after four: we say so rather than wait ~25 s for idle sockets
// to drop. Generic ids: `wrong-body` stdout, `wrong-status` exit code, `crash` uncaught error,
// `timeout` running 2 s after the last response for no reason a listed pitfall explains.
//
// Mutation survivors (dev check --mutate), each out of this lesson's contract or harmless:
// mutant drop-option#2: without maxSockets the four workers still bound requests in flight, and so connections, to 4 (the checks count both and saw at most 4)
// mutant drop-option#3: no agent passed means Node 19+'s global agent, which has keepAlive: true (https://nodejs.org/docs/latest-v20.x/api/http.html#httpglobalagent): connections are still reused, at most 4 by the workers
// mutant drop-error-listener#1: out of contract: the lesson's server never refuses, resets or fails a request, so no request 'error' is emitted
// mutant drop-error-listener#2: out of contract, as drop-error-listener#1 (no response 'error' either)
// mutant decode-each-chunk#1: the items' bodies are ASCII (`item <n>`): no character to split across chunks
// mutant drop-status-check#1: out of contract: the contract's server answers every item 200
// mutant drop-resume#1: out of contract, as drop-status-check#1 (the non-2xx branch never runs)
// mutant unwrap-try#1: out of contract, as drop-error-listener#1 (main's catch only sees a failed request)
// mutant drop-close#1: Node 20 unrefs an agent's idle keep-alive sockets (lib/_http_agent.js keepSocketAlive), so the process exits without agent.destroy() (measured: 143 ms after the last body, well inside the 2 s)
import type { CheckContext, ClientResult, LessonChecks, TestServer } from 'httpdojo/check';

const [COUNT, LIMIT, MIN_DELAY_MS, MAX_DELAY_MS] = [20, 4, 50, 200];
const EXPECTED = Array.from({ length: COUNT }, (_, i) => `item ${i + 1}`);

export default {
  checks: [
    {
      id: 'prints-items-in-order',
      title: `GETs /items/1 … /items/${COUNT} with node:http and prints item 1 … item ${COUNT}, one per line, in item order; exit code 0 within 2 s of the last response`,
      timeoutMs: 15_000,
      async run(ctx) {
        const { server, result, sent } = await itemsRun(ctx);
        ctx.client.failCommon(result, server, sent);
        const lines = result.stdout.endsWith('\n') ? result.stdout.slice(0, -1).split('\n') : result.stdout.split('\n');
        if (lines.join('\n') !== EXPECTED.join('\n')) {
          const sameItems = [...lines].sort().join('\n') === [...EXPECTED].sort().join('\n');
          ctx.fail(
            'wrong-body',
            `${sent}; expected "item 1" … "item ${COUNT}" on stdout, one per line, in item order, but it printed ${ctx.client.show(result.stdout, 240)}${sameItems ? ': every item is there, but in the order the responses finished. Keep each body at its item\'s index and print when all are in' : ''}.`,
            ctx.client.requestLine(result),
          );
        }
        if (result.code !== 0) ctx.fail('wrong-status', `${sent}; it printed every item but ${ctx.client.exitText(result)}; expected exit code 0 (stderr ${ctx.client.show(result.stderr)}).`, ctx.client.requestLine(result));
      },
    },
    {
      id: 'at-most-4-in-flight',
      title: `never has more than ${LIMIT} requests in flight at once`,
      timeoutMs: 15_000,
      async run(ctx) {
        const { server, result, sent } = await itemsRun(ctx);
        ctx.client.failCommon(result, server, sent, () => {
          if (server.upstream.maxInFlight <= LIMIT) return;
          const agent = ctx.client.agentOf(result);
          const why = !agent
            ? ''
            : agent.global
              ? ` Its requests went through http.globalAgent, whose maxSockets is Infinity.`
              : agent.maxSockets === null
                ? ` Its agent has no maxSockets limit (Infinity).`
                : agent.maxSockets > LIMIT
                  ? ` Its agent allows maxSockets: ${agent.maxSockets}.`
                  : '';
          ctx.fail('unbounded-concurrency', `${sent}: more than ${LIMIT} requests were in flight together.${why}`, agent && !agent.global ? ctx.client.agentLine(result) : ctx.client.requestLine(result));
        });
      },
    },
    {
      id: 'at-most-4-connections',
      title: `connections are kept alive and reused: at most ${LIMIT} TCP connections for all the requests`,
      timeoutMs: 15_000,
      needs: ['at-most-4-in-flight'],
      async run(ctx) {
        // The run at-most-4-in-flight passed: never more than LIMIT in flight.
        const { server, result, sent } = await itemsRun(ctx);
        ctx.client.failCommon(result, server, sent, () => {
          const { connections, received } = server.upstream;
          if (connections <= LIMIT) return;
          const agent = ctx.client.agentOf(result);
          const why = agent && !agent.keepAlive ? ` Its agent has keepAlive: false, so a connection that no queued request is waiting for is closed at once.` : '';
          ctx.fail(
            'no-keepalive',
            `${sent}. With no more than ${LIMIT} in flight, ${Math.min(LIMIT, received.length)} connections could have carried all ${received.length}: instead, a connection was closed after its response rather than kept for the next request.${why}`,
            ctx.client.agentLine(result),
          );
        });
      },
    },
  ],
} satisfies LessonChecks;

/** A run of the program for this check, noted in its transcript (each request: its connection, when it came and was answered); one the program did not end by itself (a stall on unread bodies, a timer) ends the lesson. */
async function itemsRun(ctx: CheckContext): Promise<{ server: TestServer; result: ClientResult; sent: string }> {
  // Each check runs the program itself: its timeline and transcript then hold that
  // run's own requests and sockets (a run shared between checks showed them in one only).
  const { server, result } = await startItems(ctx);
  if (!result.exited && !result.stoppedEarly) ctx.skipLaterChecks('not run: your program did not exit by itself in an earlier check, and this check would wait the same way');
  const { received, connections: n, maxInFlight } = server.upstream;
  const sent = `We answered /items/1 … /items/${COUNT} with "item N", each after a random ${MIN_DELAY_MS}–${MAX_DELAY_MS} ms; your program made ${received.length} requests over ${n} TCP connection${n === 1 ? '' : 's'}, at most ${maxInFlight} in flight at once`;
  for (const line of [`${sent}; ${ctx.client.outcome(result)}`, ...received.map((r) => `${r.method} ${r.url} over the connection from port ${r.remotePort}: arrived at ${Math.round(r.headAtMs)} ms, ${r.sent?.length ? `answered at ${Math.round(r.sent[r.sent.length - 1].atMs)} ms` : 'not answered'}`)]) ctx.note(line);
  return { server, result, sent };
}

/** /items/N → `item N` after a random delay (sendPieces: a pending answer is not idleness), else 404; the 20th exchange ends the run. */
async function startItems(ctx: CheckContext): Promise<{ server: TestServer; result: ClientResult }> {
  const server = await ctx.client.server(async (req, res, _record, srv) => {
    const n = Number(/^\/items\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    const unknown = req.method !== 'GET' || n < 1 || n > COUNT;
    if (unknown) ctx.note(`our server got ${req.method} ${req.url}: not one of /items/1 … /items/${COUNT}, answered 404`);
    if (unknown) return void res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8').setHeader('Content-Length', `item ${n}`.length);
    await ctx.client.sendPieces(srv, res, [MIN_DELAY_MS + Math.floor(Math.random() * (MAX_DELAY_MS - MIN_DELAY_MS)), Buffer.from(`item ${n}`)]);
  });
  return { server, result: await ctx.client.run(server, [server.origin], undefined, { exchanges: COUNT }) };
}
