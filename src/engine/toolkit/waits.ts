// Waiting for something no probe event announces: a test upstream's record of what
// reached it, a raw connection's partial response, an upstream request marked
// aborted. The check reads the state every few ms, so the wait ends within one step
// of the change rather than on a fixed timer; it always has a deadline, and stops
// when the check's time is up (its signal). Events the probe reports have their own
// waits (ctx.server.waitFor, settled, answerOf): use those when there is one.

import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** Give up (null) after this long. */
  timeoutMs: number;
  /** Give up (null) once this aborts: pass the check's ctx.signal. */
  signal?: AbortSignal;
  /** How often `read` runs (default 10 ms). */
  everyMs?: number;
}

/**
 * Runs `read` at once and then every `everyMs` until it returns a value (which is
 * returned) or null (give up now: null), or `timeoutMs` passes or `signal` aborts
 * (null). `undefined` means "not yet".
 */
export async function pollUntil<T>(read: () => T | null | undefined, options: PollOptions): Promise<T | null> {
  const deadline = performance.now() + options.timeoutMs;
  const every = Math.max(1, options.everyMs ?? 10);
  // Bounded: every pass sleeps, and the deadline ends the loop.
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (performance.now() >= deadline || options.signal?.aborted) return null;
    try {
      await sleep(every, undefined, { signal: options.signal });
    } catch {
      return null; // aborted while sleeping
    }
  }
}
