// The probe runs INSIDE the learner's process, preloaded with `node --import`.
// It imports nothing of httpdojo (it runs in someone else's program) and never
// changes what the program does, except that every TCP listen() binds a free
// loopback port (and the program's own connections to the port it asked for
// follow; test/engine/probe-differential.test.ts holds it to that). It reports what it sees as JSON lines on the file descriptor
// named by HTTPDOJO_PROBE_FD, a pipe the learner's own output cannot reach.
//
// Events are the probe's whole vocabulary; src/engine/probe-events.ts mirrors
// their shapes for the engine (this file cannot import it).

import { AsyncLocalStorage } from 'node:async_hooks';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';
import fs from 'node:fs';
import crypto from 'node:crypto';
import childProcess from 'node:child_process';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import stream from 'node:stream';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import util from 'node:util';

const channelFd = Number(process.env.HTTPDOJO_PROBE_FD);
// Children the learner spawns inherit the environment; only this process owns the
// channel, so the variable goes before any learner code runs.
delete process.env.HTTPDOJO_PROBE_FD;

// With source maps on (tsx turns them on), the probe's frames may be reported
// under its source file rather than this one; both are "not the learner".
const PROBE_FILES = new Set([fileURLToPath(import.meta.url), ownFileInStacks()]);

function ownFileInStacks(): string {
  const frame = (new Error().stack ?? '').split('\n')[1] ?? '';
  const match = /\(?((?:file:\/\/)?[^\s()]+?):\d+:\d+\)?\s*$/.exec(frame.trim());
  if (!match) return '';
  try {
    return match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
  } catch {
    return match[1];
  }
}
const MAX_WRITE_EVENTS_PER_RESPONSE = 64;
const TICK_MS = 25;

interface Location {
  file: string;
  line: number;
  column: number;
}

if (Number.isInteger(channelFd) && channelFd > 2) install(channelFd);

type Method = (...args: unknown[]) => unknown;

/** Every function-valued data property of each owner, own or inherited (the nearest wins). */
function methodsOf(owners: object[]): Map<object, Map<string, Method>> {
  const result = new Map<object, Map<string, Method>>();
  for (const owner of owners) {
    const byKey = new Map<string, Method>();
    // Bounded: a prototype chain ends at Object.prototype.
    for (let level: object | null = owner; level && level !== Object.prototype; level = Object.getPrototypeOf(level)) {
      for (const key of Object.getOwnPropertyNames(level)) {
        const descriptor = Object.getOwnPropertyDescriptor(level, key);
        if (!byKey.has(key) && descriptor && typeof descriptor.value === 'function') byKey.set(key, descriptor.value as Method);
      }
    }
    result.set(owner, byKey);
  }
  return result;
}

function keepShape(wrapper: unknown, original: Method): void {
  for (const property of ['name', 'length']) {
    const descriptor = Object.getOwnPropertyDescriptor(original, property);
    if (descriptor) Object.defineProperty(wrapper as object, property, descriptor);
  }
}

function install(fd: number): void {
  let channelBroken = false;
  const started = performance.now();
  // Before any patch: what each patched function was, to give its wrapper the same shape.
  const originals = methodsOf([process, JSON, fs, fs.promises, crypto, childProcess, stream, stream.promises,
    stream.Readable.prototype, net.Server.prototype, net.Socket.prototype, http.Server.prototype,
    http.IncomingMessage.prototype, http.ServerResponse.prototype, http.Agent.prototype, http.ClientRequest.prototype]);
  const originalFetch = globalThis.fetch;

  function emit(event: Record<string, unknown>): void {
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
  }

  /** The learner's frame nearest the top of a stack: not Node's, not a package's, not ours. */
  function learnerFrame(stack: string | undefined): Location | null {
    return learnerFrames(stack, 1)[0] ?? null;
  }

  /** The learner's frames of a stack, nearest the top first, at most `max`. */
  function learnerFrames(stack: string | undefined, max: number): Location[] {
    const frames: Location[] = [];
    if (!stack) return frames;
    for (const raw of stack.split('\n')) {
      if (frames.length >= max) break;
      const match = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(raw.trim());
      if (!match || !raw.trim().startsWith('at ')) continue;
      let file = match[1];
      if (file.startsWith('node:') || file.startsWith('internal/')) continue;
      if (file.startsWith('file://')) {
        try {
          file = fileURLToPath(file);
        } catch {
          continue;
        }
      }
      if (PROBE_FILES.has(file) || file.includes('/node_modules/') || file.includes('\\node_modules\\')) continue;
      if (!file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(file)) continue;
      frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
    }
    return frames;
  }

  function here(): Location | null {
    return hereAndCallers(1)[0] ?? null;
  }

  /** The learner's frame of this call and up to `max - 1` learner frames it was called from. */
  function hereAndCallers(max: number): Location[] {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    const stack = new Error().stack;
    Error.stackTraceLimit = limit;
    return learnerFrames(stack, max);
  }

  /** `at` and, when the call came through learner helpers, `via`: the callers' lines, nearest first. */
  function callSite(): { at: Location | null; via?: Location[] } {
    const frames = hereAndCallers(5);
    return frames.length > 1 ? { at: frames[0], via: frames.slice(1) } : { at: frames[0] ?? null };
  }

  function describeError(error: unknown): Record<string, unknown> {
    if (error instanceof Error) {
      const e = error as NodeJS.ErrnoException;
      return {
        name: e.name,
        message: e.message,
        code: typeof e.code === 'string' ? e.code : undefined,
        stack: typeof e.stack === 'string' ? e.stack.split('\n').slice(0, 12).join('\n') : undefined,
        at: learnerFrame(e.stack),
      };
    }
    return { name: typeof error, message: String(error).slice(0, 500), at: null };
  }

  emit({ t: 'hello', pid: process.pid, node: process.version, argv: process.argv.slice(1) });

  // ---- errors and exit ----------------------------------------------------
  // The monitor sees uncaught exceptions and (with Node's default
  // --unhandled-rejections=throw) unhandled rejections, without handling them.
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    emit({ t: 'uncaught', origin, ...describeError(error) });
  });
  process.on('exit', (code) => emit({ t: 'exit', code }));

  // ---- where process.exit() was called (lesson 14; additive) ----------------
  // A SIGTERM handler that calls process.exit() drops the requests in flight,
  // and the 'exit' event above carries no stack: the learner's line is taken
  // here, then the original runs with the same arguments, so nothing changes.
  const originalExit = process.exit;
  process.exit = function patchedExit(this: NodeJS.Process, ...args: unknown[]) {
    const code = args[0];
    emit({ t: 'exit-call', code: typeof code === 'number' || typeof code === 'string' ? code : null, at: here() });
    return (originalExit as (...a: unknown[]) => never).apply(this, args);
  } as typeof process.exit;

  // ---- which request is running: AsyncLocalStorage follows the handler's
  // callbacks, timers and promises, so a sync call or a write is attributed.
  const currentRequest = new AsyncLocalStorage<number>();
  const requestIds = new WeakMap<object, number>();
  let nextRequestId = 1;

  // ---- listen(): rebind TCP listens to a free loopback port ---------------
  // Only the bind changes. Server#listen stays Node's own, called with the
  // learner's arguments: its validation (ERR_SOCKET_BAD_PORT), the synchronous
  // ERR_SERVER_ALREADY_LISTEN check on `this._handle`, the dns lookup of a host,
  // the 'listening' callback and the tick it runs on are all Node's (an earlier
  // probe rewrote the arguments to { port: 0, host: '127.0.0.1' }: a host meant a
  // lookup, so `this._handle` was still unset at a second listen() and it passed).
  // The bind itself happens one level down, in Server#_listen2 (setupListenHandle
  // in lib/net.js), called by listenInCluster with the resolved address and
  // port; lib/net.js keeps that name "to avoid breaking code that wraps this
  // method". The wrapper of listen() below only records what was asked for and
  // where; the wrapper of _listen2 binds 127.0.0.1:0 instead.
  // https://nodejs.org/docs/latest-v20.x/api/net.html#serverlisten
  const LOOPBACK = '127.0.0.1';
  let nextServerId = 1;
  const serverIds = new WeakMap<object, number>();
  const listenCalls = new WeakMap<object, { requested: { port: unknown; host: unknown }; at: Location | null }>();
  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    const previous = listenCalls.get(this);
    listenCalls.set(this, { requested: requestedBy(args), at: here() });
    try {
      return originalListen.apply(this, args as never);
    } catch (error) {
      // Node threw before binding anything (already listening, a bad port): what
      // listens now, if anything, is what the earlier call asked for.
      if (previous) listenCalls.set(this, previous);
      else listenCalls.delete(this);
      throw error;
    }
  } as typeof net.Server.prototype.listen;

  /** What the learner asked for, in the report's shape; Node's normalizeArgs reads the same arguments. */
  function requestedBy(args: unknown[]): { port: unknown; host: unknown } {
    const first = args[0];
    if (first !== null && typeof first === 'object') {
      const given = first as { port?: unknown; host?: unknown };
      return { port: given.port ?? 0, host: given.host };
    }
    return { port: typeof first === 'function' ? 0 : first ?? 0, host: typeof args[1] === 'string' ? args[1] : undefined };
  }

  type Listen2 = (this: net.Server, address: string | null, port: number, addressType: number, backlog: unknown, fd: unknown, flags: unknown) => void;
  const serverProto = net.Server.prototype as unknown as { _listen2: Listen2 };
  const originalListen2 = serverProto._listen2;
  /** TCP servers of this program bound by the rebinding, with the address they would have had. */
  const asIfBound = new WeakMap<object, AsIf>();
  const listening = new Set<net.Server>();
  const patchedListen2: Listen2 = function patchedListen2(this: net.Server, address, port, addressType, backlog, fd, flags) {
    const self = this as net.Server & { _handle?: unknown };
    asIfBound.delete(this);
    // Not a TCP bind to make: a unix socket or pipe (port -1), an fd, a handle
    // passed to listen(), or a cluster worker given its primary's handle.
    if (self._handle || typeof fd === 'number' || typeof port !== 'number' || port < 0) {
      return originalListen2.call(this, address, port, addressType, backlog, fd, flags);
    }
    const asIf = addressAsIf(address, addressType, flags, port);
    // An address this machine does not have: Node's own bind fails (EADDRNOTAVAIL)
    // exactly as without the probe, and binds nothing (were it to succeed, it is
    // not loopback and goes unreported: verify then says the program never listened).
    if (!isLocal(asIf.address)) return originalListen2.call(this, address, port, addressType, backlog, fd, flags);
    if (port > 0 && heldInThisProcess(asIf)) return emitAddressInUse(this, asIf, port);
    originalListen2.call(this, LOOPBACK, 0, 4, backlog, fd, flags);
    if (!self._handle) return; // the loopback bind failed; Node emits that error itself
    asIfBound.set(this, asIf);
    listening.add(this);
    reportListen(this);
  };
  serverProto._listen2 = patchedListen2;

  // address() gives the program the address and family its own bind would have
  // had (listen(port) binds '::' when IPv6 is available, lib/net.js
  // setupListenHandle), with the real port: only the port may differ.
  const originalAddress = net.Server.prototype.address;
  net.Server.prototype.address = function patchedAddress(this: net.Server) {
    const real = originalAddress.call(this);
    const asIf = asIfBound.get(this);
    if (!asIf || !real || typeof real !== 'object') return real;
    // Node's own key order: getsockname fills address, family, port.
    return { address: asIf.address, family: asIf.family, port: real.port };
  } as typeof net.Server.prototype.address;

  // ---- connections to the program's own port --------------------------------
  // A program that calls itself on the port it asked for (a start-up self-check,
  // one of its servers in front of another) would reach nothing there, or another
  // program: that port was never bound. A connection to a port one of its
  // servers would hold, on an address that binding takes, goes to the real port
  // instead, so the same server answers as without the probe. Socket#connect
  // (lib/net.js) takes the caller's arguments, or an array net.connect() already
  // normalized and marked with an internal symbol, which the copy keeps.
  const originalConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patchedConnect(this: net.Socket, ...args: unknown[]) {
    return originalConnect.apply(this, (listening.size > 0 ? redirectedToOwnServer(args) : null) ?? (args as never));
  } as typeof net.Socket.prototype.connect;

  /** The same arguments aimed at 127.0.0.1 and the real port, or null when they are not for one of this program's servers. */
  function redirectedToOwnServer(args: unknown[]): never | null {
    const normalized = Array.isArray(args[0]) ? (args[0] as unknown[]) : null;
    const first = normalized ? normalized[0] : args[0];
    const given = first !== null && typeof first === 'object' ? (first as { port?: unknown; host?: unknown; path?: unknown }) : null;
    if (given?.path != null || (!given && typeof first !== 'number' && !(typeof first === 'string' && /^\d+$/.test(first)))) return null;
    const host = given ? given.host : typeof args[1] === 'string' ? args[1] : undefined;
    const port = ownServerPort(Number(given ? given.port : first), host ?? 'localhost');
    if (port === null) return null;
    if (!given) return [port, LOOPBACK, ...args.slice(typeof args[1] === 'string' ? 2 : 1)] as never;
    const options = { ...given, port, host: LOOPBACK };
    if (!normalized) return [options, ...args.slice(1)] as never;
    const copy = [options, ...normalized.slice(1)] as unknown[] & Record<symbol, unknown>;
    for (const symbol of Object.getOwnPropertySymbols(normalized)) copy[symbol] = (normalized as unknown as Record<symbol, unknown>)[symbol];
    return [copy] as never;
  }

  function ownServerPort(port: number, host: unknown): number | null {
    if (!Number.isInteger(port) || port <= 0 || typeof host !== 'string') return null;
    const targets = connectTargets(host, port);
    for (const server of listening) {
      const held = asIfBound.get(server);
      if (!server.listening || !held || held.port !== port || !targets.some((target) => bindingsOverlap(held, target))) continue;
      const real = originalAddress.call(server);
      return real && typeof real === 'object' ? real.port : null;
    }
    return null;
  }

  function reportListen(server: net.Server): void {
    const serverId = serverIds.get(server) ?? nextServerId++;
    serverIds.set(server, serverId);
    const real = originalAddress.call(server);
    if (!real || typeof real !== 'object') return;
    // Reported at the bind, not on 'listening' (a listener of ours would change
    // listenerCount('listening')); connections are served no earlier than on the
    // next turn of the loop, after 'listening' ran, so nothing reaches the program sooner.
    const call = listenCalls.get(server) ?? { requested: { port: 0, host: undefined }, at: null };
    emit({ t: 'listen', server: serverId, http: server instanceof http.Server, port: real.port, host: real.address, requested: call.requested, at: call.at });
  }

  // ---- a port this program already holds: EADDRINUSE, as Node reports it ----
  // Rebound servers never collide in the kernel, so a program listening twice on
  // its own port would pass (two servers on 3000 both "worked"). Each server's
  // would-be binding is kept while it listens, and a new one that overlaps it
  // fails as Linux fails it: same port and same address, or either side the
  // unspecified address of that family (an IPv6 '::' without ipv6Only takes
  // IPv4 too). A port held by another process is not seen: that is the
  // machine, not the program.
  function heldInThisProcess(wanted: AsIf): boolean {
    for (const server of listening) {
      if (!server.listening) {
        listening.delete(server);
        continue;
      }
      const held = asIfBound.get(server);
      if (held && held.port === wanted.port && bindingsOverlap(held, wanted)) return true;
    }
    return false;
  }

  // What setupListenHandle does when the kernel refuses (lib/net.js): an
  // UVExceptionWithHostPort (message `listen EADDRINUSE: address already in use
  // <address>:<port>`, then code, errno, syscall, address, port in that order),
  // emitted as 'error' on the next tick, the server left without a handle.
  // Unhandled, it crashes the program as any 'error' event does.
  // https://nodejs.org/docs/latest-v20.x/api/net.html#event-error
  function emitAddressInUse(server: net.Server, asIf: AsIf, port: number): void {
    const code = 'EADDRINUSE';
    const [errno, [, text]] = [...util.getSystemErrorMap()].find(([, [name]]) => name === code) ?? [-98, [code, 'address already in use']];
    const error = Object.assign(new Error(`listen ${code}: ${text} ${asIf.address}:${port}`), { code, errno, syscall: 'listen', address: asIf.address, port });
    // The stack starts where Node's would (listenInCluster), not inside the probe.
    Error.captureStackTrace(error, patchedListen2);
    const listenChannel = diagnosticsChannel.tracingChannel('net.server.listen');
    if (listenChannel.error.hasSubscribers) listenChannel.error.publish({ server, error });
    process.nextTick(function emitErrorNT() {
      server.emit('error', error);
    });
  }

  const originalClose = net.Server.prototype.close;
  net.Server.prototype.close = function patchedClose(this: net.Server, ...args: unknown[]) {
    const serverId = serverIds.get(this);
    if (serverId !== undefined) emit({ t: 'server-close', server: serverId, at: here() });
    return originalClose.apply(this, args as never);
  } as typeof net.Server.prototype.close;

  // ---- requests -----------------------------------------------------------
  const originalEmit = http.Server.prototype.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  (http.Server.prototype as { emit: unknown }).emit = function patchedEmit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const req = args[0] as http.IncomingMessage;
      const res = args[1] as http.ServerResponse;
      const id = nextRequestId++;
      requestIds.set(req, id);
      requestIds.set(res, id);
      emit({
        t: 'req', id, server: serverIds.get(this) ?? null, method: req.method, url: req.url,
        headers: req.headers, remotePort: req.socket?.remotePort ?? null,
      });
      watchRequest(id, req, res);
      const begun = performance.now();
      try {
        return currentRequest.run(id, () => originalEmit.call(this, event, ...args));
      } finally {
        const handlerMs = performance.now() - begun;
        if (handlerMs >= 20) emit({ t: 'handler-sync', id, handlerMs: Math.round(handlerMs) });
      }
    }
    if (event === 'clientError') {
      const error = args[0] as NodeJS.ErrnoException;
      emit({ t: 'parse-error', code: error?.code, message: error?.message, handled: this.listenerCount('clientError') > 0 });
    }
    return originalEmit.call(this, event, ...args);
  };

  function watchRequest(id: number, req: http.IncomingMessage, res: http.ServerResponse): void {
    bodyBytesIn.set(req, 0);
    // Listeners for 'close', 'end' and 'aborted' never change a stream's flow or
    // its error handling; an 'error' listener would, so there is none.
    req.once('end', () => emit({ t: 'req-end', id }));
    req.once('close', () => emit({ t: 'req-close', id, complete: req.complete }));
    res.once('finish', () => emit({ t: 'res-finish', id }));
    res.once('close', () => emit({ t: 'res-close', id, finished: res.writableFinished }));
    // statusCode is a plain property; an accessor with the same value records
    // assignments (a status set after the body started is silently lost).
    let statusCode = res.statusCode;
    Object.defineProperty(res, 'statusCode', {
      configurable: true,
      enumerable: true,
      get: () => statusCode,
      set: (value: number) => {
        if (depth === 0) emit({ t: 'call', id, fn: 'statusCode', status: value, state: stateOf(res), ...callSite() });
        statusCode = value;
      },
    });
  }

  function stateOf(res: http.ServerResponse): Record<string, boolean> {
    return {
      headersSent: res.headersSent,
      ended: res.writableEnded,
      finished: res.writableFinished,
      destroyed: res.destroyed,
    };
  }

  function byteLengthOf(chunk: unknown, encoding: unknown): number {
    if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    if (chunk instanceof Uint8Array) return chunk.byteLength;
    return 0;
  }

  function preview(chunk: unknown): string | undefined {
    if (typeof chunk === 'string') return chunk.slice(0, 120);
    if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, 120)).toString('utf8');
    return undefined;
  }

  // ---- request body bytes received so far (lessons 04-05; additive) ---------
  // Whether a server answered before the whole body had arrived (answering
  // before 'end', a 413 only after the whole upload) cannot be judged from the
  // client's clock alone on a loaded machine. The parser hands every body piece
  // to IncomingMessage#push (inherited from Readable); counting there, keyed by
  // the request, sees the bytes without adding a 'data' listener (which would
  // switch the stream to flowing mode). write/end events carry the count as
  // `bodyBytesIn`. Client responses are IncomingMessages too; they are not in
  // the map and pass through untouched.
  const bodyBytesIn = new WeakMap<object, number>();
  const incomingProto = http.IncomingMessage.prototype as unknown as { push: (...a: unknown[]) => boolean };
  const originalIncomingPush = incomingProto.push;
  incomingProto.push = function patchedIncomingPush(this: http.IncomingMessage, ...args: unknown[]) {
    const count = bodyBytesIn.get(this);
    const chunk = args[0];
    if (count !== undefined && chunk) bodyBytesIn.set(this, count + byteLengthOf(chunk, args[1]));
    return originalIncomingPush.apply(this, args);
  };

  // ---- response calls, in order, with the learner's line ------------------
  let depth = 0;
  const writeCounts = new WeakMap<object, { events: number; bytes: number; calls: number }>();
  const proto = http.ServerResponse.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const fn of ['writeHead', 'setHeader', 'removeHeader', 'write', 'end', 'flushHeaders'] as const) {
    const original = proto[fn];
    proto[fn] = function patchedResponseMethod(this: http.ServerResponse, ...args: unknown[]) {
      const id = requestIds.get(this);
      if (id !== undefined) {
        const event: Record<string, unknown> = { t: 'call', id, fn, nested: depth > 0, state: stateOf(this) };
        let record = true;
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
          const count = writeCounts.get(this) ?? { events: 0, bytes: 0, calls: 0 };
          count.bytes += bytes;
          count.calls += 1;
          writeCounts.set(this, count);
          event.bytes = bytes;
          event.totalBytes = count.bytes;
          const req = (this as http.ServerResponse & { req?: object }).req;
          const bodyIn = req ? bodyBytesIn.get(req) : undefined;
          if (bodyIn !== undefined) event.bodyBytesIn = bodyIn;
          event.calls = count.calls;
          if (bytes > 0) event.preview = preview(chunk);
          // A large file piped into a response writes thousands of chunks; the
          // first ones and every end() say all a check needs.
          if (fn === 'write' && count.events >= MAX_WRITE_EVENTS_PER_RESPONSE && !this.destroyed && !this.writableEnded) record = false;
          else count.events += 1;
        }
        if (record) {
          if (depth > 0) event.at = null;
          else Object.assign(event, callSite());
          event.inRequest = currentRequest.getStore() ?? null;
          emit(event);
        }
      }
      depth++;
      try {
        return original.apply(this, args);
      } catch (error) {
        if (id !== undefined) emit({ t: 'call-threw', id, fn, ...describeError(error) });
        throw error;
      } finally {
        depth--;
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

  // ---- outgoing requests (client lessons, proxies) ------------------------
  const clientIds = new WeakMap<object, number>();
  let nextClientId = 1;
  // ---- where each client request was made (lessons 10-12; additive) ---------
  // 'http.client.request.start' is published from ClientRequest._finish, i.e.
  // only once end() was called, and usually on a later tick: its stack has no
  // learner frame, a request that is never ended never shows up, and write()/
  // end()/setHeader() on a new request came before it had an id (so no
  // 'client-call' was recorded). Every request passes through Agent#addRequest
  // inside its constructor, on the learner's stack (also for `agent: false`,
  // which makes a fresh Agent): the id and the learner's line are taken there.
  // Only reads the stack; the request and the agent are untouched.
  const clientCreatedAt = new WeakMap<object, Location | null>();
  const agentProto = http.Agent.prototype as unknown as { addRequest: (...a: unknown[]) => unknown };
  const originalAddRequest = agentProto.addRequest;
  agentProto.addRequest = function patchedAddRequest(this: http.Agent, ...args: unknown[]) {
    const request = args[0];
    if (request instanceof http.ClientRequest && !clientIds.has(request)) {
      const id = nextClientId++;
      clientIds.set(request, id);
      const at = here();
      clientCreatedAt.set(request, at);
      emit({ t: 'client-create', id, method: request.method, host: request.host, path: request.path, inRequest: currentRequest.getStore() ?? null, at });
    }
    return originalAddRequest.apply(this, args);
  };
  diagnosticsChannel.subscribe('http.client.request.start', (message) => {
    const request = (message as { request: http.ClientRequest }).request;
    // The id given at creation, when the request went through addRequest above.
    const id = clientIds.get(request) ?? nextClientId++;
    clientIds.set(request, id);
    emit({
      t: 'client-req', id, method: request.method, host: request.host, path: request.path,
      agent: describeAgent(request), inRequest: currentRequest.getStore() ?? null, at: here() ?? clientCreatedAt.get(request) ?? null,
    });
    request.once('close', () => emit({ t: 'client-close', id, ended: request.writableEnded, destroyed: request.destroyed }));
    const onSocket = (socket: net.Socket) => {
      emit({ t: 'client-socket', id, reused: Boolean((request as unknown as { reusedSocket?: boolean }).reusedSocket), localPort: socket.localPort ?? null });
    };
    // This channel fires from _finish, by which time the request usually has its
    // socket and 'socket' was already emitted: listening for it alone never saw it.
    if (request.socket) onSocket(request.socket);
    else request.once('socket', onSocket);
  });
  diagnosticsChannel.subscribe('http.client.request.error', (message) => {
    const { request, error } = message as { request: http.ClientRequest; error: unknown };
    emit({ t: 'client-error', id: clientIds.get(request) ?? null, handled: request.listenerCount('error') > 0, ...describeError(error) });
  });
  diagnosticsChannel.subscribe('http.client.response.finish', (message) => {
    const { request, response } = message as { request: http.ClientRequest; response: http.IncomingMessage };
    const id = clientIds.get(request) ?? null;
    emit({ t: 'client-res', id, status: response.statusCode });
    response.once('end', () => emit({ t: 'client-res-end', id }));
  });
  const clientProto = http.ClientRequest.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const fn of ['write', 'end', 'setHeader'] as const) {
    const original = clientProto[fn];
    clientProto[fn] = function patchedClientMethod(this: http.ClientRequest, ...args: unknown[]) {
      const id = clientIds.get(this);
      if (id !== undefined && depth === 0) {
        const chunk = typeof args[0] === 'function' ? undefined : args[0];
        emit({
          t: 'client-call', id, fn, at: here(),
          ...(fn === 'setHeader' ? { name: args[0], value: String(args[1]) } : { bytes: byteLengthOf(chunk, args[1]) }),
        });
      }
      depth++;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    };
  }

  function describeAgent(request: http.ClientRequest): Record<string, unknown> | null {
    const agent = (request as unknown as { agent?: http.Agent & { keepAlive?: boolean } }).agent;
    if (!agent) return null;
    return { global: agent === http.globalAgent, keepAlive: Boolean(agent.keepAlive), maxSockets: agent.maxSockets };
  }

  if (typeof globalThis.fetch === 'function') {
    const originalFetch = globalThis.fetch;
    globalThis.fetch = function patchedFetch(this: unknown, ...args: Parameters<typeof fetch>) {
      emit({ t: 'fetch', url: String(args[0]).slice(0, 200), at: here() });
      return originalFetch.apply(this, args);
    } as typeof fetch;
  }

  // ---- synchronous calls that block the event loop -------------------------
  function wrapSync(target: Record<string, unknown>, owner: string, names: string[]): void {
    for (const name of names) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = function patchedSync(this: unknown, ...args: unknown[]) {
        const begun = performance.now();
        try {
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        } finally {
          const inRequest = currentRequest.getStore();
          const ms = performance.now() - begun;
          if (inRequest !== undefined || ms >= 50) {
            // emit() stamps every event with `ms` (time since the probe loaded), which
            // overwrites the `ms` given here; `durationMs` carries the call's duration.
            emit({ t: 'sync-call', fn: `${owner}.${name}`, ms: Math.round(ms), durationMs: Math.round(ms), inRequest: inRequest ?? null, at: here(), arg: typeof args[0] === 'string' ? args[0].slice(0, 200) : undefined });
          }
        }
      };
    }
  }
  wrapSync(fs as unknown as Record<string, unknown>, 'fs', ['readFileSync', 'writeFileSync', 'readdirSync', 'statSync', 'existsSync', 'appendFileSync']);
  wrapSync(crypto as unknown as Record<string, unknown>, 'crypto', ['pbkdf2Sync', 'scryptSync', 'randomFillSync', 'generateKeyPairSync']);
  wrapSync(childProcess as unknown as Record<string, unknown>, 'child_process', ['execSync', 'spawnSync', 'execFileSync']);

  // readFile (async) of a whole file is evidence for a server that buffers files.
  const originalReadFile = fs.readFile;
  (fs as unknown as Record<string, unknown>).readFile = function patchedReadFile(this: unknown, ...args: unknown[]) {
    emit({ t: 'read-file', path: String(args[0]).slice(0, 300), inRequest: currentRequest.getStore() ?? null, at: here() });
    return (originalReadFile as (...a: unknown[]) => unknown).apply(this, args);
  };
  const originalPromisesReadFile = fs.promises.readFile;
  fs.promises.readFile = function patchedPromisesReadFile(this: unknown, ...args: unknown[]) {
    emit({ t: 'read-file', path: String(args[0]).slice(0, 300), inRequest: currentRequest.getStore() ?? null, at: here() });
    return (originalPromisesReadFile as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof fs.promises.readFile;
  // ---- file streams (lesson 08; additive) -----------------------------------
  // An unhandled 'error' of a file stream (ENOENT) crashes with a stack that has
  // no learner frame ("Emitted 'error' event on ReadStream instance"), and a file
  // stream left open after its client left is a leaked descriptor. Only the place
  // the stream was made, or piped, names the learner's line, so both are recorded.
  // The 'close' listener never changes a stream's flow or its error handling.
  let nextFileStreamId = 1;
  const fileStreamIds = new WeakMap<object, number>();
  const originalCreateReadStream = fs.createReadStream;
  (fs as unknown as Record<string, unknown>).createReadStream = function patchedCreateReadStream(this: unknown, ...args: unknown[]) {
    const created = (originalCreateReadStream as (...a: unknown[]) => fs.ReadStream).apply(this, args);
    const sid = nextFileStreamId++;
    fileStreamIds.set(created, sid);
    emit({ t: 'file-stream', sid, path: String(args[0]).slice(0, 300), inRequest: currentRequest.getStore() ?? null, at: here() });
    created.once('close', () => emit({ t: 'file-stream-close', sid }));
    return created;
  };
  // A readable piped into a response: `.pipe()` leaves the source open when the
  // client goes away, pipeline() (which calls pipe() itself) does not.
  const originalPipe = stream.Readable.prototype.pipe;
  stream.Readable.prototype.pipe = function patchedPipe(this: stream.Readable, destination: NodeJS.WritableStream, options?: { end?: boolean }) {
    if (destination instanceof http.ServerResponse) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const source = this as stream.Readable & { path?: unknown };
      emit({
        t: 'pipe', id: requestIds.get(destination) ?? null, sid: fileStreamIds.get(this) ?? null,
        path: typeof source.path === 'string' ? source.path.slice(0, 300) : undefined,
        viaPipeline: /internal\/streams\/pipeline/.test(stack), at: learnerFrame(stack),
      });
    }
    return originalPipe.call(this, destination, options) as never;
  } as typeof stream.Readable.prototype.pipe;

  // ---- swallowed errors (issue 8 §4; additive) -------------------------------
  // An empty catch around JSON.parse (the body left null), or a callback that
  // ignores its `err`, turns the real error into a later TypeError on null or
  // undefined that names neither. The evidence is recorded where it happens; the
  // program gets the very same error object (its stack without this wrapper's
  // frame, and with as many frames as before) and the same callback arguments.
  const originalJsonParse = JSON.parse;
  const withoutProbeFrames = (error: unknown) => {
    if (error instanceof Error && typeof error.stack === 'string') {
      error.stack = error.stack.split('\n').filter((line) => ![...PROBE_FILES].some((file) => file && line.includes(file))).join('\n');
    }
  };
  JSON.parse = function parse(this: unknown, text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) {
    const limit = Error.stackTraceLimit;
    if (typeof limit === 'number') Error.stackTraceLimit = limit + 1;
    try {
      // eslint-disable-next-line prefer-rest-params
      return (originalJsonParse as (...a: unknown[]) => unknown).apply(JSON, arguments as unknown as unknown[]);
    } catch (error) {
      Error.stackTraceLimit = limit;
      withoutProbeFrames(error);
      if (error instanceof SyntaxError) {
        const at = here();
        if (at) emit({ t: 'swallowed', kind: 'json-parse', message: error.message.slice(0, 200), inRequest: currentRequest.getStore() ?? null, at });
      }
      throw error;
    } finally {
      Error.stackTraceLimit = limit;
    }
  } as typeof JSON.parse;
  // pipeline(): an aborted upload or a missing file rejects it (or errors it) with an
  // error whose stack has no learner frame; the call's line is recorded instead.
  // The wrapper keeps the original's name, length and util.promisify.custom.
  const wrapPipeline = (owner: Record<string, unknown>, key: string) => {
    const original = owner[key];
    if (typeof original !== 'function') return;
    const wrapped = function pipeline(this: unknown, ...args: unknown[]) {
      const at = here();
      if (at) emit({ t: 'stream-pipeline', inRequest: currentRequest.getStore() ?? null, at });
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    for (const property of Reflect.ownKeys(original)) {
      if (property === 'prototype') continue;
      const descriptor = Object.getOwnPropertyDescriptor(original, property);
      if (descriptor) Object.defineProperty(wrapped, property, descriptor);
    }
    owner[key] = wrapped;
  };
  wrapPipeline(stream.promises as unknown as Record<string, unknown>, 'pipeline');
  wrapPipeline(stream as unknown as Record<string, unknown>, 'pipeline');
  // fs callbacks: `(err, data) => res.end(data)` on a missing file goes on with data undefined.
  for (const name of ['readFile', 'stat', 'lstat', 'open'] as const) {
    const before = (fs as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    if (typeof before !== 'function') continue;
    (fs as unknown as Record<string, unknown>)[name] = function patchedFsCallback(this: unknown, ...args: unknown[]) {
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        const at = here();
        const inRequest = currentRequest.getStore() ?? null;
        args[args.length - 1] = function (this: unknown, ...results: unknown[]) {
          const err = results[0] as NodeJS.ErrnoException | null;
          if (err && at) emit({ t: 'swallowed', kind: 'fs-callback', fn: `fs.${name}`, code: typeof err.code === 'string' ? err.code : undefined, message: String(err.message).slice(0, 200), inRequest, at });
          return (callback as (...a: unknown[]) => unknown).apply(this, results);
        };
      }
      return before.apply(this, args);
    };
  }

  // A wrapper would give itself away by its `name` and `length` (`fs.readFile.name` is
  // 'readFile', not 'patchedFsCallback'): it takes the original's. Identity still
  // differs (`fs.readFile !== originalReadFile` kept from before the preload), which
  // no program can observe without having run first.
  for (const [owner, byKey] of originals) {
    for (const [key, original] of byKey) {
      const descriptor = Object.getOwnPropertyDescriptor(owner, key);
      if (descriptor && typeof descriptor.value === 'function' && descriptor.value !== original) keepShape(descriptor.value, original);
    }
  }
  if (typeof originalFetch === 'function' && globalThis.fetch !== originalFetch) keepShape(globalThis.fetch, originalFetch as unknown as Method);

  // ESM named imports (`import { readFileSync } from 'node:fs'`) see the patches only after this.
  syncBuiltinESMExports();

  // ---- which line spins while the event loop is blocked (issue 8 §4; additive) ----
  // A handler stuck in a loop stops every timer, so nothing in this thread can
  // look. A worker thread watches a heartbeat in shared memory; when it goes
  // stale for BLOCKED_SAMPLE_MS it opens an inspector session to the main
  // thread (https://nodejs.org/docs/latest-v20.x/api/inspector.html#sessionconnecttomainthread),
  // pauses it once, reads its call frames, resumes at once and disables the
  // debugger: the program loses a few milliseconds of a loop that was already
  // blocking. Frames are of the transpiled code under tsx; they are mapped to
  // the learner's lines with the script's inline source map (module.SourceMap).
  // Started at the first request (lesson 09's handlers; a start-up loop is
  // never-listens), unref'd, with no probe and no loader of its own.
  let busyWatcherStarted = false;
  diagnosticsChannel.subscribe('http.server.request.start', () => {
    if (busyWatcherStarted) return;
    busyWatcherStarted = true;
    try {
      startBusyWatcher(fd, Date.now() - (performance.now() - started), [...PROBE_FILES].filter(Boolean));
    } catch {
      // No worker threads or no inspector in this Node: the location falls back to the source.
    }
  });

  // ---- event-loop heartbeat ----------------------------------------------
  // An unref'd timer: it never keeps the program alive. A late tick means the
  // loop was blocked; the report says how long, and since which request.
  let expected = performance.now() + TICK_MS;
  let lastReport = 0;
  const parentPid = process.ppid;
  const heartbeat = setInterval(() => {
    // httpdojo was killed outright (kill -9: no cleanup ran) and this process was
    // re-parented: nobody is verifying any more, so nothing may be left running.
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
    const now = performance.now();
    const lagMs = Math.max(0, now - expected);
    expected = now + TICK_MS;
    if (lagMs >= 40 || now - lastReport >= 250) {
      lastReport = now;
      emit({ t: 'tick', lagMs: Math.round(lagMs), rss: process.memoryUsage.rss(), resources: countResources() });
    }
  }, TICK_MS);
  heartbeat.unref();

  function countResources(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
    return counts;
  }
}

// ---- the address a listen() would have bound without the probe ------------
// Pure functions, outside install(): they read no state of the program.

interface AsIf {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
  /** An IPv6 bind with ipv6Only (UV_TCP_IPV6ONLY in `flags`): it does not take IPv4. */
  v6only: boolean;
}

const UV_TCP_IPV6ONLY = 1;

/**
 * lib/net.js setupListenHandle: no address means '::' when the IPv6 bind works
 * and '0.0.0.0' otherwise; a kernel without IPv6 has no IPv6 interface address,
 * which is what is checked here (the probe cannot try a bind of its own).
 */
function addressAsIf(address: string | null, addressType: number, flags: unknown, port: number): AsIf {
  const v6only = (Number(flags) & UV_TCP_IPV6ONLY) !== 0;
  if (!address) {
    return hasIPv6() ? { address: '::', family: 'IPv6', port, v6only } : { address: '0.0.0.0', family: 'IPv4', port, v6only: false };
  }
  return addressType === 6 ? { address, family: 'IPv6', port, v6only } : { address, family: 'IPv4', port, v6only: false };
}

function hasIPv6(): boolean {
  return Object.values(os.networkInterfaces()).some((entries) => entries?.some((entry) => entry.family === 'IPv6'));
}

/**
 * Unspecified, IPv4 loopback (Linux routes all of 127.0.0.0/8 to lo), or an
 * address of one of this machine's interfaces ('::1' only where lo has it: a
 * container without IPv6 refuses that bind, and so does Node without the probe).
 */
function isLocal(address: string): boolean {
  const plain = address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  if (plain === '0.0.0.0' || plain === '::' || plain.startsWith('127.')) return true;
  return Object.values(os.networkInterfaces()).some((entries) => entries?.some((entry) => entry.address.toLowerCase() === plain));
}

/**
 * The addresses a connect() to `host` reaches on this machine: 'localhost' is
 * both loopbacks (Node 20 tries each family, net.connect autoSelectFamily), the
 * unspecified addresses mean loopback on Linux, an IP is itself. Other names
 * would need a lookup: none, so such a connect is left alone.
 */
function connectTargets(host: string, port: number): AsIf[] {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const address = name === 'localhost' ? null : name === '0.0.0.0' ? '127.0.0.1' : name === '::' ? '::1' : name;
  if (address === null) return [{ address: '127.0.0.1', family: 'IPv4', port, v6only: false }, { address: '::1', family: 'IPv6', port, v6only: false }];
  const family = net.isIP(address);
  return family === 0 ? [] : [{ address, family: family === 6 ? 'IPv6' : 'IPv4', port, v6only: false }];
}

/** The (family, address) pairs a binding takes; '*' is every address of the family. */
function takes(binding: AsIf): Array<[4 | 6, string]> {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(binding.address);
  if (mapped) return [[4, mapped[1]]];
  if (binding.address === '0.0.0.0') return [[4, '*']];
  if (binding.address === '::') return binding.v6only ? [[6, '*']] : [[4, '*'], [6, '*']];
  return [[binding.family === 'IPv6' ? 6 : 4, binding.address.toLowerCase()]];
}

/** Two listening bindings on one port collide when they share an address, or one takes them all (Linux, SO_REUSEADDR). */
function bindingsOverlap(a: AsIf, b: AsIf): boolean {
  return takes(a).some(([familyA, addressA]) =>
    takes(b).some(([familyB, addressB]) => familyA === familyB && (addressA === '*' || addressB === '*' || addressA === addressB)));
}

// ---- the busy-loop watcher (see "which line spins" in install()) ----------
const BLOCKED_SAMPLE_MS = 300;

function startBusyWatcher(fd: number, probeEpoch: number, probeFiles: string[]): void {
  const heartbeat = new Int32Array(new SharedArrayBuffer(4));
  const beat = () => Atomics.store(heartbeat, 0, Date.now() - probeEpoch);
  beat();
  setInterval(beat, 50).unref();
  const worker = new Worker(BUSY_WATCHER_SOURCE, {
    eval: true,
    // Not the parent's --import flags: no tsx, no second probe in the worker.
    execArgv: [],
    env: {},
    stdout: true,
    stderr: true,
    workerData: { fd, probeEpoch, heartbeat, probeFiles, sampleMs: BLOCKED_SAMPLE_MS },
    resourceLimits: { maxOldGenerationSizeMb: 32 },
  });
  worker.on('error', () => {});
  worker.unref();
}

// Plain JavaScript, run by the worker as is.
const BUSY_WATCHER_SOURCE = [
  "const { workerData } = require('node:worker_threads');",
  "const inspector = require('node:inspector');",
  "const { SourceMap } = require('node:module');",
  "const { writeSync } = require('node:fs');",
  "const { fileURLToPath } = require('node:url');",
  'const { fd, probeEpoch, heartbeat, probeFiles, sampleMs } = workerData;',
  'let sampling = false;',
  'let sampledThisBlock = false;',
  'function fileOf(url) {',
  "  const plain = String(url || '').split('?')[0];",
  "  if (plain.startsWith('file:')) { try { return fileURLToPath(plain); } catch { return null; } }",
  "  return plain.startsWith('/') ? plain : null;",
  '}',
  'function learner(file) {',
  "  return Boolean(file) && !file.includes('/node_modules/') && !probeFiles.includes(file);",
  '}',
  'function sample(blockedMs) {',
  '  sampling = true;',
  '  const session = new inspector.Session();',
  '  const scripts = new Map();',
  '  let done = false;',
  '  const finish = () => {',
  '    if (done) return;',
  '    done = true;',
  "    try { session.post('Debugger.disable', () => { try { session.disconnect(); } catch {} sampling = false; }); } catch { sampling = false; }",
  '  };',
  "  session.on('Debugger.scriptParsed', (message) => {",
  '    const file = fileOf(message.params.url);',
  '    if (learner(file)) scripts.set(message.params.scriptId, { file, sourceMapURL: message.params.sourceMapURL || null, map: undefined });',
  '  });',
  "  session.on('Debugger.paused', (message) => {",
  '    const frames = message.params.callFrames;',
  "    session.post('Debugger.resume', finish);",
  '    const found = [];',
  '    for (const frame of frames) {',
  '      const script = scripts.get(frame.location.scriptId);',
  '      if (!script || found.length >= 3) continue;',
  '      let line = frame.location.lineNumber + 1;',
  '      let column = (frame.location.columnNumber || 0) + 1;',
  "      if (script.map === undefined && script.sourceMapURL && script.sourceMapURL.startsWith('data:')) {",
  "        try { script.map = new SourceMap(JSON.parse(Buffer.from(script.sourceMapURL.slice(script.sourceMapURL.indexOf(',') + 1), 'base64').toString('utf8'))); } catch { script.map = null; }",
  '      }',
  '      if (script.map) {',
  '        const entry = script.map.findEntry(frame.location.lineNumber, frame.location.columnNumber || 0);',
  "        if (entry && typeof entry.originalLine === 'number') { line = entry.originalLine + 1; column = entry.originalColumn + 1; }",
  '      }',
  '      found.push({ file: script.file, line, column });',
  '    }',
  '    if (found.length === 0) return;',
  "    const event = JSON.stringify({ t: 'blocked-at', blockedMs, at: found[0], frames: found, ms: Date.now() - probeEpoch }) + '\\n';",
  '    try { writeSync(fd, event); } catch {}',
  '  });',
  '  try {',
  '    session.connectToMainThread();',
  "    session.post('Debugger.enable', () => session.post('Debugger.pause'));",
  '  } catch { finish(); }',
  '  setTimeout(finish, 2000).unref();',
  '}',
  'setInterval(() => {',
  '  const blockedMs = Date.now() - probeEpoch - Atomics.load(heartbeat, 0);',
  '  if (blockedMs < sampleMs) { sampledThisBlock = false; return; }',
  '  if (sampling || sampledThisBlock) return;',
  '  sampledThisBlock = true;',
  '  sample(blockedMs);',
  '}, 100);',
].join('\n');
