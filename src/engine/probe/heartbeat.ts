// The event-loop heartbeat. An unref'd timer: it never keeps the program
// alive. A late tick means the loop was blocked; the report says how long,
// with the memory and the resources the program holds. Reported every 250 ms,
// and at the first tick after the number of active timers changed, so that a
// check reads the timers left (lesson 06: a countdown cleared on 'close') from
// the latest report instead of waiting up to 250 ms for the next one. Counting
// costs ~0.4 µs a tick (process.getActiveResourcesInfo() on a small server).

import type { Emit } from './context.js';

const TICK_MS = 25;

export function startHeartbeat(emit: Emit): void {
  let expected = performance.now() + TICK_MS;
  let lastReport = 0;
  let lastTimers = -1;
  const parentPid = process.ppid;
  const heartbeat = setInterval(() => {
    // httpdojo was killed outright (kill -9: no cleanup ran) and this process was
    // re-parented: nobody is verifying any more, so nothing may be left running.
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
    const now = performance.now();
    const lagMs = Math.max(0, now - expected);
    expected = now + TICK_MS;
    const resources = countResources();
    const timers = resources.Timeout ?? 0;
    if (lagMs >= 40 || now - lastReport >= 250 || timers !== lastTimers) {
      lastReport = now;
      lastTimers = timers;
      emit({ t: 'tick', lagMs: Math.round(lagMs), rss: process.memoryUsage.rss(), resources });
    }
  }, TICK_MS);
  heartbeat.unref();
}

/** https://nodejs.org/docs/latest-v20.x/api/process.html#processgetactiveresourcesinfo */
function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}
