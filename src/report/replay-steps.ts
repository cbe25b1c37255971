// A check's wire transcript as the steps a client takes: connect, write these
// bytes, pause, close. What `httpdojo replay` and the `node -e` one-liner of
// src/report/reproduce.ts do again, at the recorded times.

import type { WireEntry } from '../engine/clients/transcript.js';

export interface ReplayStep {
  /** Milliseconds since the check started (the step waits at least until then). */
  atMs: number;
  connection: number;
  op: 'connect' | 'write' | 'pause' | 'close' | 'signal';
  /** On a signal step: which (the check signalled the program, lesson 14's shutdown). */
  signal?: string;
  /** Bytes of a write; null when the transcript summarised them and did not keep them. */
  data?: Buffer | null;
  pauseMs?: number;
  /** On a connect: the Host the check's client sends by default (127.0.0.1 and verify's port). */
  hostPort: string | null;
  /**
   * Bytes the check had received on this connection before this step: a close
   * after the response, a second request on a kept-alive connection wait for
   * that much (with a deadline), not only for the recorded time, since a
   * program under `httpdojo run` may answer slower than it did in verify.
   */
  afterReceived?: number;
}

const ELIDED_SENT = /^… \d+ more bytes sent$/;
const ELIDED_RECEIVED = /^… (\d+) more bytes received$/;

export function replaySteps(wire: WireEntry[]): ReplayStep[] {
  const steps: ReplayStep[] = [];
  const received = new Map<number, number>();
  for (const entry of wire) {
    const got = received.get(entry.connection) ?? 0;
    if (entry.direction === 'received') received.set(entry.connection, got + (entry.data?.length ?? 0));
    const more = entry.direction === 'note' ? ELIDED_RECEIVED.exec(entry.note ?? '') : null;
    if (more) received.set(entry.connection, got + Number(more[1]));
    const base = { atMs: entry.atMs, connection: entry.connection, hostPort: null, ...(got > 0 ? { afterReceived: got } : {}) };
    switch (entry.direction) {
      case 'connected':
        steps.push({ ...base, op: 'connect', hostPort: entry.note ?? null });
        break;
      case 'sent':
        steps.push({ ...base, op: 'write', data: entry.data ?? Buffer.alloc(0) });
        break;
      case 'pause':
        steps.push({ ...base, op: 'pause', pauseMs: entry.pauseMs ?? 0 });
        break;
      case 'note': {
        const signal = entry.connection === 0 ? /^(SIG[A-Z]+) sent to your program\b/.exec(entry.note ?? '') : null;
        if (signal) steps.push({ ...base, op: 'signal', signal: signal[1] });
        else if (entry.connection > 0 && entry.note === 'we closed the connection') steps.push({ ...base, op: 'close' });
        else if (entry.connection > 0 && entry.note && ELIDED_SENT.test(entry.note)) {
          if (entry.elided) for (const data of entry.elided) steps.push({ ...base, op: 'write', data });
          else steps.push({ ...base, op: 'write', data: null });
        }
        break;
      }
      default:
        // What came back (received, closed, reset) is the server's part, not the client's.
        break;
    }
  }
  return steps;
}

/**
 * The check's default Host (127.0.0.1 and the port verify gave the program) made
 * the port the program listens on now; any other Host (empty, odd) is the point
 * of the check and stays.
 */
export function retarget(steps: ReplayStep[], port: number): ReplayStep[] {
  const hosts = new Map(steps.filter((step) => step.op === 'connect' && step.hostPort).map((step) => [step.connection, step.hostPort as string]));
  return steps.map((step) => {
    const host = hosts.get(step.connection);
    if (step.op !== 'write' || !step.data || !host) return step;
    const from = Buffer.from(`\r\nHost: ${host}\r\n`, 'latin1');
    const at = step.data.indexOf(from);
    if (at < 0) return step;
    const to = Buffer.from(`\r\nHost: 127.0.0.1:${port}\r\n`, 'latin1');
    return { ...step, data: Buffer.concat([step.data.subarray(0, at), to, step.data.subarray(at + from.length)]) };
  });
}
