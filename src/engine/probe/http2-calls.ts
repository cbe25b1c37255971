// The learner's calls on HTTP/2 responses, in order, with the learner's line, in
// both APIs (https://nodejs.org/docs/latest-v20.x/api/http2.html):
//   compatibility  Http2ServerResponse#writeHead/setHeader/removeHeader/write/end
//                  and statusCode assignments (an accessor on its prototype)
//   core           ServerHttp2Stream#respond/respondWithFile/respondWithFD/write/end/close
// as 'call' events shaped like response-calls.ts's, so the engine's records and
// location look-ups need nothing new: respond*() is reported as fn 'writeHead'
// (its :status and headers) with `called` naming what was called; close(code)
// is fn 'close'. `api` says which API. What a call threw (ERR_HTTP2_INVALID_
// CONNECTION_HEADERS from respond/writeHead, ERR_HTTP2_INVALID_STREAM from
// respond on a cancelled stream) is a 'call-threw' (http2.ts reports what is
// emitted on a stream).
// The core calls the compatibility API makes for the learner (its end() calls
// stream.respond() and stream.end()) are not the learner's and are not reported.

import type * as Http2 from 'node:http2';
import { byteLengthOf, preview, type Probe } from './context.js';
import { callSite, describeError, withoutProbeFrames } from './stack.js';

type Method = (this: object, ...args: unknown[]) => unknown;
type Api = 'compat' | 'core';
const MAX_WRITE_EVENTS_PER_RESPONSE = 64;
const COMPAT_METHODS = ['writeHead', 'setHeader', 'removeHeader', 'write', 'end'];
const CORE_METHODS = ['respond', 'respondWithFile', 'respondWithFD', 'write', 'end', 'close'];
const RESPONDS = new Set(['respond', 'respondWithFile', 'respondWithFD']);

/** A wrapper takes the name and length of what it replaces (shape.ts does this for the patches made at install). */
export function sameShape(wrapper: unknown, original: unknown): void {
  for (const property of ['name', 'length']) {
    const descriptor = Object.getOwnPropertyDescriptor(original as object, property);
    if (descriptor) Object.defineProperty(wrapper as object, property, descriptor);
  }
}

export function recordCompatCalls(probe: Probe, http2: typeof Http2): void {
  const proto = http2.Http2ServerResponse.prototype as unknown as Record<string, Method>;
  const counts = new WeakMap<object, WriteCount>();
  for (const fn of COMPAT_METHODS) wrap(probe, proto, fn, 'compat', counts);
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'statusCode');
  const set = descriptor?.set;
  if (!descriptor || !set) return;
  Object.defineProperty(proto, 'statusCode', {
    ...descriptor,
    set: sameShaped(function (this: Http2.Http2ServerResponse, value: number) {
      const id = probe.requestIds.get(this);
      if (id !== undefined && probe.calls.depth === 0) probe.emit({ t: 'call', id, fn: 'statusCode', api: 'compat', status: value, nested: false, state: stateOf(this, 'compat'), ...callSite() });
      set.call(this, value);
    }, set),
  });
}

/** The core API's class is not exported: `proto` is ServerHttp2Stream.prototype, taken from the first 'stream'. */
export function recordCoreCalls(probe: Probe, proto: object): void {
  const methods = proto as Record<string, Method>;
  const counts = new WeakMap<object, WriteCount>();
  for (const fn of CORE_METHODS) wrap(probe, methods, fn, 'core', counts);
}

export function sameShaped<T>(wrapper: T, original: unknown): T {
  sameShape(wrapper, original);
  return wrapper;
}

function wrap(probe: Probe, proto: Record<string, Method>, fn: string, api: Api, counts: WeakMap<object, WriteCount>): void {
  const original = proto[fn];
  if (typeof original !== 'function') return;
  const { emit, requestIds, calls } = probe;
  proto[fn] = sameShaped(function (this: object, ...args: unknown[]) {
    const id = requestIds.get(this);
    // Core calls made by the compatibility layer (depth > 0) are Node's, not the learner's.
    if (id === undefined || (api === 'core' && calls.depth > 0)) return original.apply(this, args);
    const site = calls.depth > 0 ? { at: null } : callSite();
    // Nor are core calls with no learner frame: Node closes a finished stream and ends one whose client went away.
    if (api === 'core' && !site.at) return original.apply(this, args);
    const event = describeCall(this, id, fn, api, args, counts, calls.depth > 0);
    if (event) {
      Object.assign(event, site);
      event.inRequest = probe.currentRequest.getStore() ?? null;
      emit(event);
    }
    calls.depth++;
    // One more frame per wrapper, and the wrappers' frames taken out of what is thrown: the program's
    // error keeps the frames it has without the probe (its own line among them).
    const limit = Error.stackTraceLimit;
    if (typeof limit === 'number') Error.stackTraceLimit = limit + 1;
    try {
      return original.apply(this, args);
    } catch (error) {
      withoutProbeFrames(error);
      // Once, from the learner's own call (the compatibility API's end() rethrows what its nested
      // writeHead() threw), at the line of the call: Node's frames can push it out of the error's stack.
      if (calls.depth === 1) emit({ t: 'call-threw', id, fn, api, ...describeError(error), at: site.at ?? null });
      throw error;
    } finally {
      calls.depth--;
      Error.stackTraceLimit = limit;
    }
  }, original);
}

type WriteCount = { events: number; bytes: number; calls: number };

function stateOf(target: object, api: Api): Record<string, boolean> {
  const t = target as { headersSent?: boolean; writableEnded?: boolean; writableFinished?: boolean; finished?: boolean; destroyed?: boolean; stream?: { destroyed?: boolean } };
  return {
    headersSent: Boolean(t.headersSent),
    ended: Boolean(t.writableEnded),
    finished: Boolean(t.writableFinished ?? t.finished),
    destroyed: Boolean(api === 'core' ? t.destroyed : t.stream?.destroyed ?? t.destroyed),
  };
}

/** The 'call' event (but where it was made), or null for a write past the per-response cap. */
function describeCall(target: object, id: number, fn: string, api: Api, args: unknown[], counts: WeakMap<object, WriteCount>, nested: boolean): Record<string, unknown> | null {
  const event: Record<string, unknown> = { t: 'call', id, fn, api, nested, state: stateOf(target, api) };
  if (RESPONDS.has(fn)) {
    // respond(headers): the status is the :status pseudo-header (200 when absent, as Node sends).
    const headers = (fn === 'respond' ? args[0] : args[1]) as Record<string, unknown> | undefined; // respondWithFile(path, headers)
    Object.assign(event, { fn: 'writeHead', called: fn, status: Number(headers?.[':status'] ?? 200) });
    if (headers && typeof headers === 'object') event.headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':')).map(([k, v]) => [k, String(v)]));
  } else if (fn === 'writeHead') {
    event.status = args[0];
    const headers = args.find((a, i) => i > 0 && a && typeof a === 'object');
    if (headers) event.headers = Array.isArray(headers) ? headers.map(String) : Object.fromEntries(Object.entries(headers as object).map(([k, v]) => [k, String(v)]));
  } else if (fn === 'setHeader' || fn === 'removeHeader') {
    event.name = args[0];
    if (fn === 'setHeader') event.value = Array.isArray(args[1]) ? args[1].map(String) : String(args[1]);
  } else if (fn === 'close') {
    event.code = typeof args[0] === 'number' ? args[0] : 0;
  } else if (fn === 'write' || fn === 'end') {
    const chunk = typeof args[0] === 'function' ? undefined : args[0];
    const bytes = byteLengthOf(chunk, args[1]);
    const count = counts.get(target) ?? { events: 0, bytes: 0, calls: 0 };
    // The compatibility API's end(chunk) writes through its own write(chunk): the nested call's bytes are the same bytes.
    if (!nested) {
      count.bytes += bytes;
      count.calls += 1;
    }
    counts.set(target, count);
    Object.assign(event, { bytes, totalBytes: count.bytes, calls: count.calls });
    if (bytes > 0) event.preview = preview(chunk);
    const state = event.state as Record<string, boolean>;
    if (fn === 'write' && count.events >= MAX_WRITE_EVENTS_PER_RESPONSE && !state.destroyed && !state.ended) return null;
    count.events += 1;
  }
  return event;
}
