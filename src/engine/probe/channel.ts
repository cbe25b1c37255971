// The event emitter to httpdojo: one JSON line per event on the file
// descriptor named by HTTPDOJO_PROBE_FD, a pipe the learner's own output
// cannot reach. Every event is stamped with `ms`, the time since the probe loaded.

import { writeSync } from 'node:fs';
import type { Emit } from './context.js';

export function openChannel(fd: number, started: number): Emit {
  let channelBroken = false;
  return function emit(event: Record<string, unknown>): void {
    if (channelBroken) return;
    const line = JSON.stringify({ ...event, ms: Math.round(performance.now() - started) }) + '\n';
    const bytes = Buffer.from(line);
    // writeSync so that an event written just before a crash is not lost. The pipe
    // may be non-blocking; EAGAIN is retried a bounded number of times.
    let offset = 0;
    for (let attempt = 0; offset < bytes.length && attempt < 10_000; attempt++) {
      try {
        offset += writeSync(fd, bytes, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
          channelBroken = true;
          return;
        }
      }
    }
  };
}
