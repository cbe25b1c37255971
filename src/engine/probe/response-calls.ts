// Response calls, in order, with the learner's line: writeHead, setHeader,
// removeHeader, write, end, flushHeaders on a server response, what state the
// response was in, and what they threw or emitted as 'error'.

import http from 'node:http';
import { byteLengthOf, preview, type Probe } from './context.js';
import { callSite, describeError } from './stack.js';

const MAX_WRITE_EVENTS_PER_RESPONSE = 64;
const RESPONSE_METHODS = ['writeHead', 'setHeader', 'removeHeader', 'write', 'end', 'flushHeaders'] as const;
type ResponseMethod = (typeof RESPONSE_METHODS)[number];
type WriteCount = { events: number; bytes: number; calls: number };

export function stateOf(res: http.ServerResponse): Record<string, boolean> {
  return {
    headersSent: res.headersSent,
    ended: res.writableEnded,
    finished: res.writableFinished,
    destroyed: res.destroyed,
  };
}

export function recordResponseCalls(probe: Probe): void {
  const { emit, requestIds, calls } = probe;
  const writeCounts = new WeakMap<object, WriteCount>();
  const proto = http.ServerResponse.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const fn of RESPONSE_METHODS) {
    const original = proto[fn];
    proto[fn] = function patchedResponseMethod(this: http.ServerResponse, ...args: unknown[]) {
      const id = requestIds.get(this);
      const event = id === undefined ? null : describeCall(probe, this, id, fn, args, writeCounts);
      if (event) {
        // Taken here, in the wrapper itself: the stack has as many of the probe's frames as ever.
        if (calls.depth > 0) event.at = null;
        else Object.assign(event, callSite());
        event.inRequest = probe.currentRequest.getStore() ?? null;
        emit(event);
      }
      calls.depth++;
      try {
        return original.apply(this, args);
      } catch (error) {
        if (id !== undefined) emit({ t: 'call-threw', id, fn, ...describeError(error) });
        throw error;
      } finally {
        calls.depth--;
      }
    };
  }

  // ---- errors emitted on a response (ERR_STREAM_WRITE_AFTER_END, EPIPE) ----
  const originalResponseEmit = http.ServerResponse.prototype.emit;
  http.ServerResponse.prototype.emit = function patchedResponseEmit(this: http.ServerResponse, event: string | symbol, ...args: unknown[]) {
    if (event === 'error') {
      const id = requestIds.get(this);
      emit({ t: 'res-error', id: id ?? null, handled: this.listenerCount('error') > 0, ...describeError(args[0]) });
    }
    return originalResponseEmit.call(this, event, ...args);
  };
}

/** The 'call' event of one response call (but where it was made), or null when it is a write past the per-response cap. */
function describeCall(probe: Probe, res: http.ServerResponse, id: number, fn: ResponseMethod, args: unknown[], writeCounts: WeakMap<object, WriteCount>): Record<string, unknown> | null {
  const { calls, bodyBytesIn } = probe;
  const event: Record<string, unknown> = { t: 'call', id, fn, nested: calls.depth > 0, state: stateOf(res) };
  if (fn === 'writeHead') {
    event.status = args[0];
    const headers = args.find((a, i) => i > 0 && a && typeof a === 'object');
    if (headers) event.headers = Array.isArray(headers) ? headers.map(String) : Object.fromEntries(Object.entries(headers as object).map(([k, v]) => [k, String(v)]));
  } else if (fn === 'setHeader' || fn === 'removeHeader') {
    event.name = args[0];
    if (fn === 'setHeader') event.value = Array.isArray(args[1]) ? args[1].map(String) : String(args[1]);
  } else if (fn === 'write' || fn === 'end') {
    const chunk = typeof args[0] === 'function' ? undefined : args[0];
    const bytes = byteLengthOf(chunk, args[1]);
    const count = writeCounts.get(res) ?? { events: 0, bytes: 0, calls: 0 };
    count.bytes += bytes;
    count.calls += 1;
    writeCounts.set(res, count);
    event.bytes = bytes;
    event.totalBytes = count.bytes;
    const req = (res as http.ServerResponse & { req?: object }).req;
    const bodyIn = req ? bodyBytesIn.get(req) : undefined;
    if (bodyIn !== undefined) event.bodyBytesIn = bodyIn;
    event.calls = count.calls;
    if (bytes > 0) event.preview = preview(chunk);
    // A large file piped into a response writes thousands of chunks; the
    // first ones and every end() say all a check needs.
    if (fn === 'write' && count.events >= MAX_WRITE_EVENTS_PER_RESPONSE && !res.destroyed && !res.writableEnded) return null;
    count.events += 1;
  }
  return event;
}
