// What the probe's parts share: the channel to httpdojo and the bookkeeping
// that ties a call to the request it serves. One Probe per process, made by
// install() in probe.ts; the parts get it as an argument.

import { AsyncLocalStorage } from 'node:async_hooks';

export interface Location {
  file: string;
  line: number;
  column: number;
}

export type Emit = (event: Record<string, unknown>) => void;

export interface Probe {
  /** Writes one event to httpdojo (channel.ts). */
  emit: Emit;
  /** Which request is running: AsyncLocalStorage follows the handler's callbacks, timers and promises, so a sync call or a write is attributed. */
  currentRequest: AsyncLocalStorage<number>;
  /** The request id of each server request and of its response. */
  requestIds: WeakMap<object, number>;
  /** The id each listening server was reported under. */
  serverIds: WeakMap<object, number>;
  /** Body bytes received so far, per server request (requests.ts). */
  bodyBytesIn: WeakMap<object, number>;
  /** How deep inside a patched http call the program is: only the outermost call is the learner's. */
  calls: { depth: number };
}

export function createProbe(emit: Emit): Probe {
  return {
    emit,
    currentRequest: new AsyncLocalStorage<number>(),
    requestIds: new WeakMap(),
    serverIds: new WeakMap(),
    bodyBytesIn: new WeakMap(),
    calls: { depth: 0 },
  };
}

export function byteLengthOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

export function preview(chunk: unknown): string | undefined {
  if (typeof chunk === 'string') return chunk.slice(0, 120);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, 120)).toString('utf8');
  return undefined;
}
