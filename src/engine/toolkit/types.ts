// The check toolkit's types, part of the check API (check-api.ts re-exports them
// all): the evidence a check adds to the engine's diagnosis, the JSON helpers, the
// client harness bound to the check, named anchors, and the look-ups the toolkit
// adds to ctx.server and ctx.source. Implementations: the other files of this folder.

import type { ClientResult, Handler, TestServer } from '../client-harness/index.js';
import type { HttpResponse } from '../clients/http-client.js';
import type { EventOf, Location, ProbeEvent, ResponseCall } from '../probe-events.js';
import type { ResponseRecord } from '../check-api.js';

/** What a check adds to a diagnosis it does not write itself. */
export interface Evidence {
  /** How the request was sent, added to the diagnosis's "We sent …" clause ("in 3 pieces, 50 ms apart"). */
  sent?: string;
  /** A sentence appended to the diagnosis's message. */
  detail?: string;
  /**
   * When the program crashes with an uncaught error during this check: the
   * lesson's pitfall for it (instead of `crash`) and why, appended to the
   * engine's crash message. Only when `when` (if given) accepts the error.
   */
  crash?: { pitfall: string; because: string; when?: (error: EventOf<'uncaught'>) => boolean };
  /**
   * When a request gets no complete response (no answer in time, or the
   * connection closed) and no crash evidence applies: the lesson's pitfall for
   * it and why, appended to what came back. Points at `location`.
   */
  noAnswer?: { pitfall: string; because: string };
  /** A line to point at when the diagnosis has none of its own (and for `noAnswer`). */
  location?: () => Location | null | Promise<Location | null>;
}

export type Format = typeof import('./format.js').format;

export interface JsonHelpers {
  /** JSON equality: key order does not matter, array order does. */
  equal(a: unknown, b: unknown): boolean;
  /** A JSON object: not null, not an array. */
  isObject(value: unknown): value is Record<string, unknown>;
  /** The response's Content-Type is application/json (parameters such as charset allowed). */
  typed(response: HttpResponse): boolean;
  /** The error (an uncaught one, as the probe reports it) was thrown by JSON.parse: a SyntaxError from its frame. */
  isParseError(error: { name: string; stack?: string }): boolean;
  /** The status alone, a mismatch pointed at the line that chose the status we got (see expect). */
  status(response: HttpResponse, status: number): Promise<void>;
  /**
   * `status`, then Content-Type application/json, then (when given) the body as
   * JSON. A wrong status points at the learner's line that chose it: of the frames
   * of the call that set it, the one that names the number (a shared helper such as
   * sendJson(res, 405, …) is called with it). Waits for the probe's record first.
   */
  expect(response: HttpResponse, status: number, body?: unknown): Promise<void>;
  /** GET `target`, expect 200 with a JSON array (fails with wrong-body otherwise), return it. */
  list<T = unknown>(target: string): Promise<T[]>;
  /**
   * After a request that may have broken the server: a new request must still get
   * `status` and (when given) the JSON `body`. `after` says what came before, for
   * the transcript and the message. A crash is diagnosed by the engine (with this
   * check's evidence).
   */
  stillServing(target: string, after: string, expected: { status: number; body?: unknown }): Promise<HttpResponse>;
}

type Harness = typeof import('../client-harness/index.js');

/**
 * The client harness bound to this check: the same functions as the value
 * exports of 'httpdojo/check' (src/engine/client-harness/), those that take the
 * check's context with it already given, so a check module needs no value import.
 */
export interface ClientHarness extends Pick<Harness, 'cut' | 'cutInside' | 'escapeBytes' | 'eventsOf' | 'clientRequests' | 'requestLine' | 'exitText' | 'outcome' | 'show' | 'sameOutput' | 'CHECK_MS' | 'EXIT_WITHIN_MS' | 'NETWORK_CODES'
  | 'agentOf' | 'bodyBytesWritten' | 'bodyReceived' | 'describeReceived' | 'madeRequest' | 'requestMediaType'> {
  /** A test server for the learner's client, closed when the check ends (testServer). */
  server(handler: Handler): Promise<TestServer>;
  /** Run the learner's program with `args` against `server` until it exits or stalls (runClient). */
  run(server: TestServer, args: string[], stopWhen?: (events: ProbeEvent[]) => boolean, options?: { exchanges?: number }): Promise<ClientResult>;
  /** The failures every client run is judged on first (fetch, unhandled error, crash, lingering). */
  failCommon(result: ClientResult, server: TestServer, sent: string, beforeLingering?: () => void): void;
  failUnended(result: ClientResult, sent: string, what: string): void;
  failLingering(result: ClientResult, sent: string, what: string): never;
  /** The lesson-10 contract for a 2xx (after failCommon), a non-2xx and a connection error. */
  expectSuccessOutput(result: ClientResult, sent: string, text: string, aside?: string): void;
  expectFailureStatus(result: ClientResult, server: TestServer, sent: string, status: number, body: string, beforeLingering?: () => void): void;
  expectErrorLine(result: ClientResult, server: TestServer, sent: string, beforeLingering?: () => void): void;
  /** Writes Buffers with pauses (a number is ms) on a test server's response, then ends it. */
  sendPieces(server: TestServer, res: import('node:http').ServerResponse, parts: Array<Buffer | number>, end?: boolean): Promise<void>;
  /** The origin of a port that refuses connections. */
  refusedOrigin(): Promise<string>;
  /** The first judgement of a client lesson: a request made with node:http (`calls`, default "http.get or http.request"), not fetch. */
  expectNodeHttp(result: ClientResult, server: TestServer, sent: string, calls?: string): void;
  /** Where the program set request header `name` (lower case): setHeader(), `'name':`, else `fallback` after its request call. */
  headerLine(result: ClientResult, name: string, fallback?: RegExp): Location | null;
  /** Where the program made its agent (or turned agents off), else its request line. */
  agentLine(result: ClientResult): Location | null;
}

/**
 * Named places in the learner's program. Each resolves from what the probe saw
 * first (where listen() or http.request() was really called) and from the source
 * second, skipping comments and strings.
 */
export type Anchor =
  /** http.createServer( — where the request handler is. */
  | 'request-handler'
  /** listen() as the probe saw it called, else `.listen(` in the source. */
  | 'listen'
  /** req.on('data' (or .once / .addListener). */
  | 'data-listener'
  /** req.on('end' (or .once / .addListener). */
  | 'end-listener'
  /** JSON.parse( where it threw (probe), else the first in the source. */
  | 'json-parse'
  /** Where the request target is read: req.url. */
  | 'url-read'
  /** The learner's http.request / http.get call as the probe saw it, else in the source. */
  | 'client-request'
  /** process.on('SIGTERM' … */
  | 'sigterm'
  /** process.exit( as the probe saw it called, else in the source. */
  | 'process-exit';

/** Which call of a response to point at. */
export interface CallQuery {
  /** The writeHead / statusCode call that set this status. */
  status?: number;
  /** The call that wrote this header (setHeader, or writeHead with it). */
  header?: string;
  /** Any of these calls (the last one). */
  fn?: Array<ResponseCall['fn']>;
  /** Only a frame whose line names the status or header; null when none does. */
  named?: boolean;
}

/** The toolkit's look-ups on ctx.server. */
export interface ServerToolkit {
  /** A named place in the learner's program (see Anchor), or null when there is none. */
  lineOf(anchor: Anchor): Location | null;
  /**
   * The learner's line of a call on the response of `record`: for `status`, of the
   * call's frames the one whose line names the number (a shared helper's caller),
   * for `header` the one that names the header; else the call's own line; else the
   * record's last call. Null without a record.
   */
  callLine(record: ResponseRecord | undefined, query: CallQuery): Location | null;
  /** The learner's frames of a call in the verified file: its own line, then the lines it was called from. */
  framesOf(call: { at: Location | null; via?: Location[] } | undefined): Location[];
  /** The learner's http.request / http.get line of the client request matching `where` (probe), else any. */
  clientRequestAt(where?: (event: EventOf<'client-create'>) => boolean): Location | null;
  /**
   * The probe's record of `method target` once it has reported the request and
   * the end of its response (its events trail the bytes by a few ms): at most
   * `timeoutMs` (default 200) for each. Undefined when it never saw the request.
   */
  settled(method: string, target: string, options?: { timeoutMs?: number }): Promise<ResponseRecord | undefined>;
  /**
   * The first write or end on the response to `method target` (a request not in
   * `seen`, the ids of requests already judged), with its request event: how and
   * when the server answered. Waits at most `timeoutMs` (default 500) for each.
   */
  answerOf(method: string, target: string, options?: { seen?: Set<number>; timeoutMs?: number }): Promise<{ req: EventOf<'req'>; call: ResponseCall } | null>;
  /**
   * The probe's latest heartbeat of the program (whichever check it came in): sent
   * every 250 ms and within 25 ms of a change in the number of active timers, so its
   * `resources` are the state now without waiting for the next report (lesson 06).
   */
  heartbeat(): EventOf<'tick'> | null;
}

/** The toolkit's look-ups on ctx.source. */
export interface SourceToolkit {
  /** The text of a line (1-based), or '' past the end. */
  line(line: number): string;
  /**
   * The nearest code match of `pattern` near `anchor` (a location, the first of
   * several that has one, or a named anchor): from the anchor's line, going `up`
   * (default), `down` or both ways, at most `within` lines (default 10), not past
   * a line where `stopAt` matches (the anchor's own line excepted). The anchor's
   * own line is searched first unless `includeAnchor` is false. Like find(),
   * never inside a comment or a string.
   */
  near(anchor: Location | Location[] | Anchor | null, pattern: RegExp, options?: { within?: number; direction?: 'up' | 'down' | 'both'; stopAt?: RegExp; includeAnchor?: boolean }): Location | null;
  /**
   * The conditions that decide whether `location`'s line runs, innermost first:
   * an if/else/case/ternary on the line itself, then each less indented enclosing
   * line holding one, up to the enclosing function (60 lines at most).
   */
  conditionsAround(location: Location): Array<Location & { text: string }>;
}

// Lessons 16-19: the result types of ctx.tls (https, servers, h2, h2Servers) for check modules to name.
export type * from './tls/index.js';
