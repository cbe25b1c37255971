// ctx.program.run for client lessons: run the learner's client program to its
// end (or the deadline) and report what it did.

import type { ProgramRun } from '../check-api.js';
import { LearnerProcess, type ExitInfo } from '../learner-process.js';
import type { EventOf } from '../probe-events.js';
import type { VerifyRun } from './run.js';

/** Client lessons: run the program to its end (or the deadline) and report what it did. */
export async function runClient(run: VerifyRun, args: string[], timeoutMs: number, clientRuns: LearnerProcess[], signal: AbortSignal): Promise<ProgramRun> {
  const began = performance.now();
  const program = new LearnerProcess({ file: run.file, args });
  clientRuns.push(program);
  run.program = program;
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
