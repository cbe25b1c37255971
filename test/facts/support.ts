// Shared helpers for the fact tests (test/facts/*.test.ts).
//
// Rules these helpers enforce: everything talks to 127.0.0.1 on port 0, every wait has
// a deadline, every server / socket / child / temp dir is closed in the helper that made
// it (or by the caller's `finally`). Anything that may crash or hang runs in a child
// process started with `startChild` / `runChild`, never in the vitest worker.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const HOST = '127.0.0.1';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `label` if `promise` has not settled after `ms`. Clears its timer. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline of ${ms} ms passed: ${label}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves to `true` if `promise` settles within `ms`, `false` otherwise (never rejects). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------
// In-process servers (only for behaviour that cannot crash or wedge the worker)

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Number of TCP connections accepted so far. */
  connections(): number;
  /** Closes the server and every connection; bounded. */
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function startServer(
  handler: Handler,
  options: http.ServerOptions = {},
  configure?: (server: http.Server) => void,
): Promise<RunningServer> {
  const server = http.createServer(options, handler);
  configure?.(server);
  return listenServer(server);
}

export async function listenServer<S extends net.Server>(
  server: S,
): Promise<{ server: S; port: number; connections(): number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    }),
    5_000,
    'server listen',
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected server address');
  return {
    server,
    port: address.port,
    connections: () => connections,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      if (server instanceof http.Server) server.closeAllConnections();
      await settlesWithin(closed, 2_000);
    },
  };
}

// ---------------------------------------------------------------------------
// Raw TCP clients (the bytes matter)

export type Part = string | Buffer | { pauseMs: number };

export interface RawResult {
  /** Every byte received from the server. */
  data: Buffer;
  /** The server ended or closed the connection before we stopped reading. */
  closed: boolean;
  /** Error code seen on the socket, if any (ECONNRESET, EPIPE, ...). */
  error?: string;
  /** Milliseconds from connect to the moment we stopped reading. */
  elapsedMs: number;
  /** Milliseconds from connect to the server closing the connection, if it did. */
  closedAtMs?: number;
}

export interface RawOptions {
  /** Stop reading once this returns true (checked on every received chunk). */
  until?: (data: Buffer) => boolean;
  /** After the last part is sent, keep reading at most this long. Default 1000 ms. */
  readMs?: number;
  /** Hard deadline for the whole exchange. Default 5000 ms. */
  deadlineMs?: number;
}

/** Connects to 127.0.0.1:port, sends the parts (pausing where asked), collects the reply. */
export async function rawExchange(port: number, parts: Part[], options: RawOptions = {}): Promise<RawResult> {
  const readMs = options.readMs ?? 1_000;
  const deadlineMs = options.deadlineMs ?? 5_000;
  const started = Date.now();
  const socket = net.connect({ port, host: HOST, noDelay: true });
  const chunks: Buffer[] = [];
  let closed = false;
  let closedAtMs: number | undefined;
  let error: string | undefined;
  let done = false;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = () => {
      done = true;
      resolve();
    };
  });
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    if (options.until?.(Buffer.concat(chunks))) finish();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    error ??= err.code ?? err.message;
  });
  socket.on('close', () => {
    closed = true;
    closedAtMs = Date.now() - started;
    finish();
  });
  const hardDeadline = setTimeout(finish, deadlineMs);
  try {
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      deadlineMs,
      'raw connect',
    );
    for (const part of parts) {
      if (done) break;
      if (typeof part === 'object' && !Buffer.isBuffer(part)) {
        await Promise.race([sleep(part.pauseMs), finished]);
      } else {
        await Promise.race([new Promise<void>((resolve) => socket.write(part, () => resolve())), finished]);
      }
    }
    if (!done) await Promise.race([sleep(readMs), finished]);
    return { data: Buffer.concat(chunks), closed, error, elapsedMs: Date.now() - started, closedAtMs };
  } finally {
    clearTimeout(hardDeadline);
    socket.destroy();
  }
}

/** True once `data` holds a complete response head ("HTTP/1.1 ... \r\n\r\n"). */
export function hasHead(data: Buffer): boolean {
  return data.includes('\r\n\r\n');
}

export function statusOf(data: Buffer): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(data.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

// ---------------------------------------------------------------------------
// Temp dirs and child processes

export async function makeTempDir(prefix = 'httpdojo-facts-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** true when the deadline passed and we killed the child. */
  timedOut: boolean;
}

export interface ChildOptions {
  /** Extra files to write next to the script (relative path → content). */
  files?: Record<string, string>;
  /** Script file name, default child.mjs. */
  filename?: string;
  nodeArgs?: string[];
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface ChildHandle {
  proc: ChildProcess;
  dir: string;
  stdout(): string;
  stderr(): string;
  alive(): boolean;
  /** Resolves with the first match of `pattern` in stdout; rejects on exit or after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Resolves when the child exits, or after `ms` with timedOut=true (the child is killed). */
  exit(ms: number): Promise<ChildResult>;
  /** Kills the child (if alive), waits for it, removes its temp dir. Idempotent. */
  dispose(): Promise<ChildResult>;
}

/** Writes `source` to a fresh temp dir and runs it with the current node binary. */
export async function startChild(source: string, options: ChildOptions = {}): Promise<ChildHandle> {
  const dir = await makeTempDir();
  const filename = options.filename ?? 'child.mjs';
  try {
    for (const [name, content] of Object.entries(options.files ?? {})) {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    await writeFile(path.join(dir, filename), source);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), filename, ...(options.args ?? [])], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  let code: number | null = null;
  let signal: NodeJS.Signals | null = null;
  let killedByUs = false;
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (s: string) => {
    if (stdout.length < 1_000_000) stdout += s;
  });
  proc.stderr?.on('data', (s: string) => {
    if (stderr.length < 1_000_000) stderr += s;
  });
  const exitPromise = new Promise<void>((resolve) => {
    proc.on('close', (c, s) => {
      exited = true;
      code = c;
      signal = s;
      resolve();
    });
    proc.on('error', () => {
      exited = true;
      resolve();
    });
  });
  const result = (): ChildResult => ({ code, signal, stdout, stderr, timedOut: killedByUs });
  const kill = async (): Promise<void> => {
    if (!exited) {
      killedByUs = true;
      proc.kill('SIGKILL');
      await settlesWithin(exitPromise, 5_000);
    }
  };
  let disposed = false;
  return {
    proc,
    dir,
    stdout: () => stdout,
    stderr: () => stderr,
    alive: () => !exited,
    waitFor: async (pattern, ms) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (exited) break;
        await Promise.race([sleep(10), exitPromise]);
      }
      const match = pattern.exec(stdout);
      if (match) return match;
      throw new Error(
        `child output never matched ${pattern} (${exited ? `exited code=${code} signal=${signal}` : `after ${ms} ms`})\n` +
          `stdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`,
      );
    },
    exit: async (ms) => {
      if (!(await settlesWithin(exitPromise, ms))) await kill();
      return result();
    },
    dispose: async () => {
      await kill();
      if (!disposed) {
        disposed = true;
        await removeDir(dir);
      }
      return result();
    },
  };
}

/** Runs a script to completion (killed after deadlineMs) and removes its temp dir. */
export async function runChild(
  source: string,
  options: ChildOptions & { deadlineMs: number },
): Promise<ChildResult> {
  const child = await startChild(source, options);
  try {
    return await child.exit(options.deadlineMs);
  } finally {
    await child.dispose();
  }
}

/**
 * Starts a child whose script prints `PORT <n>` once it listens, and waits for it.
 * The caller must `dispose()` the returned handle in a finally block.
 */
export async function startChildServer(
  source: string,
  options: ChildOptions = {},
): Promise<{ child: ChildHandle; port: number }> {
  const child = await startChild(source, options);
  try {
    const match = await child.waitFor(/PORT (\d+)/, 15_000);
    return { child, port: Number(match[1]) };
  } catch (err) {
    await child.dispose();
    throw err;
  }
}

/** Script prologue for child servers: `listen(server)` prints `PORT <n>`. */
export const CHILD_PRELUDE = `
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
const listen = (server) => server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
// Every child dies on its own after 60 s, whatever the test does.
setTimeout(() => process.exit(99), 60_000).unref();
`;

/** http.get with a deadline; resolves with status and body, consumes everything. */
export async function httpGet(
  url: string,
  options: http.RequestOptions = {},
  deadlineMs = 8_000,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const signal = AbortSignal.timeout(deadlineMs);
  return new Promise((resolve, reject) => {
    const req = http.get(url, { ...options, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
