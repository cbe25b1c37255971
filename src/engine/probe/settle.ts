// When the program's start-up has settled after a listen: nothing is left that
// could still run the program's code before httpdojo's first request.
//
// The engine looks for a crash just after a listen (src/engine/verify/start.ts):
// a second server on a port the first holds fails with EADDRINUSE on a later
// tick (lib/net.js setupListenHandle emits 'error' with process.nextTick), a
// throw in the 'listening' callback runs on the tick after the bind, a
// listen(port, 'localhost') binds only after its dns lookup. That look used to
// be a fixed 100 ms; this tells it when waiting longer cannot catch more.
//
// Settled means: a turn of the loop after the last listen (setImmediate runs
// after every nextTick and promise job queued by the program's start-up) finds
// no work pending that could call back into the program: only servers waiting
// for connections (nobody connects before the engine has seen this event), and
// the program's own stdout/stderr (writes to pipes and terminals are
// synchronous on POSIX: https://nodejs.org/docs/latest-v20.x/api/process.html#a-note-on-process-io).
// Any timer, immediate, file or dns request, socket, child or watcher the
// program keeps referenced means "not yet", and the look is repeated every few
// milliseconds; the engine's 100 ms stays the deadline. Unref'd timers and
// immediates (this file's own, the heartbeat's) keep nothing alive and are not
// counted by process.getActiveResourcesInfo():
// https://nodejs.org/docs/latest-v20.x/api/process.html#processgetactiveresourcesinfo
//
// Not seen: what the program itself unref'd (a `setTimeout(fn, 50).unref()`
// still fires while a server keeps the loop alive, but is not listed), so a
// throw from it within 100 ms of the listen, caught by the old fixed look, is
// now a crash seen by the first check. Pending file requests that are not the
// program's (tsx writing its cache after compiling a changed file) only delay
// the event, up to the engine's deadline.
//
// Nothing of the program changes: the looks run on unref'd timers, read the
// resource list, and write one event.

import type { Emit } from './context.js';

/** Handles that call back only when someone connects: the engine does not before it hears of this. */
const SERVERS = new Set(['TCPServerWrap', 'PipeServerWrap']);
/** Handles the program's stdout and stderr use once it printed (a pipe under httpdojo, a TTY under `run`). */
const STDIO = new Set(['PipeWrap', 'TTYWrap']);
/** How often the resources are looked at again while something is pending. */
const LOOK_EVERY_MS = 2;
/** Past this the engine's own deadline (100 ms after the listen) has long passed: the looks stop. */
const GIVE_UP_AFTER_MS = 250;

let emit: Emit;
let listens = 0;
let lastListenAt = 0;
let looking = false;

/** Called at every listen the probe reports (listen.ts); a look runs on the next turn of the loop. */
export function listenedNow(channel: Emit): void {
  emit = channel;
  listens++;
  lastListenAt = performance.now();
  if (looking) return;
  looking = true;
  setImmediate(look).unref();
}

function look(): void {
  if (settled(process.getActiveResourcesInfo())) {
    looking = false;
    emit({ t: 'settled', listens, afterMs: Math.round(performance.now() - lastListenAt) });
    return;
  }
  if (performance.now() - lastListenAt > GIVE_UP_AFTER_MS) {
    looking = false;
    return;
  }
  setTimeout(look, LOOK_EVERY_MS).unref();
}

/** Whether only servers and the program's own stdio are left (resource names as Node reports them). */
export function settled(resources: readonly string[], stdioHandles = openStdioHandles): boolean {
  let stdio = 0;
  for (const name of resources) {
    if (SERVERS.has(name)) continue;
    if (STDIO.has(name)) {
      stdio++;
      continue;
    }
    return false;
  }
  // A pipe or TTY that is not stdout/stderr (a socket to a unix path, a child's pipe) is pending work.
  return stdio === 0 || stdio <= stdioHandles();
}

/**
 * How many of the live handles are the process's own stdio streams. Node
 * documents no way to ask; process._getActiveHandles() (undocumented, present
 * in Node 20) lists them with `_isStdio`. Without it, nothing counts as stdio,
 * and the engine waits for its deadline as it did before.
 */
function openStdioHandles(): number {
  const list = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  if (typeof list !== 'function') return 0;
  let count = 0;
  for (const handle of list.call(process)) {
    if (handle && typeof handle === 'object' && (handle as { _isStdio?: unknown })._isStdio === true) count++;
  }
  return count;
}
