// Lesson 12: `client.js <base-url>` GETs <base>/items/1 … /items/20 with
// node:http, never more than 4 requests in flight, reusing connections through
// a keep-alive agent; prints each body (`item <n>`) on its own line in item
// order, and exits 0 within 2 s of the last response.
//
// Each check starts its own test server, which answers /items/N with `item N`
// after a random 50–200 ms (so responses finish out of order), and counts TCP
// connections and requests in flight; the program runs against it once per
// check. What is judged is behaviour, not the code: a sequential loop is fine,
// and so is Agent({ maxSockets: 4 }) without keepAlive when its queue hands the
// sockets on (CURRICULUM.md, lesson 12).
//
// A program that reads none of the bodies it gets stops after the first four
// (the agent has no free socket for the fifth): we see that as a program that
// has gone quiet while responses sit unread, and say so, instead of waiting the
// ~25 s it takes for the server to drop the idle sockets (which would then look
// like 20 connections, i.e. like no-keepalive).
//
// A client program has no status line and no response body, so the generic ids
// mean, here: `wrong-body` what it wrote to stdout is not what was asked;
// `wrong-status` its exit code is not; `crash` it died of an uncaught error;
// `timeout` it was still running 2 s after its last response for no reason a
// listed pitfall explains.
import type { CheckContext, LessonChecks, Location } from 'httpdojo/check';
import {
  CHECK_MS, eventsOf, exitText, failCommon, findInSource, requestLine, runClient, sendPieces, show, testServer, type ClientResult, type TestServer,
} from 'httpdojo/check';
// The client harness (test server, running the program, the failures every
// client check shares) is the engine's, from 'httpdojo/check'.

// ---------------------------------------------------------------------------
// Lesson 12

const COUNT = 20;
const LIMIT = 4;
const MIN_DELAY_MS = 50;
const MAX_DELAY_MS = 200;
const EXPECTED = Array.from({ length: COUNT }, (_, i) => `item ${i + 1}`);

/** /items/N → `item N` after a random delay; anything else → 404. */
function itemsServer(ctx: CheckContext): Promise<TestServer> {
  return testServer(ctx, async (req, res, _record, server) => {
    const match = /^\/items\/(\d+)$/.exec(req.url ?? '');
    const n = match ? Number(match[1]) : 0;
    if (req.method !== 'GET' || n < 1 || n > COUNT) {
      ctx.note(`our server got ${req.method} ${req.url}: not one of /items/1 … /items/${COUNT}, answered 404`);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    const body = Buffer.from(`item ${n}`);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', body.length);
    // A pending answer is not idleness: sendPieces counts the delay as sending.
    await sendPieces(ctx, server, res, [MIN_DELAY_MS + Math.floor(Math.random() * (MAX_DELAY_MS - MIN_DELAY_MS)), body]);
  });
}

async function runItems(ctx: CheckContext): Promise<{ server: TestServer; result: ClientResult; sent: string }> {
  const server = await itemsServer(ctx);
  // The exchange that ends a run is the twentieth: 2 s after it, the program must be gone.
  const result = await runClient(ctx, server, [server.origin], undefined, { exchanges: COUNT });
  // Every check of this lesson runs the program the same way: a run it did not
  // end by itself (a stall on unread bodies, a timer) would only repeat.
  if (!result.exited && !result.stoppedEarly) ctx.skipLaterChecks('not run: every check of this lesson runs your program the same way, and in an earlier one it did not exit by itself');
  const { received, connections, maxInFlight } = server.upstream;
  ctx.note(`our server received ${received.length} requests over ${connections} TCP connections, at most ${maxInFlight} in flight at once`);
  const sent = `We answered /items/1 … /items/${COUNT} with "item N", each after a random ${MIN_DELAY_MS}–${MAX_DELAY_MS} ms; your program made ${received.length} requests over ${connections} TCP connection${connections === 1 ? '' : 's'}, at most ${maxInFlight} in flight at once`;
  return { server, result, sent };
}

/** The agent the program's requests went through, as the probe saw it. */
function agentOf(result: ClientResult): { global: boolean; keepAlive: boolean; maxSockets: number | null } | null {
  return eventsOf(result, 'client-req').find((event) => event.agent)?.agent ?? null;
}

/** Where the program made its agent (or turned agents off), else its request line. */
function agentLine(ctx: CheckContext, result: ClientResult): Location | null {
  return findInSource(ctx, /new\s+(?:https?\s*\.\s*)?Agent\s*\(/) ?? findInSource(ctx, /\bagent\s*:\s*false\b/) ?? requestLine(result);
}

function failUnbounded(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string): void {
  if (server.upstream.maxInFlight <= LIMIT) return;
  const agent = agentOf(result);
  const why = !agent
    ? ''
    : agent.global
      ? ` Its requests went through http.globalAgent, whose maxSockets is Infinity.`
      : agent.maxSockets === null
        ? ` Its agent has no maxSockets limit (Infinity).`
        : agent.maxSockets > LIMIT
          ? ` Its agent allows maxSockets: ${agent.maxSockets}.`
          : '';
  ctx.fail('unbounded-concurrency', `${sent}: more than ${LIMIT} requests were in flight together.${why}`, agent && !agent.global ? agentLine(ctx, result) : requestLine(result));
}

export default {
  checks: [
    {
      id: 'prints-items-in-order',
      title: `GETs /items/1 … /items/${COUNT} with node:http and prints item 1 … item ${COUNT}, one per line, in item order; exit code 0 within 2 s of the last response`,
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const { server, result, sent } = await runItems(ctx);
        failCommon(ctx, result, server, sent);
        const lines = result.stdout.endsWith('\n') ? result.stdout.slice(0, -1).split('\n') : result.stdout.split('\n');
        if (lines.join('\n') !== EXPECTED.join('\n')) {
          const sameItems = [...lines].sort().join('\n') === [...EXPECTED].sort().join('\n');
          ctx.fail(
            'wrong-body',
            `${sent}; expected "item 1" … "item ${COUNT}" on stdout, one per line, in item order, but it printed ${show(result.stdout, 240)}${sameItems ? ': every item is there, but in the order the responses finished. Keep each body at its item\'s index and print when all are in' : ''}.`,
            requestLine(result),
          );
        }
        if (result.code !== 0) ctx.fail('wrong-status', `${sent}; it printed every item but ${exitText(result)}; expected exit code 0 (stderr ${show(result.stderr)}).`, requestLine(result));
      },
    },
    {
      id: 'at-most-4-in-flight',
      title: `never has more than ${LIMIT} requests in flight at once`,
      timeoutMs: CHECK_MS,
      async run(ctx) {
        const { server, result, sent } = await runItems(ctx);
        failCommon(ctx, result, server, sent, () => failUnbounded(ctx, result, server, sent));
      },
    },
    {
      id: 'at-most-4-connections',
      title: `connections are kept alive and reused: at most ${LIMIT} TCP connections for all the requests`,
      timeoutMs: CHECK_MS,
      needs: ['at-most-4-in-flight'],
      async run(ctx) {
        const { server, result, sent } = await runItems(ctx);
        failCommon(ctx, result, server, sent, () => {
          failUnbounded(ctx, result, server, sent);
          const { connections, received } = server.upstream;
          if (connections <= LIMIT) return;
          const agent = agentOf(result);
          const why = agent && !agent.keepAlive ? ` Its agent has keepAlive: false, so a connection that no queued request is waiting for is closed at once.` : '';
          ctx.fail(
            'no-keepalive',
            `${sent}. With no more than ${LIMIT} in flight, ${Math.min(LIMIT, received.length)} connections could have carried all ${received.length}: instead, a connection was closed after its response rather than kept for the next request.${why}`,
            agentLine(ctx, result),
          );
        });
      },
    },
  ],
} satisfies LessonChecks;
