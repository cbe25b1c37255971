// Lesson 09: blocking-event-loop.
import { describe, it, expect } from 'vitest';
import { runChild } from './support.ts';

// Runs in a child so the worker's own loop and the other tests do not disturb the tick
// counter (and the CPU work does not stall the worker).
const source = `
  import crypto from 'node:crypto';
  import { setTimeout as sleep } from 'node:timers/promises';
  let ticks = 0;
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks += 1;
  }, 5);
  const reset = () => { ticks = 0; maxGap = 0; last = performance.now(); };
  await sleep(50);

  reset();
  let t = performance.now();
  crypto.pbkdf2Sync('secret', 'httpdojo', 1_000_000, 32, 'sha256');
  const syncMs = performance.now() - t;
  const syncTicks = ticks;
  await sleep(30); // let the interval notice the gap
  const sync = { ms: syncMs, ticksDuring: syncTicks, maxGap };

  await sleep(50);
  reset();
  t = performance.now();
  const pbkdf2 = () => new Promise((resolve, reject) =>
    crypto.pbkdf2('secret', 'httpdojo', 1_000_000, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key))));
  await Promise.all([pbkdf2(), pbkdf2(), pbkdf2(), pbkdf2()]);
  const asyncMs = performance.now() - t;
  const result = { sync, async: { ms: asyncMs, ticksDuring: ticks, maxGap } };
  clearInterval(timer);
  console.log('RESULT ' + JSON.stringify(result));
`;

describe('CPU work and the event loop', () => {
  it('pbkdf2Sync (1,000,000 iterations) stalls the loop for its whole duration while four async pbkdf2 leave it free', async () => {
    const exit = await runChild(source, { deadlineMs: 40_000 });
    const match = /RESULT (.*)/.exec(exit.stdout);
    expect(match, exit.stderr).not.toBeNull();
    const result = JSON.parse(match![1]) as {
      sync: { ms: number; ticksDuring: number; maxGap: number };
      async: { ms: number; ticksDuring: number; maxGap: number };
    };
    // sync: not one timer tick while hashing, a gap at least as long as the call
    expect(result.sync.ms).toBeGreaterThan(50);
    expect(result.sync.ticksDuring).toBe(0);
    expect(result.sync.maxGap).toBeGreaterThanOrEqual(result.sync.ms * 0.9);
    // async: the 5 ms timer keeps firing; no gap anywhere near the hashing time
    expect(result.async.ms).toBeGreaterThan(50);
    expect(result.async.ticksDuring).toBeGreaterThanOrEqual(5);
    expect(result.async.maxGap).toBeLessThan(Math.max(100, result.async.ms / 2));
  });
});
