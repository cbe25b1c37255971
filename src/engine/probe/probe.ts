// The probe runs INSIDE the learner's process, preloaded with `node --import`.
// It imports nothing of httpdojo (it runs in someone else's program) and never
// changes what the program does, except that every TCP listen() binds a free
// loopback port. It reports what it sees as JSON lines on the file descriptor
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
import stream from 'node:stream';
import { fileURLToPath } from 'node:url';

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

function install(fd: number): void {
  let channelBroken = false;
  const started = performance.now();

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
  const originalListen = net.Server.prototype.listen;
  let nextServerId = 1;
  const serverIds = new WeakMap<object, number>();
  net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
    const callback = typeof args[args.length - 1] === 'function' ? (args.pop() as () => void) : undefined;
    const first = args[0];
    let requested: { port: unknown; host: unknown } | null = null;
    let options: net.ListenOptions | null = null;
    if (first === undefined || first === null || typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      requested = { port: first ?? 0, host: typeof args[1] === 'string' ? args[1] : undefined };
      options = { port: 0, host: '127.0.0.1' };
      if (typeof args[1] === 'number') options.backlog = args[1];
      if (typeof args[2] === 'number') options.backlog = args[2];
    } else if (typeof first === 'object' && !('path' in (first as object) && (first as { path?: unknown }).path != null) &&
      !('fd' in (first as object)) && !('_handle' in (first as object)) && !('handle' in (first as object))) {
      const given = first as net.ListenOptions;
      requested = { port: given.port ?? 0, host: given.host };
      options = { ...given, port: 0, host: '127.0.0.1', ipv6Only: false };
    }
    if (!options || !requested) {
      // A unix socket path, a handle or an fd: Node's own tooling uses these; leave them alone.
      return callback ? originalListen.apply(this, [...args, callback] as never) : originalListen.apply(this, args as never);
    }
    const serverId = serverIds.get(this) ?? nextServerId++;
    serverIds.set(this, serverId);
    const at = here();
    const isHttp = this instanceof http.Server;
    this.once('listening', () => {
      const address = this.address();
      if (address && typeof address === 'object') {
        emit({ t: 'listen', server: serverId, http: isHttp, port: address.port, host: address.address, requested, at });
      }
    });
    return callback ? originalListen.call(this, options, callback) : originalListen.call(this, options);
  } as typeof net.Server.prototype.listen;

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

  // ESM named imports (`import { readFileSync } from 'node:fs'`) see the patches only after this.
  syncBuiltinESMExports();

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
