// What a lesson's check.ts is written against: types (`import type { LessonChecks }
// from 'httpdojo/check'`). Everything a check uses at run time arrives in its
// context: the engine's requests, probe view and program control, and the check
// toolkit (src/engine/toolkit/: named locations, source look-ups, JSON helpers,
// evidence for the engine's diagnoses, one wording, the client harness as
// ctx.client). A check that imports only types runs without httpdojo installed
// beside it. The same helpers are also exported as values (runClient, format, ...);
// a check importing one resolves 'httpdojo/check' at run time: the built-in course
// through the package's self-reference (package.json "exports"), an instructor's
// course through httpdojo installed where Node's resolution finds it.
//
// A check says what it sends and what it expects. The engine supplies deadlines,
// transcripts, crash handling, restarts and locations.

import type { BodyPart, Connection, NoResponseError } from './clients/connection.js';
import type { HttpClient, HttpResponse, RequestOptions } from './clients/http-client.js';
import type { ExitInfo } from './learner-process.js';
import type { EventOf, Location, ProbeEvent, ResponseCall } from './probe-events.js';

import type { ClientHarness, Evidence, Format, JsonHelpers, ServerToolkit, SourceToolkit } from './toolkit/types.js';

export type { BodyPart, Connection, EventOf, ExitInfo, HttpClient, HttpResponse, Location, NoResponseError, ProbeEvent, RequestOptions, ResponseCall };
export * from './client-harness/index.js';
// The toolkit's types (src/engine/toolkit/types.ts), part of this API.
export type * from './toolkit/types.js';
// The toolkit's pure helpers (no context needed): one wording for bodies, values,
// counts, durations and errors in every message, and JSON comparisons.
export { format, isPlainObject, jsonEqual, mediaType } from './toolkit/format.js';
// Request bodies sent to the learner's server (lessons 04, 05): early answers, cut uploads, their lines.
export { answeredBefore, cutBetweenBytes, cutByServer, cutLine, decodeEachChunkLine, earlyAnswerLine, keepsChunkLine, requestIds, sizeTestLine, upload } from './toolkit/uploads.js';
export type { Cut, Upload, UploadOptions, Uploads } from './toolkit/uploads.js';
// Responses (lessons 06–08): the declared charset, the call that set a header, "charset=utf-8", a call's line.
export { charsetOf, expectUtf8, headerCall, responseLine } from './toolkit/responses.js';
export * from './toolkit/server-lessons.js'; // lessons 09, 14, 15: handler crashes, a blocked loop, slowloris, SIGTERM
export * from './toolkit/request-lessons.js'; // lessons 02, 03: a route that never answers, a target split by hand, JSON fields
export { pollUntil, type PollOptions } from './toolkit/waits.js'; // lesson 13: a state no probe event announces, read every few ms

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
  /** The course's TLS files (lessons 16-19: a server gets `certs.dir` as argv[2]). */
  certs: import('./toolkit/tls/certs.js').Certs;
}

export interface SetupResult { args?: string[]; data?: unknown }

export interface Check {
  /** Stable id (kebab-case); appears in verdict JSON. */
  id: string;
  /** What the learner's program must do, as a sentence. */
  title: string;
  /** Longest this check may take, in ms (default 10 000); the lesson deadline still applies. */
  timeoutMs?: number;
  /**
   * Skip this check when one of these earlier checks failed (its verdict would
   * say nothing new). Default: run every check.
   */
  needs?: string[];
  concurrent?: boolean; // server lessons: may run beside its neighbours, see docs/writing-lessons.md "Checks at once"
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
  /** Request bodies sent to the server: read while sending, answered early?, a cut upload, the lines to point at. */
  upload: import('./toolkit/uploads.js').Uploads;
  /** Lessons 16-19: the TLS files, HTTPS and HTTP/2 requests trusting only the test CA, TLS and HTTP/2 test servers. */
  tls: import('./toolkit/tls/index.js').TlsToolkit;
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

export interface ResponseRecord extends Partial<import('./verify/records.js').StreamFacts> {
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

/** What a check sees of the program under test (the toolkit's look-ups: ServerToolkit). */
export interface ProgramView extends ServerToolkit {
  /** Where the learner's server listens now (127.0.0.1). */
  port: number;
  origin: string;
  /** The learner's file being verified. */
  file: string;
  /** Probe events since this check started. */
  events(): ProbeEvent[];
  /** Every listen() of the current program so far, in order: requested and bound port, `tls` for a tls.Server (https, http2 secure). */
  listeners(): Array<EventOf<'listen'>>;
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
  /** Client lessons: start the program and watch this run alone while it runs (several may run at once). */
  start(args: string[], options?: { timeoutMs?: number }): import('./client-harness/program.js').ClientProgram;
}

export interface ProgramRun {
  exitCode: number | null; signal: NodeJS.Signals | null;
  stdout: string; stderr: string;
  /** The program was still running at the deadline and was killed. */
  timedOut: boolean;
  durationMs: number;
  events: ProbeEvent[];
  error: EventOf<'uncaught'> | null;
}

/** The learner's source (the toolkit's look-ups: SourceToolkit). */
export interface SourceView extends SourceToolkit {
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
  headAtMs: number; firstBodyAtMs: number | null; endAtMs: number | null;
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
