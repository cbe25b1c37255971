// ctx.program.start / run for client lessons: run the learner's client program to
// its end (or the deadline) and report what it did. Each run is watched through
// its own process, so a check may run several at once (lesson 10's three non-2xx
// answers) without one run's silence being judged on another run's output.

import type { ClientProgram, ProgramRun } from '../check-api.js';
import { LearnerProcess, type ExitInfo } from '../learner-process.js';
import type { EventOf } from '../probe-events.js';
import type { VerifyRun } from './run.js';

/**
 * Starts a client run. `clientRuns` is the check's list of runs, the one the
 * check looks at (ctx.server, the verdict's program) last: a new run goes to the
 * end, and focus() moves its run back there, so a check that started three runs
 * at once and fails judging the first gets the first one's events.
 */
export function startClient(run: VerifyRun, args: string[], timeoutMs: number, clientRuns: LearnerProcess[], signal: AbortSignal): ClientProgram {
  const program = new LearnerProcess({ file: run.file, args });
  clientRuns.push(program);
  run.program = program;
  return {
    events: () => program.events.slice(),
    stdout: () => program.stdout.text(),
    stderr: () => program.stderr.text(),
    focus: () => {
      const at = clientRuns.indexOf(program);
      if (at >= 0 && at !== clientRuns.length - 1) clientRuns.push(...clientRuns.splice(at, 1));
    },
    result: waitForClient(program, timeoutMs, signal),
  };
}

/** The run once the program exited, or was stopped at `timeoutMs` or when the check was aborted. */
async function waitForClient(program: LearnerProcess, timeoutMs: number, signal: AbortSignal): Promise<ProgramRun> {
  const began = performance.now();
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
