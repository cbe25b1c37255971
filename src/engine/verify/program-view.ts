// ctx.server: what a check sees of the program under test during that check —
// its port, the probe's events since the check began (all of a program restarted
// within the check), request records, crash, output, memory and open files.

import type { EngineProgramView } from '../toolkit/index.js';
import type { LearnerProcess } from '../learner-process.js';
import { openFiles } from '../platform.js';
import type { EventOf, ProbeEvent } from '../probe-events.js';
import { crashInfo } from './diagnose.js';
import { eventsSince, ownWhere } from './overlap.js';
import { buildRecords } from './records.js';
import type { VerifyRun } from './run.js';

/**
 * The view of the check's current program (`currentProgram`: the run's server, or
 * in client lessons the check's latest client run, or the one it focused) for a check that began
 * with `startProgram` at its event `eventsFrom`. Beside other checks (`ownPorts`,
 * overlap.ts) it sees only the requests of the check's own connections.
 */
export function programView(run: VerifyRun, startProgram: LearnerProcess | null, eventsFrom: number, signal: AbortSignal, currentProgram: () => LearnerProcess | null, ownPorts: ReadonlySet<number> | null = null): EngineProgramView {
  const checkEvents = () => {
    const program = currentProgram();
    if (!program) return [];
    // After a restart within the check, all of the new program's events count.
    return eventsSince(program, program === startProgram ? eventsFrom : 0, ownPorts);
  };
  return {
    get port() {
      return run.port;
    },
    get origin() {
      return `http://127.0.0.1:${run.port}`;
    },
    file: run.file,
    events: checkEvents,
    listeners: () => currentProgram()?.events.filter((event): event is EventOf<'listen'> => event.t === 'listen') ?? [],
    eventsOf: <T extends ProbeEvent['t']>(type: T) => checkEvents().filter((event): event is EventOf<T> => event.t === type),
    requests: () => buildRecords(checkEvents()),
    request: (match = {}) => {
      const records = buildRecords(checkEvents()).filter((record) =>
        (!match.method || record.method === match.method) &&
        (match.url === undefined || (typeof match.url === 'function' ? match.url(record.url) : record.url === match.url)));
      return records[records.length - 1];
    },
    recordOf: async (response) => {
      const find = () => buildRecords(checkEvents()).filter((record) =>
        record.method === response.request.method && record.url === response.request.target &&
        (record.remotePort === null || record.remotePort === response.connection.localPort)).pop();
      const ready = () => {
        const record = find();
        return record && (record.finished || record.closed) ? record : null;
      };
      const program = currentProgram();
      if (ready() || !program) return find();
      // Bounded: the response is already complete, so its events are in the pipe.
      // Woken by the event itself, not a 10 ms poll (the first poll cost every
      // passing check up to 10 ms per response it looked up).
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          unsubscribe();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, RECORD_WAIT_MS);
        const unsubscribe = program.onEvent((event) => {
          if ((event.t === 'res-finish' || event.t === 'res-close') && ready()) done();
        });
        signal.addEventListener('abort', done, { once: true });
      });
      return find();
    },
    waitFor: (type, options = {}) => {
      const program = currentProgram();
      if (!program) return Promise.resolve(null);
      return program.waitForEvent(type, { timeoutMs: options.timeoutMs ?? 2000, since: program === startProgram ? eventsFrom : 0, signal, where: ownWhere(program, ownPorts, options.where) });
    },
    crash: () => {
      const program = currentProgram();
      return program && !program.running ? crashInfo(program) : null;
    },
    get listenAt() {
      const listen = currentProgram()?.events.find((event): event is EventOf<'listen'> => event.t === 'listen');
      return listen?.at ?? null;
    },
    stdout: () => currentProgram()?.stdout.text() ?? '',
    stderr: () => currentProgram()?.stderr.text() ?? '',
    memory: () => {
      const program = currentProgram();
      const ticks = program?.events.filter((event): event is EventOf<'tick'> => event.t === 'tick') ?? [];
      return { rss: ticks.length ? ticks[ticks.length - 1].rss : null, peak: Math.max(program?.peakRss ?? 0, ...ticks.map((tick) => tick.rss)) };
    },
    heartbeat: () => currentProgram()?.events.findLast((event): event is EventOf<'tick'> => event.t === 'tick') ?? null,
    openFiles: () => {
      const pid = currentProgram()?.pid;
      return pid ? openFiles(pid) : null;
    },
  };
}

/** How long recordOf waits for a complete response's last probe event. */
const RECORD_WAIT_MS = 500;

/** A pause that an abort ends early (the check's signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
