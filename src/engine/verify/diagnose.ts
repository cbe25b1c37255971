// Diagnosing what a check could not see for itself: a program that crashed (its
// uncaught error, the lesson's crash mapping, a secondary TypeError whose cause
// came first), a request that got no complete response (a handler that never
// ended it, or a blocked event loop), and when the probe last showed signs of life.

import type { CheckResult } from '../verdict.js';
import type { CrashInfo, ProgramView } from '../check-api.js';
import type { NoResponseError } from '../clients/connection.js';
import { crashWithoutLocation, secondaryCrash } from '../crash-cause.js';
import type { ExitInfo, LearnerProcess } from '../learner-process.js';
import type { EventOf } from '../probe-events.js';
import type { VerifyRun } from './run.js';

/**
 * When the probe last showed its event loop turning: its latest heartbeat, or
 * its hello when the loop blocked before the first heartbeat (a fast start and
 * an immediate request), or the start when the probe never spoke at all.
 */
export function lastHeartbeat(program: LearnerProcess): number {
  for (let i = program.events.length - 1; i >= 0; i--) {
    const event = program.events[i];
    if (event.t === 'tick' || event.t === 'hello') return event.receivedAt;
  }
  return 0;
}

export function crashInfo(program: LearnerProcess): CrashInfo {
  const error = [...program.events].reverse().find((event): event is EventOf<'uncaught'> => event.t === 'uncaught') ?? null;
  return { exit: program.exitInfo ?? { code: null, signal: null, killedBy: null, atMs: program.elapsed() }, error, stderrTail: tail(program.stderr.text(), 12) };
}

export function crashResult(run: VerifyRun, crash: CrashInfo, when: string): Partial<CheckResult> {
  const error = crash.error;
  const mapped = error ? (run.module.crashes?.[error.code ?? ''] ?? run.module.crashes?.[error.name]) : undefined;
  if (crash.exit.killedBy === 'memory-cap') {
    return { pitfall: mapped ?? 'crash', message: `Your program used more memory than httpdojo allows (${when}) and was stopped.`, location: null, error: null, stderrTail: crash.stderrTail || null };
  }
  const what = error ? `${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}` : `it exited (${describeExit(crash.exit)})`;
  // A TypeError on null/undefined right after an error the program swallowed is that error's pitfall.
  const secondary = mapped ? null : secondaryCrash({ file: run.file, text: run.sourceText, pitfalls: run.lesson.pitfalls, events: run.program?.events ?? [], error });
  if (secondary) {
    return { pitfall: secondary.pitfall, message: `${capitalize(when)}: your program crashed with ${what}. The cause came first: ${secondary.cause}.`, location: secondary.location, ...crashEvidence(crash) };
  }
  return {
    pitfall: mapped ?? 'crash',
    message: `${capitalize(when)}: your program crashed with ${what}`,
    location: crashWithoutLocation(run.file, run.program?.events ?? [], error),
    ...crashEvidence(crash),
  };
}

export function crashEvidence(crash: CrashInfo): Partial<CheckResult> {
  return {
    error: crash.error ? { name: crash.error.name, message: crash.error.message, ...(crash.error.code ? { code: crash.error.code } : {}) } : null,
    stderrTail: crash.stderrTail || null,
  };
}

/** No complete response: a handler that never ended it, or just silence. */
export async function diagnoseNoResponse(run: VerifyRun, error: NoResponseError, server: ProgramView): Promise<Partial<CheckResult>> {
  const request = (error as NoResponseError & { request?: { method: string; target: string } }).request;
  const sent = request ? `We sent ${request.method} ${request.target}` : 'We sent a request';
  // The probe's heartbeat stops while the event loop is blocked: then nothing
  // else can run either, and that — not a forgotten end() — is the diagnosis.
  const program = run.program;
  const silentMs = program?.running ? program.elapsed() - lastHeartbeat(program) : 0;
  if (error.reason === 'timeout' && silentMs > 1000) {
    return {
      pitfall: 'blocking-event-loop',
      message: `${sent}; no response came for ${(error.waitedMs / 1000).toFixed(1)} s, and your program's event loop has been blocked for ${(silentMs / 1000).toFixed(1)} s: code in the handler runs without ever giving control back (a loop that never ends?), so no other request, timer or I/O can run either.`,
      // The line the probe's watcher saw spinning, when it caught the loop; else the server.
      location: [...(program?.events ?? [])].reverse().find((event): event is EventOf<'blocked-at'> => event.t === 'blocked-at' && event.at.file === run.file)?.at ?? run.findInSource(/createServer\s*\(/),
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
        location: record.lastCallAt ?? run.findInSource(/createServer\s*\(/),
      };
    }
  }
  const pitfall = error.reason === 'timeout' || error.reason === 'aborted' ? 'timeout' : 'wrong-status';
  return { pitfall, message: `${sent}; ${error.message}.`, location: null };
}

export function describeSent(error: unknown): string {
  const request = (error as { request?: { method: string; target: string } } | undefined)?.request;
  return request ? `when we sent ${request.method} ${request.target}` : 'during this check';
}

export function describeExit(exit: ExitInfo): string {
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
