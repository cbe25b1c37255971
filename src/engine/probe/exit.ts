// Crashes and exits: what the program died of, and where it asked to exit.

import type { Probe } from './context.js';
import { describeError, here } from './stack.js';

export function recordCrashesAndExit({ emit }: Probe): void {
  // The monitor sees uncaught exceptions and (with Node's default
  // --unhandled-rejections=throw) unhandled rejections, without handling them.
  // https://nodejs.org/docs/latest-v20.x/api/process.html#event-uncaughtexceptionmonitor
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    emit({ t: 'uncaught', origin, ...describeError(error) });
  });
  process.on('exit', (code) => emit({ t: 'exit', code }));

  // ---- where process.exit() was called (lesson 14; additive) ----------------
  // A SIGTERM handler that calls process.exit() drops the requests in flight,
  // and the 'exit' event above carries no stack: the learner's line is taken
  // here, then the original runs with the same arguments, so nothing changes.
  const originalExit = process.exit;
  process.exit = function patchedExit(this: NodeJS.Process, ...args: unknown[]) {
    const code = args[0];
    emit({ t: 'exit-call', code: typeof code === 'number' || typeof code === 'string' ? code : null, at: here() });
    return (originalExit as (...a: unknown[]) => never).apply(this, args);
  } as typeof process.exit;
}
