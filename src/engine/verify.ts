// verify(lesson, file) -> Verdict. Runs the learner's program under the probe,
// runs the lesson's checks against it one by one, and always comes back: every
// wait has a deadline, a crash ends only the check it happened in (the program
// is restarted for the next), and the program and everything it started are gone
// when this returns, whatever happened.

import { setMaxListeners } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Check, CheckContext, CrashInfo, LessonChecks, ProgramRun, ProgramView, ResponseRecord, SourceView, Upstream, UpstreamHandler } from './check-api.js';
import { NoResponseError, type BodyPart } from './clients/connection.js';
import { HttpClient, type HttpResponse } from './clients/http-client.js';
import { Transcript } from './clients/transcript.js';
import { killAllLearnerProcesses, LearnerProcess, type ExitInfo } from './learner-process.js';
import { openFiles } from './platform.js';
import type { EventOf, Location, ProbeEvent, ResponseCall } from './probe-events.js';
import { loadTypeScript } from './lazy-typescript.js';
import { findFrameworkImport } from './static-imports.js';
import { crashWithoutLocation, secondaryCrash } from './crash-cause.js';
import { refineLocation } from './locate.js';
import { startUpstream } from './upstreams/test-upstream.js';
import { buildTimeline, type ProgramEvents, type TimelineEvent } from './timeline.js';
import { CheckFailure, distinctPitfalls, GENERIC_PITFALLS, VERDICT_SCHEMA, VerifyError, type CheckResult, type Verdict } from './verdict.js';
import { packageVersion } from './version.js';
import { loadChecks } from './load-checks.js';
import type { Lesson } from '../course/lessons.js';

/** CURRICULUM.md: a server must be listening 5 s after start. */
const LISTEN_DEADLINE_MS = 5000;
/** How long after its first listen a crash still counts as one at start-up (see startServer). */
const CRASH_AFTER_LISTEN_MS = 100;
const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface VerifyOptions {
  /** Program arguments instead of the lesson's. */
  args?: string[];
  /** Aborting stops the checks and cleans up (Ctrl-C). */
  signal?: AbortSignal;
  /** Called as each check finishes, for live output. */
  onCheck?: (result: CheckResult, index: number, total: number) => void;
  /** Where the compiled checks of the built-in course live (dist/lessons). */
  compiledChecksDir?: string;
}

export async function verify(lesson: Lesson, fileArgument: string, options: VerifyOptions = {}): Promise<Verdict> {
  const started = performance.now();
  const file = resolve(fileArgument);
  if (!existsSync(file)) throw new VerifyError(`no such file: ${file}`, 'missing-file');
  const module = await loadChecks(lesson, options.compiledChecksDir);
  const run = new VerifyRun(lesson, file, module, options);
  try {
    await run.execute();
  } finally {
    await run.cleanup();
  }
  const checks = run.results;
  return {
    schema: VERDICT_SCHEMA,
    lesson: lesson.id,
    file,
    passed: checks.length > 0 && checks.every((check) => check.status === 'passed'),
    pitfalls: distinctPitfalls(checks),
    checks,
    durationMs: Math.round(performance.now() - started),
    node: process.version,
    version: packageVersion(),
    ...(run.requestedPort !== null ? { requestedPort: run.requestedPort } : {}),
  };
}

// The lesson's checks: its own module (precompiled JavaScript for the built-in
// course, else TypeScript through tsx) plus those of the lessons it re-runs (load-checks.ts).
export { loadChecks };

class VerifyRun {
  readonly results: CheckResult[] = [];
  private program: LearnerProcess | null = null;
  private port = 0;
  /** The port the program asked listen() for (the probe rebinds it): where `httpdojo run` will listen. */
  requestedPort: number | null = null;
  private args: string[];
  private tempDir: string;
  private setupData: unknown = undefined;
  private readonly lessonUpstreams: Upstream[] = [];
  /** performance.now() when each upstream started, to put its records on a check's clock (timeline). */
  private readonly upstreamStarts = new Map<Upstream, number>();
  private readonly deadlineAt: number;
  private readonly sourceText: string;
  /** Why every later check would hang the same way (DESIGN.md: a hanging program's verdict within 10 s); null while none does. */
  private repeatingHang: string | null = null;
  /** Set by ctx.skipLaterChecks during the current check: honoured only if that check fails. */
  private checkSkipReason: string | null = null;
  /** Server lessons: checks that failed waiting for an answer that never came, and whether any response was ever completed. */
  private readonly unanswered: string[] = [];
  private answeredAny = false;
  /** Per route (method and path): the checks a request to it hung in, and the routes that ever completed a response. */
  private readonly routeHangs = new Map<string, string[]>();
  private readonly answeredRoutes = new Set<string>();
  /** Set when the current check asked for a route known to hang (ctx.http refused to wait for it again). */
  private checkRefusal: string | null = null;

  constructor(
    private readonly lesson: Lesson,
    private readonly file: string,
    private readonly module: LessonChecks,
    private readonly options: VerifyOptions,
  ) {
    this.args = options.args ?? lesson.args;
    this.tempDir = mkdtempSync(join(tmpdir(), 'httpdojo-'));
    trackTempDir(this.tempDir);
    this.deadlineAt = performance.now() + lesson.deadlineMs;
    this.sourceText = readFileSync(file, 'utf8');
  }

  private get total(): number {
    return this.module.checks.length + (this.lesson.kind === 'client' ? 0 : 1);
  }

  private push(result: CheckResult): void {
    this.results.push(result);
    this.options.onCheck?.(result, this.results.length - 1, this.total);
  }

  private skipRest(from: number, reason: string): void {
    for (const check of this.module.checks.slice(from)) this.push(skipped(check, reason));
  }

  async execute(): Promise<void> {
    const framework = findFrameworkImport(this.file);
    if (framework) {
      this.push({
        ...blank('node-builtins-only', "the program uses only Node's built-in modules"),
        status: 'failed',
        pitfall: 'uses-a-framework',
        message: `Your program imports "${framework.specifier}"${framework.file !== this.file ? ` (in ${framework.file})` : ''}; this course is about what such packages do for you, so only node: modules are allowed.`,
        location: framework.location,
      });
      this.skipRest(0, 'the program imports a web framework');
      return;
    }

    if (this.module.setup) {
      const prepared = await this.module.setup({ tempDir: this.tempDir, upstream: (handler) => this.trackUpstream(handler, this.lessonUpstreams) });
      if (prepared?.args) this.args = prepared.args;
      this.setupData = prepared?.data;
    }

    if (this.lesson.kind !== 'client') {
      const startedAt = performance.now();
      const failure = await this.startServer();
      const listens: CheckResult = { ...blank('listens', 'the program starts and listens within 5 s'), durationMs: Math.round(performance.now() - startedAt) };
      if (failure) {
        this.push({ ...listens, ...failure, status: 'failed' });
        this.skipRest(0, this.program?.events.some((event) => event.t === 'listen') ? 'the server crashed just after it listened' : 'the server never listened');
        return;
      }
      this.push({ ...listens, status: 'passed' });
    }

    for (const [index, check] of this.module.checks.entries()) {
      if (this.options.signal?.aborted) {
        this.skipRest(index, 'verify was interrupted');
        return;
      }
      if (performance.now() >= this.deadlineAt) {
        this.skipRest(index, `not run: the lesson's ${this.lesson.deadlineMs / 1000} s deadline was reached`);
        return;
      }
      if (this.repeatingHang) {
        this.push(skipped(check, this.repeatingHang));
        continue;
      }
      const blocker = check.needs?.find((id) => this.results.some((r) => r.id === id && r.status !== 'passed'));
      if (blocker) {
        this.push(skipped(check, `skipped because "${blocker}" did not pass`));
        continue;
      }
      const before = { program: this.program, events: this.program?.events.length ?? 0 };
      const result = this.refined(await this.runCheck(check));
      this.push(result);
      this.repeatingHang = this.hangThatRepeats(result, before);
    }
  }

  /** The failure's location moved to the line a mentor would point at (src/engine/locate.ts). */
  private refined(result: CheckResult): CheckResult {
    if (result.status !== 'failed' || !result.location) return result;
    const location = refineLocation({ file: this.file, text: this.sourceText, pitfall: result.pitfall, location: result.location, events: this.program?.events ?? [] });
    return location === result.location ? result : { ...result, location };
  }

  /** Starts (or restarts) the server and waits for it to listen; a failure result when it does not. */
  private async startServer(): Promise<Partial<CheckResult> | null> {
    if (this.program?.running) await this.program.stop();
    const program = new LearnerProcess({ file: this.file, args: this.args });
    this.program = program;
    const remaining = Math.max(500, Math.min(LISTEN_DEADLINE_MS, this.deadlineAt - performance.now()));
    const listen = await program.waitForEvent('listen', { timeoutMs: remaining, signal: this.options.signal, });
    if (listen) {
      // A program can die just after it listened: a second server on the port the
      // first holds (EADDRINUSE) or a throw in the listen callback, on the tick
      // after the bind, as under plain node. The probe reports the uncaught error
      // before the process is gone; a short look for it makes that a crash at
      // start-up rather than a reset seen by the first check.
      const since = program.events.indexOf(listen);
      const died = await program.waitForEvent('uncaught', { timeoutMs: CRASH_AFTER_LISTEN_MS, since, signal: this.options.signal });
      if (died && (await program.waitForExit(2000))) return this.crashResult(this.crashInfo(program), 'just after it listened');
      // Prefer the first HTTP server when the program opens several listeners.
      const httpListen = program.events.find((event): event is EventOf<'listen'> => event.t === 'listen' && event.http) ?? listen;
      this.port = httpListen.port;
      const asked = Number(httpListen.requested.port);
      if (Number.isInteger(asked) && asked > 0 && asked < 65536) this.requestedPort = asked;
      return null;
    }
    if (!program.running || (await program.waitForExit(100))) {
      const crash = this.crashInfo(program);
      if (crash.error && !crash.error.at) {
        // A syntax error is reported by tsx or esbuild with their own stack (no learner
        // frame, "Parse error ...:1:1" for .mjs): without this the report showed
        // httpdojo's machinery as "your stderr" and pointed at no line.
        const syntax = await syntaxErrorIn(this.file, this.sourceText);
        if (syntax) {
          return {
            pitfall: 'crash',
            message: `Your program has a syntax error, so it never started: ${syntax.message}`,
            location: syntax.location,
            error: { name: 'SyntaxError', message: syntax.message },
            stderrTail: null,
          };
        }
      }
      if (crash.error) return this.crashResult(crash, 'while starting, before it listened');
      // A "listening on :3000" line printed by a program that never listened is the classic sign.
      const printed = program.stdout.text().trim().split('\n').filter(Boolean).pop();
      return {
        pitfall: 'never-listens',
        message: `Your program exited (${describeExit(crash.exit)}) ${(crash.exit.atMs / 1000).toFixed(1)} s after starting${printed ? `, after printing ${quote(printed, 80)},` : ''} without calling listen(), so no request could reach it.`,
        location: this.findInSource(/createServer\s*\(/) ?? { file: this.file, line: 1, column: 1 },
        stderrTail: crash.stderrTail || null,
      };
    }
    // The probe's heartbeat stops when the loop is blocked (a `while (true)` at start-up).
    const blocked = program.elapsed() - lastHeartbeat(program) > 1000;
    return {
      pitfall: 'never-listens',
      message: `Your program was still running ${(remaining / 1000).toFixed(1)} s after starting but never called listen()${blocked ? ', and its event loop was blocked (a loop that never yields?)' : ''}.`,
      location: this.findInSource(/\.listen\s*\(/) ?? this.findInSource(/createServer\s*\(/),
    };
  }

  private async runCheck(check: Check): Promise<CheckResult> {
    const began = performance.now();
    const base = blank(check.id, check.title);
    this.checkSkipReason = null;
    this.checkRefusal = null;
    if (this.lesson.kind !== 'client' && !this.program?.running) {
      const failure = await this.startServer();
      if (failure) return { ...base, ...failure, status: 'failed', durationMs: Math.round(performance.now() - began) };
    }
    const program = this.program;
    const clockAt = performance.now();
    const transcript = new Transcript();
    const timeoutMs = Math.min(check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, Math.max(1000, this.deadlineAt - performance.now()));
    const controller = new AbortController();
    // Every connection of the check listens for this signal; a check that opens
    // dozens at once (traversal probes, concurrency) is normal, not a leak.
    setMaxListeners(1000, controller.signal);
    const onOuterAbort = () => controller.abort();
    this.options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const checkUpstreams: Upstream[] = [];
    const clientRuns: LearnerProcess[] = [];
    let exitExpected = false;
    const eventsFrom = program?.events.length ?? 0;
    const context = this.context(check, transcript, controller.signal, checkUpstreams, clientRuns, eventsFrom, () => {
      exitExpected = true;
    });

    let outcome: { failure?: CheckFailure; error?: unknown; timedOut?: boolean } = {};
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => check.run(context)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new CheckTimeout(timeoutMs));
          }, timeoutMs);
        }),
      ]);
    } catch (error) {
      if (error instanceof CheckFailure) outcome = { failure: error };
      else if (error instanceof CheckTimeout) outcome = { timedOut: true };
      else outcome = { error };
    } finally {
      clearTimeout(timer);
      controller.abort();
      this.options.signal?.removeEventListener('abort', onOuterAbort);
      await Promise.all(checkUpstreams.map((upstream) => upstream.close()));
      await Promise.all(clientRuns.map((client) => client.stop()));
    }

    const durationMs = Math.round(performance.now() - began);
    // A server that is gone after the check died during it (it was running when the
    // check began); client programs are meant to exit.
    const endProgram = this.program;
    const crash = this.lesson.kind !== 'client' && endProgram && !endProgram.running && !exitExpected ? this.crashInfo(endProgram) : null;
    const timeline = this.timelineOf(transcript, clockAt, program, eventsFrom, clientRuns, checkUpstreams);
    const result: CheckResult = { ...base, durationMs, wire: transcript.entries, timeline };

    // The check needed an answer from a route that never gave one: whatever it
    // concluded without it (a failure, an error on the missing response) says nothing new.
    if (this.checkRefusal && !crash) return { ...base, durationMs, status: 'skipped', message: this.checkRefusal };

    if (outcome.failure) {
      // A check's own diagnosis wins, unless the program crashed and the check only saw the symptom.
      const generic = GENERIC_PITFALLS.has(outcome.failure.pitfall);
      if (crash && generic && outcome.failure.pitfall !== 'never-listens') return { ...result, ...this.crashResult(crash, describeSent(outcome.failure)), status: 'failed' };
      // Nor when it called a missing answer missing-res-end (or timeout) while the
      // event loop is blocked: a handler that never gives control back cannot end
      // anything, and the loop, not a forgotten end(), is what to fix.
      const silentMs = this.program?.running && this.lesson.kind !== 'client' ? this.program.elapsed() - lastHeartbeat(this.program) : 0;
      if (silentMs > 1000 && (outcome.failure.pitfall === 'missing-res-end' || outcome.failure.pitfall === 'timeout')) {
        return {
          ...result,
          status: 'failed',
          pitfall: 'blocking-event-loop',
          message: `${outcome.failure.message.replace(/\.$/, '')}; and your program's event loop has been blocked for ${(silentMs / 1000).toFixed(1)} s: code in the handler runs without ever giving control back (a loop that never ends?), so no response can end and no other request, timer or I/O can run either.`,
          location: this.findInSource(/createServer\s*\(/),
        };
      }
      const location = outcome.failure.location ?? (outcome.failure.locate ? await outcome.failure.locate() : null);
      return { ...result, status: 'failed', pitfall: outcome.failure.pitfall, message: outcome.failure.message, location, ...(crash ? crashEvidence(crash) : {}) };
    }
    if (crash) return { ...result, ...this.crashResult(crash, describeSent(outcome.error)), status: 'failed' };
    if (outcome.timedOut) {
      return { ...result, status: 'failed', pitfall: 'timeout', message: `This check did not finish within ${(timeoutMs / 1000).toFixed(1)} s: the program kept us waiting.`, location: null };
    }
    if (outcome.error instanceof NoResponseError) return { ...result, ...(await this.diagnoseNoResponse(outcome.error, context.server)), status: 'failed' };
    if (outcome.error) {
      throw new VerifyError(`check "${check.id}" of ${this.lesson.id} failed inside httpdojo: ${(outcome.error as Error)?.stack ?? String(outcome.error)}`, 'internal');
    }
    return { ...result, status: 'passed', wire: [] };
  }

  /**
   * After a failed check: the reason later checks would only repeat its hang, or
   * null. Route-specific hangs never count (one handler that forgets res.end()
   * says nothing about the others); a program that hangs whatever it is asked does:
   * a client the check said so about (ctx.skipLaterChecks), a server whose event
   * loop is still blocked, a server that has not completed one response in two
   * checks that waited for one.
   */
  private hangThatRepeats(result: CheckResult, before: { program: LearnerProcess | null; events: number }): string | null {
    const program = this.program;
    const events = program ? program.events.slice(program === before.program ? before.events : 0) : [];
    if (events.some((event) => event.t === 'res-finish')) this.answeredAny = true;
    this.noteRouteHangs(result, events);
    if (result.status !== 'failed') return null;
    if (this.checkSkipReason) return this.checkSkipReason;
    if (this.lesson.kind === 'client' || !program?.running || !result.pitfall || !NO_ANSWER_IDS.has(result.pitfall)) return null;
    const silentMs = program.elapsed() - lastHeartbeat(program);
    if (result.pitfall === 'blocking-event-loop' && silentMs > 1000) {
      return `not run: your server's event loop was still blocked when "${result.id}" ended (no sign of life for ${(silentMs / 1000).toFixed(1)} s), so it cannot answer any later check`;
    }
    if (!events.some((event) => event.t === 'req') || events.some((event) => event.t === 'res-finish')) return null;
    this.unanswered.push(result.id);
    if (this.answeredAny || this.unanswered.length < 2) return null;
    return `not run: your server has not completed a single response in this run ("${this.unanswered.join('", "')}" each waited for one in vain), so every later check would wait the same way`;
  }

  /**
   * Which routes (method and path, query left out) hung in this check: requests
   * of a check that failed for want of an answer, never completed. A route that
   * completed any response in the run is never counted.
   */
  private noteRouteHangs(result: CheckResult, events: ProbeEvent[]): void {
    const records = buildRecords(events);
    for (const record of records) if (record.finished) this.answeredRoutes.add(routeKey(record.method, record.url));
    if (result.status !== 'failed' || !result.pitfall || !NO_ANSWER_IDS.has(result.pitfall)) return;
    for (const record of records) {
      const key = routeKey(record.method, record.url);
      if (record.finished || this.answeredRoutes.has(key)) continue;
      const checks = this.routeHangs.get(key) ?? [];
      if (!checks.includes(result.id)) this.routeHangs.set(key, [...checks, result.id]);
    }
  }

  /**
   * The reason not to wait for `method target` again, or null: it hung in two
   * checks already and never completed a response in this run (a POST handler
   * that never answers would otherwise cost every later POST check its timeout).
   */
  private hungRoute(method: string, target: string): string | null {
    const key = routeKey(method, target);
    const checks = this.routeHangs.get(key) ?? [];
    if (checks.length < 2 || this.answeredRoutes.has(key)) return null;
    return `not run: this check needs an answer to ${key}, and your server never answered it (it hung in "${checks.join('", "')}"), so it would only wait the same way`;
  }

  /** No complete response: a handler that never ended it, or just silence. */
  private async diagnoseNoResponse(error: NoResponseError, server: ProgramView): Promise<Partial<CheckResult>> {
    const request = (error as NoResponseError & { request?: { method: string; target: string } }).request;
    const sent = request ? `We sent ${request.method} ${request.target}` : 'We sent a request';
    // The probe's heartbeat stops while the event loop is blocked: then nothing
    // else can run either, and that — not a forgotten end() — is the diagnosis.
    const program = this.program;
    const silentMs = program?.running ? program.elapsed() - lastHeartbeat(program) : 0;
    if (error.reason === 'timeout' && silentMs > 1000) {
      return {
        pitfall: 'blocking-event-loop',
        message: `${sent}; no response came for ${(error.waitedMs / 1000).toFixed(1)} s, and your program's event loop has been blocked for ${(silentMs / 1000).toFixed(1)} s: code in the handler runs without ever giving control back (a loop that never ends?), so no other request, timer or I/O can run either.`,
        // The line the probe's watcher saw spinning, when it caught the loop; else the server.
        location: [...(program?.events ?? [])].reverse().find((event): event is EventOf<'blocked-at'> => event.t === 'blocked-at' && event.at.file === this.file)?.at ?? this.findInSource(/createServer\s*\(/),
      };
    }
    if (error.reason === 'timeout' && request) {
      await new Promise((r) => setTimeout(r, 30));
      const record = server.request({ method: request.method, url: request.target });
      if (record && !record.ended) {
        const calls = record.calls.filter((call) => !call.nested).map((call) => call.fn);
        return {
          pitfall: 'missing-res-end',
          message: `${sent}; your server received it, ${calls.length ? `called ${[...new Set(calls)].join(', ')}` : 'called nothing on the response'}, and never called res.end(): ${error.message}.`,
          location: record.lastCallAt ?? this.findInSource(/createServer\s*\(/),
        };
      }
    }
    const pitfall = error.reason === 'timeout' || error.reason === 'aborted' ? 'timeout' : 'wrong-status';
    return { pitfall, message: `${sent}; ${error.message}.`, location: null };
  }

  private crashInfo(program: LearnerProcess): CrashInfo {
    const error = [...program.events].reverse().find((event): event is EventOf<'uncaught'> => event.t === 'uncaught') ?? null;
    return { exit: program.exitInfo ?? { code: null, signal: null, killedBy: null, atMs: program.elapsed() }, error, stderrTail: tail(program.stderr.text(), 12) };
  }

  private crashResult(crash: CrashInfo, when: string): Partial<CheckResult> {
    const error = crash.error;
    const mapped = error ? (this.module.crashes?.[error.code ?? ''] ?? this.module.crashes?.[error.name]) : undefined;
    if (crash.exit.killedBy === 'memory-cap') {
      return { pitfall: mapped ?? 'crash', message: `Your program used more memory than httpdojo allows (${when}) and was stopped.`, location: null, error: null, stderrTail: crash.stderrTail || null };
    }
    const what = error ? `${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}` : `it exited (${describeExit(crash.exit)})`;
    // A TypeError on null/undefined right after an error the program swallowed is that error's pitfall.
    const secondary = mapped ? null : secondaryCrash({ file: this.file, text: this.sourceText, pitfalls: this.lesson.pitfalls, events: this.program?.events ?? [], error });
    if (secondary) {
      return { pitfall: secondary.pitfall, message: `${capitalize(when)}: your program crashed with ${what}. The cause came first: ${secondary.cause}.`, location: secondary.location, ...crashEvidence(crash) };
    }
    return {
      pitfall: mapped ?? 'crash',
      message: `${capitalize(when)}: your program crashed with ${what}`,
      location: crashWithoutLocation(this.file, this.program?.events ?? [], error),
      ...crashEvidence(crash),
    };
  }

  private findInSource(pattern: RegExp): Location | null {
    return sourceView(this.file, this.sourceText).find(pattern);
  }

  private async trackUpstream(handler: UpstreamHandler, list: Upstream[]): Promise<Upstream> {
    const startedAt = performance.now();
    const upstream = await startUpstream(handler);
    this.upstreamStarts.set(upstream, startedAt);
    list.push(upstream);
    return upstream;
  }

  /** The check's events on one clock (verify --timeline); see timeline.ts. */
  private timelineOf(transcript: Transcript, clockAt: number, startProgram: LearnerProcess | null, eventsFrom: number, clientRuns: LearnerProcess[], upstreams: Upstream[]): TimelineEvent[] {
    // A process's clock zero on the check's clock: now, minus how long it has run.
    const startOf = (process: LearnerProcess) => performance.now() - process.elapsed() - clockAt;
    const programs: ProgramEvents[] = [];
    if (startProgram) programs.push({ side: 'server', events: startProgram.events.slice(eventsFrom), startMs: startOf(startProgram) });
    // In client lessons the current program is one of the client runs, not a server.
    if (this.program && this.program !== startProgram && !clientRuns.includes(this.program)) programs.push({ side: 'server', events: this.program.events.slice(), startMs: startOf(this.program) });
    for (const client of clientRuns) programs.push({ side: 'client', events: client.events.slice(), startMs: startOf(client) });
    const records = [...this.lessonUpstreams, ...upstreams].map((upstream) => ({ upstream, startMs: (this.upstreamStarts.get(upstream) ?? clockAt) - clockAt }));
    return buildTimeline(transcript.entries, programs, records, Math.round(performance.now() - clockAt));
  }

  private context(check: Check, transcript: Transcript, signal: AbortSignal, upstreams: Upstream[], clientRuns: LearnerProcess[], eventsFrom: number, expectExit: () => void): CheckContext {
    const run = this;
    const currentProgram = () => run.program;
    const checkEvents = () => {
      const program = currentProgram();
      if (!program) return [];
      // After a restart within the check, all of the new program's events count.
      return program === startProgram ? program.events.slice(eventsFrom) : program.events.slice();
    };
    const startProgram = currentProgram();
    const server: ProgramView = {
      get port() {
        return run.port;
      },
      get origin() {
        return `http://127.0.0.1:${run.port}`;
      },
      file: this.file,
      events: checkEvents,
      eventsOf: <T extends ProbeEvent['t']>(type: T) => checkEvents().filter((event): event is EventOf<T> => event.t === type),
      requests: () => buildRecords(checkEvents()),
      request: (match = {}) => {
        const records = buildRecords(checkEvents()).filter((record) =>
          (!match.method || record.method === match.method) &&
          (match.url === undefined || (typeof match.url === 'function' ? match.url(record.url) : record.url === match.url)));
        return records[records.length - 1];
      },
      recordOf: async (response) => {
        const find = () => buildRecords(checkEvents()).filter((record) =>
          record.method === response.request.method && record.url === response.request.target &&
          (record.remotePort === null || record.remotePort === response.connection.localPort)).pop();
        // Bounded: the response is already complete, so its events are in the pipe.
        for (let waited = 0; waited < 500; waited += 10) {
          const record = find();
          if (record && (record.finished || record.closed)) return record;
          await sleep(10, signal);
        }
        return find();
      },
      waitFor: (type, options = {}) => {
        const program = currentProgram();
        if (!program) return Promise.resolve(null);
        return program.waitForEvent(type, { timeoutMs: options.timeoutMs ?? 2000, since: program === startProgram ? eventsFrom : 0, signal, where: options.where });
      },
      crash: () => {
        const program = currentProgram();
        return program && !program.running ? run.crashInfo(program) : null;
      },
      get listenAt() {
        const listen = currentProgram()?.events.find((event): event is EventOf<'listen'> => event.t === 'listen');
        return listen?.at ?? null;
      },
      stdout: () => currentProgram()?.stdout.text() ?? '',
      stderr: () => currentProgram()?.stderr.text() ?? '',
      memory: () => {
        const program = currentProgram();
        const ticks = program?.events.filter((event): event is EventOf<'tick'> => event.t === 'tick') ?? [];
        return { rss: ticks.length ? ticks[ticks.length - 1].rss : null, peak: Math.max(program?.peakRss ?? 0, ...ticks.map((tick) => tick.rss)) };
      },
      openFiles: () => {
        const pid = currentProgram()?.pid;
        return pid ? openFiles(pid) : null;
      },
    };
    const http = new HttpClient(() => run.port, transcript, signal, (method, target) => {
      const reason = run.hungRoute(method, target);
      if (reason) run.checkRefusal ??= reason;
      return reason;
    });
    return {
      http,
      server,
      program: {
        restart: async (options = {}) => {
          if (options.args) run.args = options.args;
          const failure = await run.startServer();
          if (failure) throw new CheckFailure(failure.pitfall ?? 'never-listens', failure.message ?? 'the program did not start again', failure.location ?? null);
        },
        signal: (name) => {
          currentProgram()?.signal(name);
        },
        waitForExit: (timeoutMs) => currentProgram()?.waitForExit(timeoutMs) ?? Promise.resolve(null),
        expectExit,
        run: (args, options = {}) => run.runClient(args, options.timeoutMs ?? 5000, clientRuns, signal),
      },
      expect: (response) => expectResponse(response, server),
      skipLaterChecks: (reason) => {
        run.checkSkipReason = reason;
      },
      fail: (pitfall, message, location = null) => {
        throw new CheckFailure(pitfall, message, location);
      },
      note: (text) => transcript.note(text),
      sleep: (ms) => sleep(ms, signal),
      signal,
      upstream: (handler) => run.trackUpstream(handler, upstreams),
      body: bodyBuilders,
      tempDir: this.tempDir,
      data: this.setupData,
      source: sourceView(this.file, this.sourceText),
    };
  }

  /** Client lessons: run the program to its end (or the deadline) and report what it did. */
  private async runClient(args: string[], timeoutMs: number, clientRuns: LearnerProcess[], signal: AbortSignal): Promise<ProgramRun> {
    const began = performance.now();
    const program = new LearnerProcess({ file: this.file, args });
    clientRuns.push(program);
    this.program = program;
    const onAbort = () => program.killNow('httpdojo');
    signal.addEventListener('abort', onAbort, { once: true });
    let exit: ExitInfo | null;
    try {
      exit = await program.waitForExit(timeoutMs);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const timedOut = exit === null;
    if (timedOut) exit = await program.stop();
    return {
      exitCode: timedOut ? null : exit!.code,
      signal: timedOut ? null : exit!.signal,
      stdout: program.stdout.text(),
      stderr: program.stderr.text(),
      timedOut,
      durationMs: Math.round(performance.now() - began),
      events: program.events.slice(),
      error: [...program.events].reverse().find((event): event is EventOf<'uncaught'> => event.t === 'uncaught') ?? null,
    };
  }

  async cleanup(): Promise<void> {
    await this.program?.stop();
    await Promise.all(this.lessonUpstreams.map((upstream) => upstream.close()));
    rmSync(this.tempDir, { recursive: true, force: true });
    liveTempDirs.delete(this.tempDir);
  }
}

// Ctrl-C ends httpdojo with process.exit(130) while a check is running, so
// cleanup() above never runs: the run's temp folder is also removed on exit
// (synchronously, as 'exit' handlers must be), like the learner process is.
const liveTempDirs = new Set<string>();
function trackTempDir(dir: string): void {
  if (liveTempDirs.size === 0 && !process.listeners('exit').includes(removeLiveTempDirs)) process.on('exit', removeLiveTempDirs);
  liveTempDirs.add(dir);
}
function removeLiveTempDirs(): void {
  // The programs go first, so none of them is still writing into a folder being removed.
  killAllLearnerProcesses();
  for (const dir of liveTempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Nothing more can be done while exiting.
    }
  }
  liveTempDirs.clear();
}

/**
 * When the probe last showed its event loop turning: its latest heartbeat, or
 * its hello when the loop blocked before the first heartbeat (a fast start and
 * an immediate request), or the start when the probe never spoke at all.
 */
function lastHeartbeat(program: LearnerProcess): number {
  for (let i = program.events.length - 1; i >= 0; i--) {
    const event = program.events[i];
    if (event.t === 'tick' || event.t === 'hello') return event.receivedAt;
  }
  return 0;
}

class CheckTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`check timed out after ${timeoutMs} ms`);
  }
}

/** A route as far as hangs go: the method and the path without its query. */
function routeKey(method: string, target: string): string {
  const query = target.indexOf('?');
  return `${method} ${query < 0 ? target : target.slice(0, query)}`;
}

/** Diagnoses of a request that got no complete answer. */
const NO_ANSWER_IDS = new Set(['missing-res-end', 'timeout', 'blocking-event-loop']);


function blank(id: string, title: string): CheckResult {
  return { id, title, status: 'passed', pitfall: null, message: null, location: null, durationMs: 0, wire: [], error: null, stderrTail: null };
}

function skipped(check: Check, reason: string): CheckResult {
  return { ...blank(check.id, check.title), status: 'skipped', message: reason };
}

function crashEvidence(crash: CrashInfo): Partial<CheckResult> {
  return {
    error: crash.error ? { name: crash.error.name, message: crash.error.message, ...(crash.error.code ? { code: crash.error.code } : {}) } : null,
    stderrTail: crash.stderrTail || null,
  };
}

function describeSent(error: unknown): string {
  const request = (error as { request?: { method: string; target: string } } | undefined)?.request;
  return request ? `when we sent ${request.method} ${request.target}` : 'during this check';
}

function describeExit(exit: ExitInfo): string {
  if (exit.killedBy) return 'stopped by httpdojo';
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The probe's per-request events folded into one record per request. */
export function buildRecords(events: ProbeEvent[]): ResponseRecord[] {
  const records = new Map<number, ResponseRecord>();
  for (const event of events) {
    if (event.t === 'req') {
      records.set(event.id, {
        id: event.id, method: event.method, url: event.url, remotePort: event.remotePort, calls: [], ended: false, finished: false, closed: false,
        bodyRead: false, requestClosed: false, requestComplete: null, errors: [], lastCallAt: null,
      });
      continue;
    }
    const id = 'id' in event ? event.id : null;
    const record = typeof id === 'number' ? records.get(id) : undefined;
    if (!record) continue;
    switch (event.t) {
      case 'call':
        record.calls.push(event);
        if (event.fn === 'end') record.ended = true;
        if (event.at && !event.nested) record.lastCallAt = event.at;
        break;
      case 'res-finish':
        record.finished = true;
        break;
      case 'res-close':
        record.closed = true;
        break;
      case 'req-end':
        record.bodyRead = true;
        break;
      case 'req-close':
        record.requestClosed = true;
        record.requestComplete = event.complete;
        break;
      case 'res-error':
      case 'call-threw':
        record.errors.push(event);
        break;
    }
  }
  return [...records.values()];
}

/** The first syntax error of a JavaScript or TypeScript file (TypeScript's parser, loaded only when needed), or null. */
export async function syntaxErrorIn(file: string, text: string): Promise<{ message: string; location: Location } | null> {
  try {
    const ts = loadTypeScript();
    const output = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { allowJs: true } });
    const diagnostic = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error && d.file && d.start !== undefined);
    if (!diagnostic?.file || diagnostic.start === undefined) return null;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '), location: { file, line: line + 1, column: character + 1 } };
  } catch {
    return null;
  }
}

export function sourceView(file: string, text: string): SourceView {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const locate = (index: number): Location => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= index) line++;
    return { file, line: line + 1, column: index - lineStarts[line] + 1 };
  };
  // A location points at code: a match inside a comment (a TODO that names the
  // API, a commented-out attempt) is never the learner's line.
  // Nor is a match inside a string ('server built with http.createServer()'):
  // a match may start at a literal's opening quote ('Content-Type':), never inside it.
  const comments = [...commentRanges(text), ...stringInteriors(text)];
  const inComment = (index: number) => comments.some(([start, end]) => index >= start && index < end);
  const findAll = (pattern: RegExp) =>
    [...text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'))]
      .filter((match) => !inComment(match.index ?? 0))
      .map((match) => locate(match.index ?? 0));
  return { text, find: (pattern) => findAll(pattern)[0] ?? null, findAll };
}

/** [start, end) of the inside of every string and template literal (quotes excluded), skipping comments. */
export function stringInteriors(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const comments = commentRanges(text);
  let c = 0;
  for (let i = 0; i < text.length; i++) {
    while (c < comments.length && comments[c][1] <= i) c++;
    if (c < comments.length && i >= comments[c][0]) {
      i = comments[c][1] - 1;
      continue;
    }
    const quote = text[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    let j = i + 1;
    while (j < text.length && text[j] !== quote && !(quote !== '`' && text[j] === '\n')) j += text[j] === '\\' ? 2 : 1;
    ranges.push([i + 1, j]);
    i = j;
  }
  return ranges;
}

/** [start, end) of every // and /* *\/ comment, skipping string and template literals. */
export function commentRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      ranges.push([i, end < 0 ? text.length : end]);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      ranges.push([i, end < 0 ? text.length : end + 2]);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      // Skip the literal (escapes included); a template's ${} is treated as part of it.
      i++;
      while (i < text.length && text[i] !== c && !(c !== '`' && text[i] === '\n')) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else i++;
  }
  return ranges;
}

const bodyBuilders: CheckContext['body'] = {
  splitInside(text, inside, options = {}) {
    const bytes = Buffer.from(text, 'utf8');
    const at = text.indexOf(inside);
    if (at < 0 || Buffer.byteLength(inside) < 2) throw new Error(`splitInside: "${inside}" is not a multi-byte character of the text`);
    const cut = Buffer.byteLength(text.slice(0, at)) + 1;
    return [bytes.subarray(0, cut), { pauseMs: options.pauseMs ?? 50 }, bytes.subarray(cut)];
  },
  pieces(text, size, options = {}) {
    const bytes = Buffer.from(text, 'utf8');
    const parts: BodyPart[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) {
      if (offset > 0) parts.push({ pauseMs: options.pauseMs ?? 20 });
      parts.push(bytes.subarray(offset, offset + size));
    }
    return parts;
  },
  sized: (size, fill) => ({ size, fill }),
};

/** Expectations on a response; a mismatch fails with a generic id and points at the learner's call. */
export function expectResponse(response: HttpResponse, server: ProgramView) {
  const sent = `We sent ${response.request.method} ${response.request.target}${response.request.bodyBytes ? ` with body ${response.request.bodyPreview}` : ''}`;
  const callWhere = (predicate: (call: ResponseCall) => boolean) => async () => {
    const found = await server.recordOf(response);
    const calls = found?.calls.filter((call) => call.at && !call.nested) ?? [];
    return calls.filter(predicate).pop()?.at ?? found?.lastCallAt ?? null;
  };
  const statusCall = callWhere((call) => call.fn === 'writeHead' || call.fn === 'statusCode');
  const headerCall = (name: string) => callWhere((call) =>
    (call.fn === 'setHeader' && String(call.name).toLowerCase() === name.toLowerCase()) ||
    (call.fn === 'writeHead' && call.headers !== undefined && JSON.stringify(call.headers).toLowerCase().includes(`"${name.toLowerCase()}"`)) ||
    call.fn === 'writeHead');
  const bodyCall = callWhere((call) => call.fn === 'end' || call.fn === 'write');
  const got = () => `status ${response.status}, ${response.headers['content-type'] ? `Content-Type ${response.headers['content-type']}` : 'no Content-Type'}, body ${quote(response.text)}`;
  const expectation = {
    status(code: number) {
      if (response.status !== code) throw new CheckFailure('wrong-status', `${sent}; expected status ${code}, got ${got()}.`, null, statusCall);
      return expectation;
    },
    contentType(mediaType: string) {
      const actual = response.headers['content-type'];
      const media = actual?.split(';')[0].trim().toLowerCase();
      if (media !== mediaType.toLowerCase()) {
        throw new CheckFailure('wrong-content-type', `${sent}; expected Content-Type ${mediaType}, got ${actual === undefined ? 'no Content-Type header at all' : JSON.stringify(actual)}.`, null, headerCall('content-type'));
      }
      return expectation;
    },
    header(name: string, value: string | RegExp) {
      const actual = response.headers[name.toLowerCase()];
      const ok = actual !== undefined && (typeof value === 'string' ? actual === value : value.test(actual));
      if (!ok) throw new CheckFailure('wrong-header', `${sent}; expected header ${name}: ${String(value)}, got ${actual === undefined ? 'no such header' : JSON.stringify(actual)}.`, null, headerCall(name));
      return expectation;
    },
    json(value: unknown) {
      if (response.json === undefined || !deepEqual(response.json, value)) {
        throw new CheckFailure('wrong-body', `${sent}; expected JSON ${JSON.stringify(value)}, got ${response.json === undefined ? `a body that is not JSON: ${quote(response.text)}` : JSON.stringify(response.json)}.`, null, bodyCall);
      }
      return expectation;
    },
    text(value: string) {
      if (response.text !== value) throw new CheckFailure('wrong-body', `${sent}; expected the body ${quote(value)}, got ${quote(response.text)}.`, null, bodyCall);
      return expectation;
    },
  };
  return expectation;
}

export function quote(text: string, max = 120): string {
  if (text === '') return 'empty';
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** Deep equality for JSON values: key order does not matter. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => deepEqual(item, (b as unknown[])[i]));
  const keysA = Object.keys(a as object);
  const keysB = Object.keys(b as object);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b as object, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
