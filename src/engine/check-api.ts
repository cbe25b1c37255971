// What a lesson's check.ts is written against: types (`import type { LessonChecks }
// from 'httpdojo/check'`), and one set of values, the client harness for lessons whose
// learner writes a client program (runClient, testServer, failCommon, ...). A check
// that imports only types runs without httpdojo installed beside it; everything it
// uses at run time arrives in its context. One that imports the harness resolves
// 'httpdojo/check' at run time: the built-in course through the package's
// self-reference (package.json "exports"), an instructor's course through httpdojo
// installed where Node's resolution finds it.
//
// A check says what it sends and what it expects. The engine supplies deadlines,
// transcripts, crash handling, restarts and locations.

import type { BodyPart, Connection, NoResponseError } from './clients/connection.js';
import type { HttpClient, HttpResponse, RequestOptions } from './clients/http-client.js';
import type { ExitInfo } from './learner-process.js';
import type { EventOf, Location, ProbeEvent, ResponseCall } from './probe-events.js';

import type { ClientResult, Handler, TestServer } from './client-harness/index.js';

export type { BodyPart, Connection, EventOf, ExitInfo, HttpClient, HttpResponse, Location, NoResponseError, ProbeEvent, RequestOptions, ResponseCall };
export * from './client-harness/index.js';
// The toolkit's pure helpers (no context needed): one wording for bodies, values,
// counts, durations and errors in every message, and JSON comparisons.
export { format, isPlainObject, jsonEqual, mediaType } from './toolkit/format.js';

/** The default export of a lesson's check.ts. */
export interface LessonChecks {
  /**
   * Runs once per verify before the program starts: make fixtures in `tempDir`,
   * start upstream servers, and say which arguments the program gets. Whatever
   * it returns as `data` reaches every check as `ctx.data`.
   */
  setup?: (ctx: SetupContext) => Promise<SetupResult> | SetupResult;
  /**
   * Crashes that mean a specific pitfall in this lesson, by error `code` or
   * error `name`: `{ ERR_HTTP_HEADERS_SENT: 'headers-after-body' }`. Any other
   * crash is reported as `crash`.
   */
  crashes?: Record<string, string>;
  checks: Check[];
}

export interface SetupContext {
  /** A folder of this verify's own, removed afterwards. */
  tempDir: string;
  /** Start a test server on 127.0.0.1 that lives for the whole verify. */
  upstream: (handler: UpstreamHandler) => Promise<Upstream>;
}

export interface SetupResult {
  args?: string[];
  data?: unknown;
}

export interface Check {
  /** Stable id (kebab-case); appears in verdict JSON. */
  id: string;
  /** What the learner's program must do, as a sentence. */
  title: string;
  /** Longest this check may take, in ms. Default 10 000; the lesson deadline still applies. */
  timeoutMs?: number;
  /**
   * Skip this check when one of these earlier checks failed (its verdict would
   * say nothing new). Default: run every check.
   */
  needs?: string[];
  run: (ctx: CheckContext) => Promise<void> | void;
}

export interface CheckContext {
  /** Requests to the learner's server (server and proxy lessons). */
  http: HttpClient;
  /** What the probe saw in the learner's process during this check. */
  server: ProgramView;
  /** Start, restart, signal or run the learner's program. */
  program: ProgramControl;
  /** Fluent assertions on a response that fail with the generic ids (wrong-status, …). */
  expect: (response: HttpResponse) => ResponseExpectation;
  /** Ends the check as failed with a pitfall id, a message (what we sent, what came back) and the learner's line. */
  fail: (pitfall: string, message: string, location?: Location | null) => never;
  /**
   * If this check fails, the remaining checks are skipped with this reason: for a
   * hang every later check would only repeat (a client that never exits), so the
   * learner gets the verdict in seconds, not one wait per check.
   */
  skipLaterChecks: (reason: string) => void;
  /** Adds a line to this check's wire transcript. */
  note: (text: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** Aborted when the check's time is up. */
  signal: AbortSignal;
  /** Start a test server on 127.0.0.1 for this check only (closed afterwards). */
  upstream: (handler: UpstreamHandler) => Promise<Upstream>;
  /** Builders for request bodies. */
  body: BodyBuilders;
  /** The verify's temp folder (also given to setup). */
  tempDir: string;
  /** What setup() returned as `data`. */
  data: unknown;
  /** Static look-ups in the learner's source, for locations (never a reason to fail). */
  source: SourceView;
  /**
   * Evidence for whatever diagnosis ends this check, the engine's included (an
   * expectation, a request that got no answer, a crash): say how a request was
   * sent, what a crash means here, where to point. Nothing needs catching and
   * rewriting. Returns a function that withdraws it (e.g. once the request it was
   * about got its answer).
   */
  evidence: (evidence: Evidence) => () => void;
  /** JSON expectations and reads that checks of JSON APIs repeat. */
  json: JsonHelpers;
  /**
   * One wording for every diagnosis: bodies (`(empty body)` when there is none),
   * values, counts, durations, errors. The same object as the `format` value
   * export, here so a check module needs no value import.
   */
  format: Format;
  /** Client lessons: the harness (a test server, a run of the learner's program, the common judgements). */
  client: ClientHarness;
}

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

export type Format = typeof import('./toolkit/format.js').format;

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

/** The client harness bound to this check (same behaviour as the free functions of 'httpdojo/check'). */
export interface ClientHarness {
  /** A test server for the learner's client, closed when the check ends. */
  server(handler: Handler): Promise<TestServer>;
  /** Run the learner's program with `args` against `server` until it exits or stalls; see runClient. */
  run(server: TestServer, args: string[], stopWhen?: (events: ProbeEvent[]) => boolean, options?: { exchanges?: number }): Promise<ClientResult>;
  /** The failures every client run is judged on first (fetch, unhandled error, crash, lingering). */
  failCommon(result: ClientResult, server: TestServer, sent: string, beforeLingering?: () => void): void;
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

export interface BodyBuilders {
  /**
   * The text as two writes with a pause between, cut inside the UTF-8 bytes of
   * the first occurrence of `inside` (a character of two or more bytes).
   */
  splitInside: (text: string, inside: string, options?: { pauseMs?: number }) => BodyPart[];
  /** The text cut every `size` bytes (cutting characters), with pauses between pieces. */
  pieces: (text: string, size: number, options?: { pauseMs?: number }) => BodyPart[];
  /** `size` bytes made of `fill` repeated (default "x"), generated lazily. */
  sized: (size: number, fill?: string) => BodyPart;
}

export interface ResponseExpectation {
  status(code: number): ResponseExpectation;
  /** Media type without parameters, compared case-insensitively (`; charset=…` allowed). */
  contentType(mediaType: string): ResponseExpectation;
  header(name: string, value: string | RegExp): ResponseExpectation;
  /** The body parsed as JSON equals `value` (key order and whitespace do not matter). */
  json(value: unknown): ResponseExpectation;
  text(value: string): ResponseExpectation;
}

export interface ResponseRecord {
  id: number;
  method: string;
  url: string;
  /** The client's port as the server saw it (matches Connection.localPort). */
  remotePort: number | null;
  /** The learner's calls on the response, in order (writeHead, setHeader, write, end, statusCode=). */
  calls: ResponseCall[];
  /** res.end() was called. */
  ended: boolean;
  /** The response was fully handed to the OS. */
  finished: boolean;
  /** The response closed (finished, or the connection went away first). */
  closed: boolean;
  /** The request body was read to its end. */
  bodyRead: boolean;
  /** The request closed; `complete` false means the client went away mid-body. */
  requestClosed: boolean;
  requestComplete: boolean | null;
  /** Errors emitted on the response or thrown by a call on it. */
  errors: Array<EventOf<'res-error'> | EventOf<'call-threw'>>;
  /** The learner's line of the last call on the response, else null. */
  lastCallAt: Location | null;
}

export interface CrashInfo {
  exit: ExitInfo;
  /** The uncaught error, when the probe saw one. */
  error: EventOf<'uncaught'> | null;
  /** The last lines the program wrote to stderr. */
  stderrTail: string;
}

export interface ProgramView {
  /** Where the learner's server listens now (127.0.0.1). */
  port: number;
  origin: string;
  /** The learner's file being verified. */
  file: string;
  /** Probe events since this check started. */
  events(): ProbeEvent[];
  eventsOf<T extends ProbeEvent['t']>(type: T): Array<EventOf<T>>;
  /** Requests the server received during this check, oldest first. */
  requests(): ResponseRecord[];
  /** The latest request matching the method and the exact request target (or a predicate on it). */
  request(match?: { method?: string; url?: string | ((url: string) => boolean) }): ResponseRecord | undefined;
  /**
   * The server's record of the request behind `response`, matched by connection,
   * method and target, once the probe has reported how the response ended (the
   * probe's events can trail the response's bytes by a few ms; waits at most 500 ms).
   */
  recordOf(response: HttpResponse): Promise<ResponseRecord | undefined>;
  /** Wait for a probe event (already seen in this check or still to come); null on timeout or exit. */
  waitFor<T extends ProbeEvent['t']>(type: T, options?: { timeoutMs?: number; where?: (event: EventOf<T>) => boolean }): Promise<EventOf<T> | null>;
  /** Set once the program exited during this check. */
  crash(): CrashInfo | null;
  /** Where the learner called createServer/listen (for "your handler" locations). */
  listenAt: Location | null;
  stdout(): string;
  stderr(): string;
  /** Resident memory of the program now and its peak since start, in bytes (null where unknown). */
  memory(): { rss: number | null; peak: number };
  /** Paths the program has open now (Linux), or null where unknown. */
  openFiles(): string[] | null;
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
}

export interface ProgramControl {
  /** Restart the learner's program, optionally with other arguments; resolves once it listens. */
  restart(options?: { args?: string[] }): Promise<void>;
  /** Send a signal to the program (e.g. SIGTERM). */
  signal(name: NodeJS.Signals): void;
  /** Wait for the program to exit; null when still running after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<ExitInfo | null>;
  /** This check expects the program to exit: the engine will not call it a crash. */
  expectExit(): void;
  /** Client lessons: run the learner's program to completion with these arguments. */
  run(args: string[], options?: { timeoutMs?: number }): Promise<ProgramRun>;
}

export interface ProgramRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The program was still running at the deadline and was killed. */
  timedOut: boolean;
  durationMs: number;
  events: ProbeEvent[];
  error: EventOf<'uncaught'> | null;
}

export interface SourceView {
  /** The learner's file text. */
  text: string;
  /**
   * The first place in the learner's code matching the pattern (line and column,
   * 1-based); given several, the first place of the first pattern that matches at
   * all (most telling first: `find(/\.url\.split\(/, /\breq\.url\b/)`).
   */
  find(...patterns: RegExp[]): Location | null;
  /** Every place in the learner's file matching the pattern. */
  findAll(pattern: RegExp): Location[];
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

/** A test server that client and proxy checks talk to. */
export interface Upstream {
  port: number;
  origin: string;
  /** Every request it received, in arrival order. */
  received: UpstreamRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  /** Most requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Milliseconds (since the upstream started) when the head, the first body byte and the end arrived. */
  headAtMs: number;
  firstBodyAtMs: number | null;
  endAtMs: number | null;
  /** The client went away before the response was finished. */
  aborted: boolean;
  remotePort: number;
  /** Milliseconds (since the upstream started) and bytes of each write()/end() of the response (for the timeline). */
  sent?: Array<{ atMs: number; bytes: number; fn: 'write' | 'end' }>;
}

/** Handles one request on an upstream; runs with the request and response of node:http. */
export type UpstreamHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  record: UpstreamRequest,
) => void | Promise<void>;
