// HTTP/2 servers (lesson 18): each stream is a request, with the learner's calls
// in both APIs. HTTP/2 traffic fires none of the http.* diagnostics channels and
// an Http2ServerResponse is not an http.ServerResponse (node20-facts.md "TLS and
// HTTP/2"), and an Http2SecureServer is a tls.Server, not an http.Server: its
// 'request' events, HTTP/1.1 ones included (allowHTTP1), never pass requests.ts's
// http.Server#emit. So this part patches the two HTTP/2 server classes' emit:
//   'stream'   a new request (protocol 'h2'), id kept for the stream, handler run
//              inside the id (AsyncLocalStorage) like requests.ts does
//   'request'  the compatibility API's req/res get the stream's id; an
//              http.IncomingMessage (allowHTTP1) is an HTTP/1.1 request of its own
//   'unknownProtocol', 'tlsClientError'  what an HTTP/1.1 client met (no-http1-fallback)
// and http2-calls.ts records the calls on responses and streams.
//
// Startup cost: node:http2 is never loaded by the probe. The classes are found at
// the first listen() of a server whose class is Http2Server/Http2SecureServer (the
// program loaded http2 itself by then), and only then is anything patched.
// Ids of requests seen here count from ID_BASE: requests.ts numbers its own from 1
// and the records are one map by id.

import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import type * as Http2 from 'node:http2';
import type { Probe } from './context.js';
import { recordCoreCalls, recordCompatCalls, sameShape, sameShaped } from './http2-calls.js';
import { watchStatusCode } from './requests.js';
import { callSite, describeError } from './stack.js';

const ID_BASE = 1_000_000;
const SERVER_CLASSES = new Set(['Http2Server', 'Http2SecureServer']);
type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

// Shared by both server classes (Http2Server, Http2SecureServer); the probe is installed once per process.
let nextId = ID_BASE + 1;
let streamProtoPatched = false;
let http1Patched = false;
const sessions = new WeakMap<object, Http2.Http2Session | undefined>();
const http1Ids = new WeakMap<object, number>();

export function recordHttp2Servers(probe: Probe): void {
  const originalListen = net.Server.prototype.listen;
  const patched = new Set<object>();
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    const proto = http2ServerPrototype(this);
    if (proto && !patched.has(proto)) {
      patched.add(proto);
      if (patched.size === 1) recordCompatCalls(probe, createRequire(import.meta.url)('node:http2') as typeof Http2);
      patchServerEmit(probe, proto);
    }
    return originalListen.apply(this, args as never);
  } as typeof net.Server.prototype.listen;
  sameShape(net.Server.prototype.listen, originalListen);
}

/** The Http2Server/Http2SecureServer prototype in the chain of `server`, by class name (http2 itself is not loaded here). */
function http2ServerPrototype(server: object): object | null {
  for (let proto = Object.getPrototypeOf(server) as object | null, depth = 0; proto && depth < 8; proto = Object.getPrototypeOf(proto) as object | null, depth++) {
    const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: string } | undefined;
    if (ctor && SERVER_CLASSES.has(String(ctor.name)) && typeof ctor === 'function' && proto !== net.Server.prototype) return proto;
  }
  return null;
}

function patchServerEmit(probe: Probe, proto: object): void {
  const { emit, requestIds, serverIds, currentRequest, bodyBytesIn } = probe;
  const owner = proto as { emit: Emit };
  const originalEmit = owner.emit;
  owner.emit = function emitWithHttp2Requests(this: net.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'stream') {
      const stream = args[0] as Http2.ServerHttp2Stream;
      const headers = (args[1] ?? {}) as Http2.IncomingHttpHeaders;
      if (!streamProtoPatched) {
        streamProtoPatched = true;
        recordCoreCalls(probe, Object.getPrototypeOf(stream) as object);
        recordStreamLife(probe, Object.getPrototypeOf(stream) as object, requestIds);
      }
      const id = nextId++;
      requestIds.set(stream, id);
      sessions.set(stream, stream.session);
      emit({
        t: 'req', id, server: serverIds.get(this) ?? null, method: String(headers[':method']), url: String(headers[':path']),
        headers: plainHeaders(headers), remotePort: remotePortOf(stream), protocol: 'h2', stream: stream.id ?? null,
      });
      return timedHandler(probe, id, () => originalEmit.call(this, event, ...args));
    }
    if (event === 'request') {
      const req = args[0] as object;
      const res = args[1] as object;
      if (req instanceof http.IncomingMessage) {
        // allowHTTP1: Node's HTTP/1.1 parser on this tls.Server; response-calls.ts records the ServerResponse's calls.
        const id = nextId++;
        requestIds.set(req, id);
        requestIds.set(res, id);
        bodyBytesIn.set(req, 0);
        emit({ t: 'req', id, server: serverIds.get(this) ?? null, method: req.method, url: req.url, headers: req.headers, remotePort: req.socket?.remotePort ?? null, protocol: 'http/1.1', stream: null });
        if (!http1Patched) recordHttp1Life(probe, http1Ids);
        http1Patched = true;
        http1Ids.set(req, id);
        http1Ids.set(res, id);
        watchStatusCode(probe, id, res as http.ServerResponse);
        return timedHandler(probe, id, () => originalEmit.call(this, event, ...args));
      }
      // The compatibility API: emitted from inside the 'stream' emit above, so already in the stream's id.
      const id = requestIds.get((req as { stream?: object }).stream ?? req);
      if (id !== undefined) {
        requestIds.set(req, id);
        requestIds.set(res, id);
        return currentRequest.run(id, () => originalEmit.call(this, event, ...args));
      }
    }
    if (event === 'unknownProtocol') emit({ t: 'h2-unknown-protocol', handled: this.listenerCount('unknownProtocol') > 0 });
    if (event === 'tlsClientError') emit({ t: 'tls-client-error', ...describeError(args[0]) });
    return originalEmit.call(this, event, ...args);
  } as Emit;
  sameShape(owner.emit, originalEmit);
}

function timedHandler(probe: Probe, id: number, run: () => boolean): boolean {
  const begun = performance.now();
  try {
    return probe.currentRequest.run(id, run);
  } finally {
    const handlerMs = performance.now() - begun;
    if (handlerMs >= 20) probe.emit({ t: 'handler-sync', id, handlerMs: Math.round(handlerMs) });
  }
}

function plainHeaders(headers: Http2.IncomingHttpHeaders): Record<string, string | string[]> {
  const plain: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) plain[name] = Array.isArray(value) ? value : String(value);
  return plain;
}

function remotePortOf(stream: Http2.ServerHttp2Stream): number | null {
  try {
    return stream.session?.socket?.remotePort ?? null;
  } catch {
    return null;
  }
}

// A stream's life, from its emit (ServerHttp2Stream.prototype, reached through the
// first 'stream'): no listener is added, so listenerCount() and the order of the
// program's own listeners stay as they were. A stream is one request and its
// response: its readable side is the request body, its writable side the response.
function recordStreamLife({ emit }: Probe, proto: object, ids: WeakMap<object, number>): void {
  const owner = proto as { emit: Emit };
  const originalEmit = owner.emit;
  owner.emit = sameShaped(function (this: Http2.ServerHttp2Stream, event: string | symbol, ...args: unknown[]) {
    const id = ids.get(this);
    if (id !== undefined) {
      if (event === 'end') emit({ t: 'req-end', id });
      // A stream the client reset (or whose connection went) emits 'finish' as it is destroyed: no response was finished.
      else if (event === 'finish' && !this.aborted) emit({ t: 'res-finish', id });
      else if (event === 'aborted') emit({ t: 'h2-aborted', id });
      else if (event === 'error') emit({ t: 'res-error', id, api: 'core', handled: this.listenerCount('error') > 0, ...describeError(args[0]) });
      else if (event === 'close') {
        const rstCode = typeof this.rstCode === 'number' ? this.rstCode : null;
        emit({ t: 'req-close', id, complete: rstCode === 0 });
        emit({ t: 'res-close', id, finished: this.writableFinished && !this.aborted });
        // stream.session is cleared once the stream closes: the one kept at 'stream' says whether it went first.
        emit({ t: 'h2-stream-close', id, rstCode, sessionDestroyed: sessions.get(this)?.destroyed ?? false });
      }
    }
    return originalEmit.call(this, event, ...args);
  } as Emit, originalEmit);
}

/**
 * requests.ts's bookkeeping for HTTP/1.1 requests that reached an HTTP/2 server
 * (allowHTTP1), from the emit of IncomingMessage and ServerResponse: patched at
 * the first such request, for the objects in `mine` only.
 */
function recordHttp1Life({ emit }: Probe, mine: WeakMap<object, number>): void {
  const life: Record<string, (target: object, id: number) => Record<string, unknown> | null> = {
    end: (target, id) => (target instanceof http.IncomingMessage ? { t: 'req-end', id } : null),
    finish: (target, id) => (target instanceof http.ServerResponse ? { t: 'res-finish', id } : null),
    close: (target, id) =>
      target instanceof http.IncomingMessage ? { t: 'req-close', id, complete: target.complete } : { t: 'res-close', id, finished: (target as http.ServerResponse).writableFinished },
  };
  for (const proto of [http.IncomingMessage.prototype, http.ServerResponse.prototype] as Array<{ emit: Emit }>) {
    const originalEmit = proto.emit;
    proto.emit = sameShaped(function (this: object, event: string | symbol, ...args: unknown[]) {
      const id = mine.get(this);
      const event_ = id !== undefined && typeof event === 'string' && Object.hasOwn(life, event) ? life[event](this, id) : null;
      if (event_) emit(event_);
      return originalEmit.call(this, event, ...args);
    } as Emit, originalEmit);
  }
}
