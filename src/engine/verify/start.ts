// Starting (or restarting) a server program and waiting for it to listen: the
// "listens" check of every server lesson, and the restart before a check whose
// program died in the previous one.

import { LearnerProcess } from '../learner-process.js';
import type { EventOf } from '../probe-events.js';
import type { CheckResult } from '../verdict.js';
import { crashInfo, crashResult, describeExit, lastHeartbeat } from './diagnose.js';
import { quote } from './expect.js';
import type { VerifyRun } from './run.js';
import { syntaxErrorIn } from './source.js';

/** CURRICULUM.md: a server must be listening 5 s after start. */
const LISTEN_DEADLINE_MS = 5000;
/**
 * How long after its first listen a crash still counts as one at start-up (see
 * startServer): the deadline of that look, which usually ends sooner, when the
 * probe reports the start-up settled.
 */
const CRASH_AFTER_LISTEN_MS = 100;

/** Starts (or restarts) the server and waits for it to listen; a failure result when it does not. */
export async function startServer(run: VerifyRun): Promise<Partial<CheckResult> | null> {
  if (run.program?.running) await run.program.stop();
  const program = new LearnerProcess({ file: run.file, args: run.args });
  run.program = program;
  const remaining = Math.max(500, Math.min(LISTEN_DEADLINE_MS, run.deadlineAt - performance.now()));
  const listen = await program.waitForEvent('listen', { timeoutMs: remaining, signal: run.options.signal, });
  if (listen) {
    // A program can die just after it listened: a second server on the port the
    // first holds (EADDRINUSE) or a throw in the listen callback, on the tick
    // after the bind, as under plain node. The probe reports the uncaught error
    // before the process is gone; a short look for it makes that a crash at
    // start-up rather than a reset seen by the first check. The look ends at the
    // probe's 'settled' (nothing left that could run the program's code, so
    // waiting longer catches nothing more: probe/settle.ts), at the program's
    // exit, or at the deadline. Events arrive in the order the probe wrote them,
    // so an uncaught error written before 'settled' or the exit is seen here.
    const since = program.events.indexOf(listen);
    await program.waitForEvent('settled', { timeoutMs: CRASH_AFTER_LISTEN_MS, since, signal: run.options.signal });
    const died = program.events.slice(since).some((event) => event.t === 'uncaught');
    if (died && (await program.waitForExit(2000))) return crashResult(run, crashInfo(program), 'just after it listened');
    // Prefer the first HTTP server when the program opens several listeners.
    const httpListen = program.events.find((event): event is EventOf<'listen'> => event.t === 'listen' && event.http) ?? listen;
    run.port = httpListen.port;
    const asked = Number(httpListen.requested.port);
    if (Number.isInteger(asked) && asked > 0 && asked < 65536) run.requestedPort = asked;
    return null;
  }
  if (!program.running || (await program.waitForExit(100))) return notStarted(run, program);
  // The probe's heartbeat stops when the loop is blocked (a `while (true)` at start-up).
  const blocked = program.elapsed() - lastHeartbeat(program) > 1000;
  return {
    pitfall: 'never-listens',
    message: `Your program was still running ${(remaining / 1000).toFixed(1)} s after starting but never called listen()${blocked ? ', and its event loop was blocked (a loop that never yields?)' : ''}.`,
    location: run.findInSource(/\.listen\s*\(/) ?? run.findInSource(/createServer\s*\(/),
  };
}

/** The program exited before it listened: a syntax error, a crash, or an exit without listen(). */
async function notStarted(run: VerifyRun, program: LearnerProcess): Promise<Partial<CheckResult>> {
  const crash = crashInfo(program);
  if (crash.error && !crash.error.at) {
    // A syntax error is reported by tsx or esbuild with their own stack (no learner
    // frame, "Parse error ...:1:1" for .mjs): without this the report showed
    // httpdojo's machinery as "your stderr" and pointed at no line.
    const syntax = await syntaxErrorIn(run.file, run.sourceText);
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
  if (crash.error) return crashResult(run, crash, 'while starting, before it listened');
  // A "listening on :3000" line printed by a program that never listened is the classic sign.
  const printed = program.stdout.text().trim().split('\n').filter(Boolean).pop();
  return {
    pitfall: 'never-listens',
    message: `Your program exited (${describeExit(crash.exit)}) ${(crash.exit.atMs / 1000).toFixed(1)} s after starting${printed ? `, after printing ${quote(printed, 80)},` : ''} without calling listen(), so no request could reach it.`,
    location: run.findInSource(/createServer\s*\(/) ?? { file: run.file, line: 1, column: 1 },
    stderrTail: crash.stderrTail || null,
  };
}
