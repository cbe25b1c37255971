// The event-loop heartbeat. An unref'd timer: it never keeps the program
// alive. A late tick means the loop was blocked; the report says how long,
// with the memory and the resources the program holds.

import type { Emit } from './context.js';

const TICK_MS = 25;

export function startHeartbeat(emit: Emit): void {
  let expected = performance.now() + TICK_MS;
  let lastReport = 0;
  const parentPid = process.ppid;
  const heartbeat = setInterval(() => {
    // httpdojo was killed outright (kill -9: no cleanup ran) and this process was
    // re-parented: nobody is verifying any more, so nothing may be left running.
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
    const now = performance.now();
    const lagMs = Math.max(0, now - expected);
    expected = now + TICK_MS;
    if (lagMs >= 40 || now - lastReport >= 250) {
      lastReport = now;
      emit({ t: 'tick', lagMs: Math.round(lagMs), rss: process.memoryUsage.rss(), resources: countResources() });
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
