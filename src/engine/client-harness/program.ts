// ctx.program.start's answer (check-api.ts ProgramControl): one run of a client
// program, under way. Types only; the engine's implementation is
// src/engine/verify/client-run.ts.
import type { ProbeEvent, ProgramRun } from '../check-api.js';

/**
 * One run of a client program, under way. Its events, stdout and stderr are this
 * run's own, whatever other runs the check started beside it, so a check may run
 * the program several times at once (lesson 10's non-2xx).
 */
export interface ClientProgram {
  /** The probe's events of this run so far. */
  events(): ProbeEvent[];
  stdout(): string;
  stderr(): string;
  /**
   * The check is judging this run: ctx.server (and a failure's location) follow it
   * from now on. Without it they follow the check's latest run.
   */
  focus(): void;
  /** What run() resolves to: the run once it exited or reached its deadline. */
  result: Promise<ProgramRun>;
}
