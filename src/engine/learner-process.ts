// Starts the learner's program under the probe (or, for `httpdojo run`, as it
// is: learner-spawn.ts) and owns it until it is gone.
//
// The program is the least trusted thing on the machine: it may loop forever,
// exit at once, ignore SIGTERM, spawn detached children, flood stdout or eat
// memory. So: its own process group, a tag in its environment for what escapes
// the group, capped output capture, a memory cap, an events channel (fd 3) that
// its output cannot corrupt, and a kill that is synchronous and idempotent.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CappedOutput, DEFAULT_MEMORY_CAP_MB, nodeArguments, spawnOptions, type ProgramOptions } from './learner-spawn.js';
import { isAlive, killProcessTree, ownProcessGroup, residentBytes } from './platform.js';
import type { EventOf, ProbeEvent } from './probe-events.js';

export { CappedOutput, needsTsx, type ProgramOptions } from './learner-spawn.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when httpdojo ended the program, and why. */
  killedBy: 'httpdojo' | 'memory-cap' | null;
  /** Milliseconds after start. */
  atMs: number;
}

const live = new Set<LearnerProcess>();
let exitHookInstalled = false;

/** Kill every learner process still running. Synchronous: safe in 'exit' and signal handlers. */
export function killAllLearnerProcesses(): void {
  for (const program of live) program.killNow('httpdojo');
}

export class LearnerProcess {
  readonly tag = randomUUID();
  readonly events: ProbeEvent[] = [];
  readonly stdout: CappedOutput;
  readonly stderr: CappedOutput;
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | null = null;
  peakRss = 0;
  private readonly child: ChildProcess;
  private readonly startedAt = performance.now();
  private readonly subscribers = new Set<(event: ProbeEvent) => void>();
  private readonly exitSubscribers = new Set<() => void>();
  private killReason: ExitInfo['killedBy'] = null;
  private memoryTimer: NodeJS.Timeout | undefined;

  constructor(readonly options: ProgramOptions) {
    const memoryCapMb = options.memoryCapMb === undefined ? DEFAULT_MEMORY_CAP_MB : options.memoryCapMb;
    this.stdout = new CappedOutput(options.outputCapBytes ?? 256 * 1024);
    this.stderr = new CappedOutput(options.outputCapBytes ?? 256 * 1024);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killAllLearnerProcesses);
    }
    this.child = spawn(process.execPath, nodeArguments(options, memoryCapMb), spawnOptions(options, this.tag, ownProcessGroup));
    live.add(this);
    this.child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    if (options.probe !== false) this.readChannel(this.child.stdio[3] as Readable);
    this.exited = this.watchExit();
    if (memoryCapMb !== null) this.watchMemory(memoryCapMb);
  }

  private watchExit(): Promise<ExitInfo> {
    return new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitInfo) return;
        clearInterval(this.memoryTimer);
        live.delete(this);
        this.exitInfo = { code, signal, killedBy: this.killReason, atMs: this.elapsed() };
        for (const notify of this.exitSubscribers) notify();
        resolve(this.exitInfo);
      };
      this.child.once('exit', (code, signal) => {
        // Anything the program left in its group dies now; then the pipes close and
        // the last events (an uncaught error written just before exit) are read.
        killProcessTree(this.child.pid ?? -1, this.tag);
        const grace = setTimeout(() => finish(code, signal), 500);
        this.child.once('close', () => {
          clearTimeout(grace);
          finish(code, signal);
        });
      });
      this.child.once('error', () => finish(null, null));
    });
  }

  private watchMemory(memoryCapMb: number): void {
    this.memoryTimer = setInterval(() => {
      const rss = this.child.pid ? residentBytes(this.child.pid) : null;
      if (rss === null) return;
      this.peakRss = Math.max(this.peakRss, rss);
      if (rss > memoryCapMb * 2 * 1024 * 1024) this.killNow('memory-cap');
    }, 200);
    this.memoryTimer.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  elapsed(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  private readChannel(stream: Readable | undefined): void {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      pending += text;
      // A line is an event; a runaway line (should never happen) is dropped.
      if (pending.length > 4 * 1024 * 1024) pending = '';
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        let event: ProbeEvent;
        try {
          event = JSON.parse(line) as ProbeEvent;
        } catch {
          continue;
        }
        event.receivedAt = this.elapsed();
        this.events.push(event);
        for (const notify of this.subscribers) notify(event);
      }
    });
    stream.on('error', () => {});
  }

  /** Calls `listener` for each event from now on; returns the unsubscribe. */
  onEvent(listener: (event: ProbeEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /**
   * The first event (already received, from index `since` on, or arriving
   * later) that matches; null when the deadline passes, the program exits or the
   * signal aborts first.
   */
  waitForEvent<T extends ProbeEvent['t']>(
    type: T,
    options: { timeoutMs: number; since?: number; signal?: AbortSignal; where?: (event: EventOf<T>) => boolean },
  ): Promise<EventOf<T> | null> {
    const matches = (event: ProbeEvent): event is EventOf<T> =>
      event.t === type && (!options.where || options.where(event as EventOf<T>));
    const existing = this.events.slice(options.since ?? 0).find(matches);
    if (existing) return Promise.resolve(existing);
    if (!this.running || options.signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (value: EventOf<T> | null) => {
        clearTimeout(timer);
        unsubscribe();
        this.exitSubscribers.delete(onExit);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const unsubscribe = this.onEvent((event) => {
        if (matches(event)) done(event);
      });
      const onExit = () => done(null);
      const onAbort = () => done(null);
      this.exitSubscribers.add(onExit);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => done(null), options.timeoutMs);
    });
  }

  /** Resolves with the exit, or null if the program is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitInfo | null> {
    if (this.exitInfo) return this.exitInfo;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a signal to the program itself, as a supervisor would, or to its whole
   * process group, as a terminal does on Ctrl-C (POSIX; elsewhere to the program).
   */
  signal(signal: NodeJS.Signals, to: 'program' | 'group' = 'program'): boolean {
    if (!this.running || !this.child.pid) return false;
    try {
      process.kill(to === 'group' && ownProcessGroup ? -this.child.pid : this.child.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Synchronous kill of the whole tree; the 'exit' event follows. */
  killNow(reason: 'httpdojo' | 'memory-cap'): void {
    if (!this.running) return;
    this.killReason ??= reason;
    killProcessTree(this.child.pid ?? -1, this.tag);
  }

  /** Kills the tree and waits (bounded) until the program is gone. */
  async stop(): Promise<ExitInfo> {
    this.killNow('httpdojo');
    const exit = await this.waitForExit(3000);
    if (exit) return exit;
    // The process did not report its exit in time; make sure nothing is left.
    if (this.child.pid && isAlive(this.child.pid)) killProcessTree(this.child.pid, this.tag);
    return (await this.waitForExit(2000)) ?? { code: null, signal: 'SIGKILL', killedBy: 'httpdojo', atMs: this.elapsed() };
  }
}
