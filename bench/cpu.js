// Shared by the classroom benches: how much CPU a process has used, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time a process has used so far, in ms, all its threads (Linux /proc; NaN elsewhere). */
export function cpuMs(pid) {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return NaN;
  }
}
