// Running one check: its deadline (the check's timeout, capped by the lesson's),
// its own abort signal, the upstreams and client programs it started (closed
// after it, whatever happened), and the verdict drawn from how it ended.

import { setMaxListeners } from 'node:events';
import type { Check, CheckContext, CrashInfo, ProgramView, Upstream } from '../check-api.js';
import { NoResponseError } from '../clients/connection.js';
import { Transcript } from '../clients/transcript.js';
import type { LearnerProcess } from '../learner-process.js';
import { buildTimeline, type ProgramEvents, type TimelineEvent } from '../timeline.js';
import { CheckFailure, GENERIC_PITFALLS, VerifyError, type CheckResult } from '../verdict.js';
import { checkContext } from './context.js';
import { crashEvidence, crashInfo, crashResult, describeSent, diagnoseNoResponse, lastHeartbeat } from './diagnose.js';
import { eventsSince } from './overlap.js';
import { blank } from './results.js';
import type { VerifyRun } from './run.js';
import { startServer } from './start.js';
import { amendFailure, EvidenceBoard, runWithEvidence } from '../toolkit/index.js';

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

class CheckTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`check timed out after ${timeoutMs} ms`);
  }
}

type Outcome = { failure?: CheckFailure; error?: unknown; timedOut?: boolean };

/** A check's result, the program it looked at, and why later checks would only repeat it (ctx.skipLaterChecks). */
export interface CheckRun {
  result: CheckResult;
  program: LearnerProcess | null;
  skipLater: string | null;
}

/**
 * Runs one check. `stop` aborts it like Ctrl-C does (a check started ahead of
 * its turn that turns out not to be needed). Client lessons' checks share no
 * program (each runs its own clients against its own test server), so run.ts
 * may run several at once; a server lesson's checks share the server and run one
 * at a time, but for `shared` ones (overlap.ts): those see, and show in their
 * timeline, only the requests of their own connections.
 */
export async function runCheck(run: VerifyRun, check: Check, stop?: AbortSignal, options: { shared?: boolean } = {}): Promise<CheckRun> {
  const began = performance.now();
  const base = blank(check.id, check.title);
  const client = run.lesson.kind === 'client';
  run.checkRefusal = null;
  if (!client && !run.program?.running) {
    const failure = await startServer(run);
    if (failure) return { result: { ...base, ...failure, status: 'failed', durationMs: Math.round(performance.now() - began) }, program: run.program, skipLater: null };
  }
  const clientRuns: LearnerProcess[] = [];
  const currentProgram = () => (client ? (clientRuns[clientRuns.length - 1] ?? null) : run.program);
  const program = currentProgram();
  const clockAt = performance.now();
  const transcript = new Transcript();
  const ownPorts = options.shared ? transcript.localPorts : null;
  const timeoutMs = Math.min(check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, Math.max(1000, run.deadlineAt - performance.now()));
  const controller = new AbortController();
  // Every connection of the check listens for this signal; a check that opens
  // dozens at once (traversal probes, concurrency) is normal, not a leak.
  setMaxListeners(1000, controller.signal);
  const onOuterAbort = () => controller.abort();
  run.options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  stop?.addEventListener('abort', onOuterAbort, { once: true });
  const checkUpstreams: Upstream[] = [];
  const skipLater = { reason: null as string | null };
  let exitExpected = false;
  const eventsFrom = program?.events.length ?? 0;
  const evidence = new EvidenceBoard();
  const context = checkContext(run, {
    check, transcript, signal: controller.signal, upstreams: checkUpstreams, clientRuns, startProgram: program, eventsFrom, evidence, currentProgram, skipLater, ownPorts,
    expectExit: () => {
      exitExpected = true;
    },
  });

  let outcome: Outcome;
  try {
    outcome = await runWithDeadline(() => runWithEvidence(context, evidence, () => check.run(context)), timeoutMs, controller);
  } finally {
    controller.abort();
    run.options.signal?.removeEventListener('abort', onOuterAbort);
    stop?.removeEventListener('abort', onOuterAbort);
    await Promise.all(checkUpstreams.map((upstream) => upstream.close()));
    await Promise.all(clientRuns.map((client) => client.stop()));
  }

  const durationMs = Math.round(performance.now() - began);
  // A server that is gone after the check died during it (it was running when the
  // check began); client programs are meant to exit.
  const endProgram = currentProgram();
  const crash = !client && endProgram && !endProgram.running && !exitExpected ? crashInfo(endProgram) : null;
  const timeline = timelineOf(run, transcript, clockAt, { startProgram: program, endProgram, eventsFrom, clientRuns, upstreams: checkUpstreams, ownPorts });
  const result: CheckResult = { ...base, durationMs, wire: transcript.entries, timeline };
  const ran = (judged: CheckResult): CheckRun => ({ result: judged, program: endProgram, skipLater: skipLater.reason });

  // The check needed an answer from a route that never gave one: whatever it
  // concluded without it (a failure, an error on the missing response) says nothing new.
  if (run.checkRefusal && !crash) return ran({ ...base, durationMs, status: 'skipped', message: run.checkRefusal });
  const judged = await judge(run, check, { outcome, crash, result, timeoutMs, server: context.server });
  return ran(judged.status === 'failed' && evidence.current.length ? await amendFailure(judged, evidence.current) : judged);
}

/** Runs the check until it returns, throws, or its deadline passes (which aborts its signal). */
async function runWithDeadline(body: () => Promise<void> | void, timeoutMs: number, controller: AbortController): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(body),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new CheckTimeout(timeoutMs));
        }, timeoutMs);
      }),
    ]);
    return {};
  } catch (error) {
    if (error instanceof CheckFailure) return { failure: error };
    if (error instanceof CheckTimeout) return { timedOut: true };
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

interface Ending {
  outcome: Outcome;
  crash: CrashInfo | null;
  result: CheckResult;
  timeoutMs: number;
  server: ProgramView;
}

/** The check's result from how it ended: its own diagnosis, a crash, a timeout or a missing response. */
async function judge(run: VerifyRun, check: Check, { outcome, crash, result, timeoutMs, server }: Ending): Promise<CheckResult> {
  if (outcome.failure) {
    // A check's own diagnosis wins, unless the program crashed and the check only saw the symptom.
    const generic = GENERIC_PITFALLS.has(outcome.failure.pitfall);
    if (crash && generic && outcome.failure.pitfall !== 'never-listens') return { ...result, ...crashResult(run, crash, describeSent(outcome.failure)), status: 'failed' };
    // Nor when it called a missing answer missing-res-end (or timeout) while the
    // event loop is blocked: a handler that never gives control back cannot end
    // anything, and the loop, not a forgotten end(), is what to fix.
    const silentMs = run.program?.running && run.lesson.kind !== 'client' ? run.program.elapsed() - lastHeartbeat(run.program) : 0;
    if (silentMs > 1000 && (outcome.failure.pitfall === 'missing-res-end' || outcome.failure.pitfall === 'timeout')) {
      return {
        ...result,
        status: 'failed',
        pitfall: 'blocking-event-loop',
        message: `${outcome.failure.message.replace(/\.$/, '')}; and your program's event loop has been blocked for ${(silentMs / 1000).toFixed(1)} s: code in the handler runs without ever giving control back (a loop that never ends?), so no response can end and no other request, timer or I/O can run either.`,
        location: run.findInSource(/createServer\s*\(/),
      };
    }
    const location = outcome.failure.location ?? (outcome.failure.locate ? await outcome.failure.locate() : null);
    return { ...result, status: 'failed', pitfall: outcome.failure.pitfall, message: outcome.failure.message, location, ...(crash ? crashEvidence(crash) : {}) };
  }
  if (crash) return { ...result, ...crashResult(run, crash, describeSent(outcome.error)), status: 'failed' };
  if (outcome.timedOut) {
    return { ...result, status: 'failed', pitfall: 'timeout', message: `This check did not finish within ${(timeoutMs / 1000).toFixed(1)} s: the program kept us waiting.`, location: null };
  }
  if (outcome.error instanceof NoResponseError) return { ...result, ...(await diagnoseNoResponse(run, outcome.error, server)), status: 'failed' };
  if (outcome.error) {
    throw new VerifyError(`check "${check.id}" of ${run.lesson.id} failed inside httpdojo: ${(outcome.error as Error)?.stack ?? String(outcome.error)}`, 'internal');
  }
  return { ...result, status: 'passed', wire: [] };
}

/** The check's events on one clock (verify --timeline); see timeline.ts. */
function timelineOf(run: VerifyRun, transcript: Transcript, clockAt: number, parts: { startProgram: LearnerProcess | null; endProgram: LearnerProcess | null; eventsFrom: number; clientRuns: LearnerProcess[]; upstreams: Upstream[]; ownPorts: ReadonlySet<number> | null }): TimelineEvent[] {
  const { startProgram, endProgram, eventsFrom, clientRuns, upstreams, ownPorts } = parts;
  // A process's clock zero on the check's clock: now, minus how long it has run.
  const startOf = (process: LearnerProcess) => performance.now() - process.elapsed() - clockAt;
  const programs: ProgramEvents[] = [];
  if (startProgram) programs.push({ side: 'server', events: eventsSince(startProgram, eventsFrom, ownPorts), startMs: startOf(startProgram) });
  // In client lessons the current program is one of the client runs, not a server.
  if (endProgram && endProgram !== startProgram && !clientRuns.includes(endProgram)) programs.push({ side: 'server', events: endProgram.events.slice(), startMs: startOf(endProgram) });
  for (const client of clientRuns) programs.push({ side: 'client', events: client.events.slice(), startMs: startOf(client) });
  const records = [...run.lessonUpstreams, ...upstreams].map((upstream) => ({ upstream, startMs: (run.upstreamStarts.get(upstream) ?? clockAt) - clockAt }));
  return buildTimeline(transcript.entries, programs, records, Math.round(performance.now() - clockAt));
}
