// The client harness, part 3: judging how a client program's run ended. Each
// function fails the check (ctx.fail) with a pitfall id, what we sent, what the
// program did and its line, or returns when the run passes its part.
import type { CheckContext, Location } from '../check-api.js';
import type { EventOf } from '../probe-events.js';
import { clientRequests, endText, eventsOf, EXIT_WITHIN_MS, exitText, findInSource, outcome, requestLine, seconds, show, type ClientResult } from './run.js';
import type { TestServer } from './server.js';

export const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'EAI_AGAIN']);

/**
 * Failures every run is judged on first: the request did not go through
 * node:http, an error nobody handled, a crash, a program that would not exit.
 * `sent` says what our server did, as the start of the message.
 */
export function failCommon(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, beforeLingering?: () => void): void {
  const fetched = eventsOf(result, 'fetch')[0];
  if (fetched) {
    ctx.fail('not-using-http-module', `${sent}; your program made its request with fetch(), Node's built-in undici client, not with node:http (http.get or http.request).`, fetched.at ?? findInSource(ctx, /\bfetch\s*\(/));
  }
  if (server.upstream.received.length > 0 && clientRequests(result).length === 0) {
    ctx.fail('not-using-http-module', `${sent}; a request reached our server, but not through node:http's http.get or http.request: your program used another client.`, findInSource(ctx, /\bfetch\s*\(|\.connect\s*\(|createConnection\s*\(/));
  }
  const clientErrors = eventsOf(result, 'client-error');
  const unhandled = clientErrors.find((error) => !error.handled);
  if (unhandled) {
    ctx.fail(
      'client-no-error-handler',
      `${sent}; your request emitted 'error' (${unhandled.code ?? unhandled.name}: ${unhandled.message}) with no listener, so Node threw it: the program crashed with "Unhandled 'error' event" and a stack trace (${exitText(result)}).`,
      requestLine(result),
    );
  }
  const crash = result.uncaught;
  if (crash) {
    const network = clientErrors.some((error) => error.message === crash.message) || NETWORK_CODES.has(crash.code ?? '') || crash.message === 'aborted' || crash.message === 'socket hang up';
    if (network) {
      ctx.fail(
        'client-no-error-handler',
        `${sent}; the connection error (${crash.code ?? crash.name}: ${crash.message}) reached the top of your program unhandled (${crash.origin === 'unhandledRejection' ? 'a rejected promise nobody caught' : 'an uncaught exception'}), so it crashed with a stack trace (${exitText(result)}).`,
        crash.at ?? requestLine(result),
      );
    }
    ctx.fail('crash', `${sent}; your program crashed with ${crash.name}${crash.code ? ` [${crash.code}]` : ''}: ${crash.message} (${exitText(result)}).`, crash.at ?? requestLine(result));
  }
  const late = result.stoppedEarly
    ? null
    : !result.exited
    ? result.afterEnd
      ? `was still running ${seconds(result.afterEnd.ms)} after ${endText(result.afterEnd)}${result.afterEnd.requests ? `, and kept making requests (${result.afterEnd.requests} more after that)` : ''}`
      : `was still running ${seconds(result.idleMs)} after anything had happened`
    : result.exitAfterMs !== null && result.exitAfterMs > EXIT_WITHIN_MS ? `exited only ${seconds(result.exitAfterMs)} after our last response` : null;
  if (late) {
    if (clientRequests(result).length === 0 && server.upstream.received.length === 0) {
      if (!result.exited) ctx.skipLaterChecks(NEVER_EXITS);
      ctx.fail('timeout', `${sent}; your program never made a request: it ${late}${result.exited ? '' : ', and we stopped it'} (stdout ${show(result.stdout)}, stderr ${show(result.stderr)}).`, findInSource(ctx, /\bhttp\s*\.\s*(?:get|request)\s*\(/));
    }
    failUnended(ctx, result, sent, late);
  }
  // A wrong request (a lesson's own checks) explains a hang better than the hang does.
  beforeLingering?.();
  if (late) failLingering(ctx, result, sent, late);
}

/** A request the program never ended kept it alive. */
export function failUnended(ctx: CheckContext, result: ClientResult, sent: string, what: string): void {
  const requests = clientRequests(result);
  const sentIds = new Set(eventsOf(result, 'client-req').map((event) => event.id));
  const calls = eventsOf(result, 'client-call');
  const endedIds = new Set(calls.filter((call) => call.fn === 'end').map((call) => call.id));
  const unended = requests.find((request) => !endedIds.has(request.id) && !sentIds.has(request.id));
  if (unended) {
    const writes = calls.filter((call) => call.id === unended.id && call.fn === 'write');
    const bytes = writes.reduce((sum, call) => sum + (call.bytes ?? 0), 0);
    const got = eventsOf(result, 'client-res').some((event) => event.id === unended.id);
    // Every check sends a request the same way: each would wait for this one again.
    if (!result.exited) ctx.skipLaterChecks(`not run: an earlier check found a request your program never ends (client-missing-end); every later check would wait for it the same way`);
    ctx.fail(
      'client-missing-end',
      writes.length
        ? `${sent}; your program wrote ${bytes} bytes of body with req.write() but never called req.end()${got ? ', so although the answer came back and was handled,' : ', so'} the request was never finished and its socket kept the process alive: it ${what} (stdout ${show(result.stdout)}), and we stopped it.`
        : `${sent}; your program created its ${unended.method} request but never called req.end(), so Node sent nothing and waited: it ${what}, and we stopped it.`,
      writes[writes.length - 1]?.at ?? unended.at,
    );
  }
}

/** A program that did not exit within 2 s of its last response: say which loose end kept it alive. */
export function failLingering(ctx: CheckContext, result: ClientResult, sent: string, what: string): never {
  failUnended(ctx, result, sent, what);
  const requests = clientRequests(result);
  const finishedIds = new Set(eventsOf(result, 'client-res-end').map((event) => event.id));
  // A response whose connection failed under it (our cut mid-body) pins nothing.
  const failedIds = new Set(eventsOf(result, 'client-error').map((event) => event.id));
  const unread = eventsOf(result, 'client-res').filter((event) => !finishedIds.has(event.id) && !failedIds.has(event.id));
  if (unread.length) {
    const statuses = [...new Set(unread.map((event) => event.status))].join(', ');
    const first = requests.find((request) => request.id === unread[0].id);
    ctx.fail(
      'unconsumed-response',
      `${sent}; ${unread.length === 1 ? `the response (status ${statuses}) was` : `${unread.length} responses (status ${statuses}) were`} never read to the end, so ${unread.length === 1 ? 'its connection stayed' : 'their connections stayed'} busy and kept your program alive: it ${what}${result.exited ? '' : ', and we stopped it'}. Read the body, or call res.resume() to discard it.`,
      findInSource(ctx, /[\w$\]]\s*=\s*(?:res|response|resp)\s*;|\.push\(\s*(?:res|response|resp)\s*\)/) ?? first?.at ?? requestLine(result),
    );
  }
  // Nothing of this exchange explains the hang, so it is the program's own (a timer, a retry loop): every check would meet it.
  if (!result.exited) ctx.skipLaterChecks(NEVER_EXITS);
  const retried = result.afterEnd?.requests
    ? result.afterEnd.what === 'error'
      ? ' It kept retrying: report the error (a line starting with "Error:") and exit instead.'
      : ' It kept making requests after the answer it was asked for.'
    : '';
  const alive = result.exited ? null : keptAlive(result);
  // Only timers left (no socket, no retry): the timer is the line to look at.
  const timerLine = alive && alive.timers > 0 && alive.sockets === 0 && !retried ? findInSource(ctx, /\bsetInterval\s*\(/) ?? findInSource(ctx, /\bsetTimeout\s*\(/) : null;
  ctx.fail(
    'timeout',
    `${sent}; your program ${what}${result.exited ? '' : ', and we stopped it'}; a client must exit within 2 s of its last response (stdout ${show(result.stdout)}, stderr ${show(result.stderr)}).${retried}${alive?.text ? ` What still kept it alive: ${alive.text}.` : ''}${timerLine ? ' A timer that is never cleared keeps a Node process running: clear it (clearInterval) or unref() it.' : ''}`,
    timerLine ?? requestLine(result),
  );
}

/**
 * What kept a program we stopped alive: its ref'd handles at the probe's last
 * heartbeat (process.getActiveResourcesInfo() lists only handles that hold the
 * event loop open: https://nodejs.org/docs/latest-v20.x/api/process.html#processgetactiveresourcesinfo).
 */
function keptAlive(result: ClientResult): { timers: number; sockets: number; text: string } | null {
  const tick = [...result.events].reverse().find((event): event is EventOf<'tick'> => event.t === 'tick');
  if (!tick) return null;
  let timers = 0;
  let sockets = 0;
  for (const [name, count] of Object.entries(tick.resources)) {
    if (name === 'Timeout' || name === 'Immediate') timers += count;
    // PipeWrap is also stdout and stderr when they are pipes, which never hold a process open.
    else if (/^TCP|TLS/.test(name)) sockets += count;
  }
  const parts = [timers ? `${timers} timer${timers === 1 ? '' : 's'} (setInterval/setTimeout)` : '', sockets ? `${sockets} socket${sockets === 1 ? '' : 's'}` : ''].filter(Boolean);
  return { timers, sockets, text: parts.join(' and ') };
}

const NEVER_EXITS = 'not run: an earlier check found that your program does not exit by itself; every later check would wait for it the same way';

/** A 2xx answer: exactly `text` on stdout (one extra trailing newline allowed), exit code 0. After failCommon. */
export function expectSuccessOutput(ctx: CheckContext, result: ClientResult, sent: string, text: string, aside = ''): void {
  if (!sameOutput(result.stdout, text)) {
    if (result.stdout.includes('\uFFFD') && !text.includes('\uFFFD')) {
      ctx.fail(
        'string-concat-chunks',
        `${sent}; your program printed ${show(result.stdout)}: the characters we cut in two between pieces became U+FFFD (�), because each chunk was decoded to a string on its own.`,
        findInSource(ctx, /\+=|\.concat\(\s*[\w$]+\.toString|\+\s*[\w$]+\.toString\(/, /\.on\(\s*['"]data['"]/) ?? findInSource(ctx, /\.on\(\s*['"]data['"]/) ?? requestLine(result),
      );
    }
    ctx.fail('wrong-body', `${sent}; expected exactly that body on stdout, but ${outcome(result)}${aside}.`, requestLine(result));
  }
  if (result.code !== 0) ctx.fail('wrong-status', `${sent}; your program printed the body but ${exitText(result)}; a 2xx answer must end with exit code 0 (stderr ${show(result.stderr)}).`, requestLine(result));
}

/** A non-2xx answer: nothing on stdout, `HTTP <status>` on stderr, exit code 1, in time. */
export function expectFailureStatus(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, status: number, body: string, beforeLingering?: () => void): void {
  failCommon(ctx, result, server, sent, beforeLingering);
  const printed = result.stdout.trim();
  const printedBody = printed !== '' && (printed.includes(body.trim().slice(0, 12)) || body.includes(printed));
  if (printedBody || result.code === 0) {
    ctx.fail(
      'ignores-status-code',
      `${sent}; ${outcome(result)}: ${printedBody ? `the ${status} answer was printed like a result` : 'the failure ended with exit code 0, like a success'}. Check res.statusCode before using the body${status < 400 ? ': only 2xx is a success; a 3xx is not an error, but not the result either' : ''}.`,
      statusTest(ctx) ?? requestLine(result),
    );
  }
  if (result.stdout !== '') ctx.fail('wrong-body', `${sent}; expected nothing on stdout, but ${outcome(result)}.`, requestLine(result));
  if (!new RegExp(`\\bHTTP ${status}\\b`).test(result.stderr)) ctx.fail('wrong-body', `${sent}; expected "HTTP ${status}" on stderr, but ${outcome(result)}.`, requestLine(result));
  if (result.code !== 1) ctx.fail('wrong-status', `${sent}; expected exit code 1, but ${outcome(result)}.`, requestLine(result));
}

/** Where the program tests the status, when it does (`if (status >= 400)`): a failure it let through is decided there. */
function statusTest(ctx: CheckContext): Location | null {
  return findInSource(ctx, /\b(?:statusCode|status)\s*(?:>=|>|<=|<|===|!==|==|!=)\s*\d{3}\b|\b\d{3}\s*(?:>=|>|<=|<)\s*(?:\w+\.)?status/);
}

/** A connection failure: `Error:` on stderr, exit code 1, no crash, in time. */
export function expectErrorLine(ctx: CheckContext, result: ClientResult, server: TestServer, sent: string, beforeLingering?: () => void): void {
  failCommon(ctx, result, server, sent, beforeLingering);
  if (!/^Error:/m.test(result.stderr)) ctx.fail('wrong-body', `${sent}; expected a line starting with "Error:" on stderr, but ${outcome(result)}.`, requestLine(result));
  if (result.code !== 1) ctx.fail('wrong-status', `${sent}; expected exit code 1, but ${outcome(result)}.`, requestLine(result));
}

/** stdout equals the text, allowing one extra trailing newline. */
export function sameOutput(stdout: string, text: string): boolean {
  return stdout === text || stdout === `${text}\n`;
}
