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
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckContext, LessonChecks, Location, ProbeEvent, ProgramRun, Upstream, UpstreamRequest } from 'httpdojo/check';

// ---------------------------------------------------------------------------
// Client harness, also used by lessons 11 and 12 (they import it from this
// module, as lesson 15 imports lessons 03-05): running a client program against
// a test server of the check's own, and judging how it ended.

export type EventOf<T extends ProbeEvent['t']> = Extract<ProbeEvent, { t: T }>;

/** CURRICULUM.md: a client program must exit 2 s after its last response. */
export const EXIT_WITHIN_MS = 2000;
/**
 * We stop waiting for a program once it has been idle (nothing on our server, no
 * probe event, nothing left for us to send) for the 2 s plus this margin. On a
 * loaded machine timers fire late and processes wait for a core: the margin only
 * makes us wait longer before calling a program stuck. A program that exits in
 * that extra time is judged on when it exited, against the 2 s.
 */
export const STALL_MARGIN_MS = 1000;
/** How long a program may take to start and make its first request (tsx alone takes seconds on a loaded machine). */
export const FIRST_REQUEST_MS = 10_000;
/**
 * Once the probe has said hello (tsx is loaded by then: only the learner's own
 * file is left to compile and run), how long the program may stay silent before
 * its first request. Without it a client that never makes a request cost the
 * whole FIRST_REQUEST_MS.
 */
export const AFTER_HELLO_MS = 5000;
/** Cap on one run of the program; the idle rule above normally ends it long before (the lesson deadline still applies). */
export const RUN_CAP_MS = 20_000;
/** Check timeout for a check that runs the program once. */
export const CHECK_MS = 15_000;

export interface TestServer {
  upstream: Upstream;
  origin: string;
  /** performance.now() of the last thing that happened on our side (a request, body bytes, a write). */
  lastActivity: number;
  /** performance.now() when our last response was complete, or when we cut a connection. */
  lastResponseAt: number | null;
  /** Responses still being written piece by piece: a program waiting for them is not idle. */
  sending: number;
  /** Exchanges over on our side: responses complete, or connections we cut. */
  ended: number;
  touch(): void;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, record: UpstreamRequest, server: TestServer) => void | Promise<void>;

/** A test server for this check whose handler decides the answer; it notes when things happen. */
export async function testServer(ctx: CheckContext, handler: Handler): Promise<TestServer> {
  const server: TestServer = {
    upstream: null as unknown as Upstream,
    origin: '',
    lastActivity: performance.now(),
    lastResponseAt: null,
    sending: 0,
    ended: 0,
    touch() {
      server.lastActivity = performance.now();
    },
  };
  server.upstream = await ctx.upstream(async (req, res, record) => {
    server.touch();
    req.on('data', () => server.touch());
    req.on('end', () => server.touch());
    res.on('finish', () => {
      server.lastResponseAt = performance.now();
      server.ended++;
      server.touch();
    });
    res.on('close', () => server.touch());
    await handler(req, res, record, server);
  });
  server.origin = server.upstream.origin;
  return server;
}

/** Cuts the connection of this exchange; it counts as our last "response". */
export function cut(server: TestServer, res: ServerResponse): void {
  server.lastResponseAt = performance.now();
  server.ended++;
  server.touch();
  res.socket?.destroy();
}

/** Writes the pieces (a number is a pause in ms) and then ends the response, unless told not to. */
export async function sendPieces(ctx: CheckContext, server: TestServer, res: ServerResponse, parts: Array<Buffer | number>, end = true): Promise<void> {
  server.sending++;
  try {
    for (const part of parts) {
      if (res.destroyed || res.socket?.destroyed || ctx.signal.aborted) return;
      // Not ctx.sleep: twenty answers waiting at once would pile listeners on the check's signal.
      if (typeof part === 'number') await new Promise((resolve) => setTimeout(resolve, part));
      else {
        res.write(part);
        ctx.note(`our server wrote ${part.length} bytes: ${escapeBytes(part)}`);
      }
      server.touch();
    }
    if (end && !res.destroyed) res.end();
  } finally {
    server.sending--;
    server.touch();
  }
}

/** Bytes as text: whole UTF-8 characters as themselves, \n as \\n, anything else (half a character) as \\xNN. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    const length = byte < 0x80 ? 1 : byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 0;
    const sequence = length > 0 && i + length <= bytes.length ? bytes.subarray(i, i + length) : null;
    if (sequence && (length === 1 || [...sequence.subarray(1)].every((b) => (b & 0xc0) === 0x80))) {
      out += length === 1 && (byte < 0x20 || byte === 0x7f) ? JSON.stringify(String.fromCharCode(byte)).slice(1, -1) : sequence.toString('utf8');
      i += length;
    } else {
      out += `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** The text's bytes cut inside each of the given multi-byte characters, with a pause between pieces. */
export function cutInside(text: string, characters: string[], pauseMs: number): Array<Buffer | number> {
  const bytes = Buffer.from(text, 'utf8');
  const cuts = characters
    .map((character) => {
      const at = text.indexOf(character);
      if (at < 0 || Buffer.byteLength(character) < 2) throw new Error(`cutInside: "${character}" is not a multi-byte character of the text`);
      return Buffer.byteLength(text.slice(0, at)) + Math.floor(Buffer.byteLength(character) / 2);
    })
    .sort((a, b) => a - b);
  const parts: Array<Buffer | number> = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (parts.length) parts.push(pauseMs);
    parts.push(bytes.subarray(from, at));
    from = at;
  }
  return parts;
}

export interface ClientResult {
  /** The program ended by itself (false: we stopped it). */
  exited: boolean;
  /** We stopped waiting because the check had seen what it needed (`stopWhen`), not because the program went quiet. */
  stoppedEarly: boolean;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  events: ProbeEvent[];
  uncaught: EventOf<'uncaught'> | null;
  /** From our last response (or cut) to the program's exit, in ms; null without either. */
  exitAfterMs: number | null;
  /** For a program we stopped: how long it had been idle. */
  idleMs: number;
  /**
   * For a program we stopped after the check's ending event (our last response,
   * or its request failing): how long after it, what it was, and how many more
   * requests the program made meanwhile (a retry loop). Null when no ending came.
   */
  afterEnd: { ms: number; what: 'response' | 'error'; requests: number } | null;
  /** From start to exit (or to when we stopped it). */
  ranMs: number;
}

/**
 * Runs the program to its end, or until it has been idle (nothing on our
 * server, no new probe event, nothing left for us to send) for longer than the
 * 2 s a client may take to exit after its last response, or until those 2 s
 * have passed since the check's ending event — the `exchanges`-th exchange over
 * (our response complete, a connection we cut, or a request of the program's
 * that failed, e.g. refused) — whatever the program keeps doing: a client that
 * retries forever is never idle, and "still busy" must not extend the deadline.
 * The program is then stopped when the check ends.
 */
export async function runClient(ctx: CheckContext, server: TestServer, args: string[], stopWhen?: (events: ProbeEvent[]) => boolean, options: { exchanges?: number } = {}): Promise<ClientResult> {
  const exchanges = options.exchanges ?? 1;
  const started = performance.now();
  const state: { run: ProgramRun | null; at: number } = { run: null, at: 0 };
  const running = ctx.program.run(args, { timeoutMs: RUN_CAP_MS }).then((run) => {
    state.run = run;
    state.at = performance.now();
  });
  ctx.note(`we ran: client ${args.map((arg) => JSON.stringify(arg)).join(' ')}`);
  let seen = 0;
  let activity = started;
  let begun = false;
  let idleMs = 0;
  let stoppedEarly = false;
  let helloSeen = false;
  let end: { at: number; what: 'response' | 'error'; requests: number } | null = null;
  while (!state.run && !ctx.signal.aborted) {
    await Promise.race([running, ctx.sleep(50)]);
    if (state.run) break;
    const now = performance.now();
    const events = ctx.server.events();
    const count = events.filter((event) => event.t !== 'tick').length;
    if (count !== seen) {
      seen = count;
      activity = now;
    }
    if (stopWhen?.(events)) {
      stoppedEarly = true;
      break;
    }
    begun ||= server.upstream.connections > 0 || events.some((event) => event.t === 'client-create' || event.t === 'client-req' || event.t === 'fetch');
    helloSeen ||= events.some((event) => event.t === 'hello');
    activity = Math.max(activity, server.lastActivity);
    const failed = events.filter((event) => event.t === 'client-error').length;
    if (!end && server.ended + failed >= exchanges) end = { at: now, what: server.ended > 0 ? 'response' : 'error', requests: requestCount(events) };
    if (end && now - end.at > EXIT_WITHIN_MS + STALL_MARGIN_MS) break;
    if (server.sending > 0) continue;
    idleMs = now - activity;
    if (begun ? idleMs > EXIT_WITHIN_MS + STALL_MARGIN_MS : helloSeen ? idleMs > AFTER_HELLO_MS : now - started > FIRST_REQUEST_MS) break;
  }
  const run = state.run as ProgramRun | null;
  if (run && !run.timedOut) {
    const exitEvent = run.events.find((event): event is EventOf<'exit'> => event.t === 'exit');
    // The probe's exit event is stamped when it arrives, before the process is reaped.
    const exitAt = exitEvent ? Math.min(state.at, started + exitEvent.receivedAt) : state.at;
    let exitAfterMs = server.lastResponseAt === null ? null : Math.max(0, Math.round(exitAt - server.lastResponseAt));
    // The same span on the program's own clock (probe times): from the last
    // response event it saw to its exit. Our clock also counts the time our own
    // process waited for a core; the smaller of the two is the fair one.
    const lastSeen = Math.max(-1, ...run.events.filter((event) => ['client-res', 'client-res-end', 'client-error', 'client-close'].includes(event.t)).map((event) => event.ms));
    if (exitAfterMs !== null && exitEvent && lastSeen >= 0) exitAfterMs = Math.min(exitAfterMs, Math.max(0, exitEvent.ms - lastSeen));
    const result: ClientResult = {
      exited: true, stoppedEarly: false, code: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr, events: run.events, uncaught: run.error,
      exitAfterMs, idleMs: 0, ranMs: Math.round(exitAt - started), afterEnd: null,
    };
    ctx.note(`your program exited with code ${result.code ?? result.signal}${result.exitAfterMs === null ? '' : ` ${result.exitAfterMs} ms after our last response`}; stdout ${show(result.stdout)}; stderr ${show(result.stderr)}`);
    return result;
  }
  const events = run ? run.events : ctx.server.events();
  const result: ClientResult = {
    exited: false, stoppedEarly, code: null, signal: null, stdout: run ? run.stdout : ctx.server.stdout(), stderr: run ? run.stderr : ctx.server.stderr(), events,
    uncaught: [...events].reverse().find((event): event is EventOf<'uncaught'> => event.t === 'uncaught') ?? null,
    exitAfterMs: null, idleMs: Math.round(idleMs), ranMs: Math.round(performance.now() - started),
    afterEnd: end && !stoppedEarly ? { ms: Math.round(performance.now() - end.at), what: end.what, requests: requestCount(events) - end.requests } : null,
  };
  ctx.note(
    stoppedEarly
      ? `we had seen what this check needed after ${seconds(result.ranMs)} and stopped your program`
      : `your program was still running after ${seconds(result.ranMs)}, ${result.afterEnd ? `${seconds(result.afterEnd.ms)} after ${endText(result.afterEnd)}${result.afterEnd.requests ? ` (it made ${result.afterEnd.requests} more requests meanwhile)` : ''}` : `idle for ${seconds(result.idleMs)}`}: we stopped it; stdout ${show(result.stdout)}; stderr ${show(result.stderr)}`,
  );
  return result;
}

/** Requests the program has made so far (created, or sent when the probe saw no creation). */
function requestCount(events: ProbeEvent[]): number {
  const created = events.filter((event) => event.t === 'client-create').length;
  return created || events.filter((event) => event.t === 'client-req').length;
}

function endText(end: NonNullable<ClientResult['afterEnd']>): string {
  return end.what === 'response' ? 'our last response' : 'its request failed';
}

export function eventsOf<T extends ProbeEvent['t']>(result: ClientResult, type: T): Array<EventOf<T>> {
  return result.events.filter((event): event is EventOf<T> => event.t === type);
}

/** The requests the program made with node:http: created (even if never ended), else sent. */
export function clientRequests(result: ClientResult): Array<{ id: number; method: string; path: string; at: Location | null }> {
  const created = eventsOf(result, 'client-create');
  return created.length ? created : eventsOf(result, 'client-req');
}

/** The learner's http.get / http.request line. */
export function requestLine(result: ClientResult): Location | null {
  return clientRequests(result).find((request) => request.at)?.at ?? null;
}

/** A quoted excerpt of program output, or "nothing". */
export function show(text: string, max = 160): string {
  if (text === '') return 'nothing';
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function exitText(result: ClientResult): string {
  return result.code !== null ? `exited with code ${result.code}` : `was killed by ${result.signal}`;
}

/** What the program did, for messages: exit, stdout, stderr. */
export function outcome(result: ClientResult): string {
  return `your program ${exitText(result)}, stdout ${show(result.stdout)}, stderr ${show(result.stderr)}`;
}

/** The first place matching `pattern` in the learner's file, searching from the first match of `after` when given. */
// The engine's source view skips comments and strings: a comment quoting
// `http.get(` above the real call is never the learner's line.
export function findInSource(ctx: CheckContext, pattern: RegExp, after?: RegExp): Location | null {
  const anchor = after ? ctx.source.find(after) : null;
  if (after && !anchor) return null;
  const isAfter = (at: Location) => !anchor || at.line > anchor.line || (at.line === anchor.line && at.column >= anchor.column);
  return ctx.source.findAll(pattern).find(isAfter) ?? null;
}

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

/** A refused port: a test server's, closed again. */
export async function refusedOrigin(ctx: CheckContext): Promise<string> {
  const gone = await ctx.upstream((_req, res) => {
    res.end();
  });
  const origin = gone.origin;
  await gone.close();
  return origin;
}

// ---------------------------------------------------------------------------
// Lesson 10

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
