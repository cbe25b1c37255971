// One verify: the learner's program under the probe, the lesson's checks run
// against it one by one, and the state they share (the program, its port, the
// deadline, what hung). Every wait has a deadline; a crash ends only the check it
// happened in (the program is restarted for the next); cleanup() leaves nothing
// running. The other files of this folder each do one part, given this run.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Check, LessonChecks, Upstream, UpstreamHandler } from '../check-api.js';
import type { LearnerProcess } from '../learner-process.js';
import { refineLocation } from '../locate.js';
import type { Location } from '../probe-events.js';
import { findFrameworkImport } from '../static-imports.js';
import { courseCerts } from '../toolkit/tls/certs.js';
import { startUpstream } from '../upstreams/test-upstream.js';
import type { CheckResult } from '../verdict.js';
import type { VerifyOptions } from '../verify.js';
import type { Lesson } from '../../course/lessons.js';
import { runCheck, type CheckRun } from './check.js';
import { HangTracker } from './hangs.js';
import { replayBefore, runWindow, windowAt } from './overlap.js';
import { blank, skipped } from './results.js';
import { sourceView } from './source.js';
import { startServer } from './start.js';
import { trackTempDir, untrackTempDir } from './temp-dirs.js';

/**
 * How many checks of a client lesson run at once. Two: on two cores the client
 * processes' start-up (node, tsx, the probe) is what the checks wait for, and
 * more at once would only queue for the same cores.
 */
const CLIENT_CHECKS_AT_ONCE = Math.max(1, Math.min(2, availableParallelism()));

/** A check started and not yet taken in its turn. */
interface Pending {
  stop: AbortController;
  before: { program: LearnerProcess | null; events: number };
  running: Promise<CheckRun>;
}

/** Stops a check started ahead of its turn that is not needed after all, and waits until it has cleaned up. */
async function discard(pending: Map<number, Pending>, index: number): Promise<void> {
  const entry = pending.get(index);
  if (!entry) return;
  pending.delete(index);
  entry.stop.abort();
  await entry.running.catch(() => {});
}

export class VerifyRun {
  readonly results: CheckResult[] = [];
  /** The program under test: the server, or in client lessons the latest client run. */
  program: LearnerProcess | null = null;
  port = 0;
  /** The port the program asked listen() for (the probe rebinds it): where `httpdojo run` will listen. */
  requestedPort: number | null = null;
  args: string[];
  readonly tempDir: string;
  setupData: unknown = undefined;
  readonly lessonUpstreams: Upstream[] = [];
  /** performance.now() when each upstream started, to put its records on a check's clock (timeline). */
  readonly upstreamStarts = new Map<Upstream, number>();
  readonly deadlineAt: number;
  readonly sourceText: string;
  /** Why every later check would hang the same way (DESIGN.md: a hanging program's verdict within 10 s); null while none does. */
  private repeatingHang: string | null = null;
  readonly hangs = new HangTracker();
  /** Set when the current check asked for a route known to hang (ctx.http refused to wait for it again). */
  checkRefusal: string | null = null;

  constructor(
    readonly lesson: Lesson,
    readonly file: string,
    readonly module: LessonChecks,
    readonly options: VerifyOptions,
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
      const prepared = await this.module.setup({ tempDir: this.tempDir, upstream: (handler) => this.trackUpstream(handler, this.lessonUpstreams), certs: courseCerts(dirname(this.lesson.dir)) });
      if (prepared?.args) this.args = prepared.args;
      this.setupData = prepared?.data;
    }

    if (this.lesson.kind !== 'client') {
      const startedAt = performance.now();
      const failure = await startServer(this);
      const listens: CheckResult = { ...blank('listens', 'the program starts and listens within 5 s'), durationMs: Math.round(performance.now() - startedAt) };
      if (failure) {
        this.push({ ...listens, ...failure, status: 'failed' });
        this.skipRest(0, this.program?.events.some((event) => event.t === 'listen') ? 'the server crashed just after it listened' : 'the server never listened');
        return;
      }
      this.push({ ...listens, status: 'passed' });
    }

    await this.runChecks();
  }

  /**
   * The checks in order: each result is pushed, and decides what is skipped, in
   * check order. A client lesson's checks share no program, so the next ones
   * start while the current one runs (CLIENT_CHECKS_AT_ONCE in all; each spends
   * most of its time waiting for a client process to start and exit); one that
   * turns out to be skipped (a check it needs failed, an earlier client hung) is
   * stopped and its result dropped, so the verdict is the one a run one at a
   * time gives. A server lesson's `concurrent` checks run beside the check before
   * them while every result so far passed (overlap.ts), with the same guarantee.
   */
  private async runChecks(): Promise<void> {
    const checks = this.module.checks;
    const ahead = this.lesson.kind === 'client' ? CLIENT_CHECKS_AT_ONCE : 1;
    const pending = new Map<number, Pending>();
    let overlap = this.lesson.kind !== 'client';
    try {
      for (let index = 0; index < checks.length; index++) {
        const check = checks[index];
        const end = this.endReason();
        if (end) {
          this.skipRest(index, end);
          return;
        }
        const skip = this.skipReason(check);
        if (skip) {
          await discard(pending, index);
          this.push(skipped(check, skip));
          continue;
        }
        overlap &&= this.results.every((result) => result.status === 'passed');
        const window = overlap ? windowAt(checks, index) : [check];
        if (window.length > 1) {
          if (await this.runAtOnce(window)) {
            index += window.length - 1;
            continue;
          }
          // It did not count: the program as a one-at-a-time run has it, and one at a time from here on.
          overlap = false;
          await replayBefore(this, checks, index);
        }
        for (let next = index; next < Math.min(checks.length, index + ahead); next++) {
          if (!pending.has(next) && (next === index || !this.skipReason(checks[next]))) pending.set(next, this.start(checks[next]));
        }
        const entry = pending.get(index)!;
        pending.delete(index);
        const ran = await entry.running;
        const result = this.refined(ran.result, ran.program);
        this.push(result);
        const { before } = entry;
        const events = ran.program ? ran.program.events.slice(ran.program === before.program ? before.events : 0) : [];
        this.repeatingHang = this.hangs.afterCheck(result, ran.program, events, this.lesson.kind === 'client', ran.skipLater);
      }
    } finally {
      for (const index of [...pending.keys()]) await discard(pending, index);
    }
  }

  /** Runs `window` at once; true when its results count (all passed: overlap.ts), and then they are pushed in order. */
  private async runAtOnce(window: Check[]): Promise<boolean> {
    const program = this.program;
    const from = program?.events.length ?? 0;
    const runs = await runWindow(this, window);
    if (!runs || !program) return false;
    for (const ran of runs) {
      this.push(ran.result);
      this.repeatingHang = this.hangs.afterCheck(ran.result, program, program.events.slice(from), false, ran.skipLater);
    }
    return true;
  }

  /** Why no further check runs: Ctrl-C, or the lesson's deadline. */
  private endReason(): string | null {
    if (this.options.signal?.aborted) return 'verify was interrupted';
    if (performance.now() >= this.deadlineAt) return `not run: the lesson's ${this.lesson.deadlineMs / 1000} s deadline was reached`;
    return null;
  }

  /** Why `check` is skipped, given the results so far: every check would hang the same way, or one it needs did not pass. */
  private skipReason(check: Check): string | null {
    if (this.repeatingHang) return this.repeatingHang;
    const blocker = check.needs?.find((id) => this.results.some((r) => r.id === id && r.status !== 'passed'));
    return blocker ? `skipped because "${blocker}" did not pass` : null;
  }

  private start(check: Check): Pending {
    const stop = new AbortController();
    const before = { program: this.program, events: this.program?.events.length ?? 0 };
    const running = runCheck(this, check, stop.signal);
    // Awaited in its turn or by discard(); until then a failure must not count as unhandled.
    running.catch(() => {});
    return { stop, before, running };
  }

  /** The failure's location moved to the line a mentor would point at (src/engine/locate.ts). */
  private refined(result: CheckResult, program: LearnerProcess | null): CheckResult {
    if (result.status !== 'failed' || !result.location) return result;
    const location = refineLocation({ file: this.file, text: this.sourceText, pitfall: result.pitfall, location: result.location, events: program?.events ?? [] });
    return location === result.location ? result : { ...result, location };
  }

  findInSource(pattern: RegExp): Location | null {
    return sourceView(this.file, this.sourceText).find(pattern);
  }

  async trackUpstream(handler: UpstreamHandler, list: Upstream[]): Promise<Upstream> {
    const startedAt = performance.now();
    const upstream = await startUpstream(handler);
    this.upstreamStarts.set(upstream, startedAt);
    list.push(upstream);
    return upstream;
  }

  async cleanup(): Promise<void> {
    await this.program?.stop();
    await Promise.all(this.lessonUpstreams.map((upstream) => upstream.close()));
    rmSync(this.tempDir, { recursive: true, force: true });
    untrackTempDir(this.tempDir);
  }
}
