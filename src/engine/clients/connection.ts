// One TCP connection to 127.0.0.1, driven byte by byte: exact request bytes,
// writes split with pauses (a multi-byte character cut in half), a body sent
// while the response is read (the 413 case), an abort mid-request. Everything
// crosses the check's transcript.

import net from 'node:net';
import { ParsedResponseQueue, ResponseParseError, type ParsedResponse, type SummaryOptions } from './response-parser.js';
import type { Transcript } from './transcript.js';

/** A piece of a request: bytes, a pause, or a generated run of bytes. */
export type BodyPart = string | Buffer | { pauseMs: number } | { size: number; fill?: string };

export type NoResponseReason = 'timeout' | 'closed' | 'reset' | 'refused' | 'malformed' | 'aborted';

/** The server did not produce a complete response; says what happened instead. */
export class NoResponseError extends Error {
  constructor(
    readonly reason: NoResponseReason,
    readonly waitedMs: number,
    readonly partial: ParsedResponse | null,
    readonly receivedBytes: number,
    detail?: string,
  ) {
    super(detail ?? describeNoResponse(reason, waitedMs, partial));
  }
}

function describeNoResponse(reason: NoResponseReason, waitedMs: number, partial: ParsedResponse | null): string {
  const got = partial ? `the status line and headers (${partial.status}) and ${partial.body.length} body bytes, then` : 'nothing, and';
  switch (reason) {
    case 'timeout':
      return `we received ${got} no end of the response for ${(waitedMs / 1000).toFixed(1)} s`;
    case 'closed':
      return `we received ${got} the server closed the connection before the response was complete`;
    case 'reset':
      return `we received ${got} the connection was reset (ECONNRESET) before the response was complete`;
    case 'refused':
      return 'the connection was refused: nothing is listening';
    case 'malformed':
      return 'the bytes that came back are not a valid HTTP response';
    case 'aborted':
      return 'the check ran out of time';
  }
}

export function partBytes(part: Exclude<BodyPart, { pauseMs: number }>): Buffer {
  if (typeof part === 'string') return Buffer.from(part, 'utf8');
  if (Buffer.isBuffer(part)) return part;
  const fill = Buffer.from(part.fill ?? 'x', 'utf8');
  return Buffer.alloc(part.size, fill);
}

export function totalBytes(parts: BodyPart[]): number {
  let total = 0;
  for (const part of parts) if (!(typeof part === 'object' && 'pauseMs' in part)) total += typeof part === 'string' ? Buffer.byteLength(part) : Buffer.isBuffer(part) ? part.length : part.size;
  return total;
}

const WRITE_SLICE = 64 * 1024;

export class Connection {
  readonly id: number;
  /** Our end's port: the learner's server sees it as the request's remote port. */
  readonly localPort: number;
  closed = false;
  reset = false;
  closedAtMs: number | null = null;
  sentBytes = 0;
  receivedBytes = 0;
  /** performance.now() of the last bytes received. */
  lastReceivedAt = 0;
  /** Methods of the requests sent, so the parser knows which response is to a HEAD. */
  readonly methods: string[] = [];
  private readonly parser: ParsedResponseQueue;
  private readonly waiters = new Set<() => void>();
  private parseError: Error | null = null;

  private constructor(readonly socket: net.Socket, private readonly transcript: Transcript, signal?: AbortSignal) {
    this.id = transcript.newConnection();
    this.localPort = socket.localPort ?? 0;
    transcript.localPorts.add(this.localPort);
    this.parser = new ParsedResponseQueue(this.methods);
    transcript.record(this.id, 'connected', { note: `127.0.0.1:${socket.remotePort}` });
    socket.on('data', (data: Buffer) => {
      this.receivedBytes += data.length;
      this.lastReceivedAt = performance.now();
      transcript.record(this.id, 'received', { data });
      try {
        this.parser.push(data, transcript.now());
      } catch (error) {
        this.parseError = error instanceof ResponseParseError ? error : new ResponseParseError(String(error));
      }
      this.notify();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') this.reset = true;
    });
    socket.on('close', () => {
      this.closed = true;
      this.closedAtMs = transcript.now();
      transcript.record(this.id, this.reset ? 'reset' : 'closed');
      try {
        this.parser.end(transcript.now());
      } catch {
        // A body framed by the close is complete by definition.
      }
      this.notify();
    });
    const onAbort = () => socket.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal?.removeEventListener('abort', onAbort));
  }

  static open(port: number, transcript: Transcript, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NoResponseError('timeout', options.timeoutMs ?? 2000, null, 0, `could not connect to 127.0.0.1:${port} within ${options.timeoutMs ?? 2000} ms`));
      }, options.timeoutMs ?? 2000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new Connection(socket, transcript, options.signal));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new NoResponseError(error.code === 'ECONNREFUSED' ? 'refused' : 'reset', 0, null, 0, `could not connect to 127.0.0.1:${port}: ${error.code ?? error.message}`));
      });
    });
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on the next received data, close or parse error, or after `ms`. */
  private waitForActivity(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Writes bytes, waiting for the socket to drain; false if the connection is gone. */
  async write(data: Buffer | string): Promise<boolean> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let offset = 0; offset < bytes.length; offset += WRITE_SLICE) {
      if (this.closed || this.socket.destroyed || this.socket.writableEnded) return false;
      const slice = bytes.subarray(offset, offset + WRITE_SLICE);
      this.transcript.record(this.id, 'sent', { data: slice });
      this.sentBytes += slice.length;
      if (!this.socket.write(slice)) {
        const drained = await new Promise<boolean>((resolve) => {
          const finish = (value: boolean) => {
            clearTimeout(timer);
            this.socket.off('drain', onDrain);
            this.socket.off('close', onClose);
            resolve(value);
          };
          const onDrain = () => finish(true);
          const onClose = () => finish(false);
          // A server that stops reading leaves us waiting; 2 s without progress ends the attempt.
          const timer = setTimeout(() => finish(false), 2000);
          this.socket.once('drain', onDrain);
          this.socket.once('close', onClose);
        });
        if (!drained) return false;
      }
    }
    return true;
  }

  /**
   * Sends parts in order, pausing where asked. Stops early (returning false) when
   * the connection closes or `stop()` says so — e.g. once a response has arrived.
   */
  async send(parts: BodyPart[], stop: () => boolean = () => false, signal?: AbortSignal): Promise<boolean> {
    for (const part of parts) {
      if (stop() || signal?.aborted) return false;
      if (typeof part === 'object' && 'pauseMs' in part) {
        this.transcript.record(this.id, 'pause', { pauseMs: part.pauseMs });
        await new Promise((resolve) => setTimeout(resolve, part.pauseMs));
        continue;
      }
      const bytes = partBytes(part);
      // Generated runs go in slices so that `stop` is honoured mid-body.
      for (let offset = 0; offset < bytes.length; offset += WRITE_SLICE) {
        if (stop() || signal?.aborted) return false;
        if (!(await this.write(bytes.subarray(offset, offset + WRITE_SLICE)))) return false;
      }
    }
    return true;
  }

  /** The next complete response on this connection. Throws NoResponseError otherwise. */
  async readResponse(options: { timeoutMs: number; signal?: AbortSignal }): Promise<ParsedResponse> {
    const started = performance.now();
    const bytesBefore = this.receivedBytes;
    for (;;) {
      const ready = this.parser.take();
      if (ready) return ready;
      const waited = Math.round(performance.now() - started);
      if (this.parseError) throw new NoResponseError('malformed', waited, this.parser.partial, this.receivedBytes, `the bytes that came back are not valid HTTP: ${this.parseError.message}`);
      if (this.closed) throw new NoResponseError(this.reset ? 'reset' : 'closed', waited, this.parser.partial, this.receivedBytes);
      if (options.signal?.aborted) throw new NoResponseError('aborted', waited, this.parser.partial, this.receivedBytes);
      const left = options.timeoutMs - waited;
      if (left <= 0) throw new NoResponseError('timeout', waited, this.parser.partial, this.receivedBytes, this.stillArriving(started, bytesBefore, waited));
      await this.waitForActivity(left, options.signal);
    }
  }

  /**
   * A response still streaming when its time ran out: bytes kept coming, the end
   * never did. Arriving bytes never extend the deadline (CURRICULUM.md: complete
   * 2 s after the request was sent); the message says what came and for how long.
   */
  private stillArriving(started: number, bytesBefore: number, waitedMs: number): string | undefined {
    const bytes = this.receivedBytes - bytesBefore;
    const quietMs = performance.now() - this.lastReceivedAt;
    const partial = this.parser.partial;
    if (bytes === 0 || quietMs > 500 || this.lastReceivedAt < started) return undefined;
    const head = partial ? `the status line and headers (${partial.status}) and ${partial.body.length} body bytes` : `${bytes} bytes`;
    return `we received ${head} in ${(waitedMs / 1000).toFixed(1)} s, still arriving ${Math.round(quietMs)} ms before we stopped waiting, and never the end of the response`;
  }

  /** The response head and body received so far, complete or not. */
  get partialResponse(): ParsedResponse | null {
    return this.parser.peek() ?? this.parser.partial;
  }

  /** Bytes received after the last complete response that start no valid response. */
  get leftover(): Buffer {
    return this.parser.leftover;
  }

  /** Waits until the server closes the connection; false if it is still open after `timeoutMs`. */
  async waitForClose(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const started = performance.now();
    while (!this.closed) {
      const left = timeoutMs - (performance.now() - started);
      if (left <= 0 || signal?.aborted) return false;
      await this.waitForActivity(left, signal);
    }
    return true;
  }

  /**
   * From the next response on, keep only a summary of each body (its size,
   * first and last bytes, a hash if asked): `response.summary`, with `body`
   * empty. For a check that downloads a large file to judge its size and ends.
   */
  summarizeBodies(options: SummaryOptions | null): void {
    this.parser.summarize(options);
  }

  /** Half-close: we are done sending. */
  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Abort: the connection is gone at once, as when a browser tab closes. */
  destroy(): void {
    if (!this.socket.destroyed) {
      this.transcript.record(this.id, 'note', { note: 'we closed the connection' });
      this.socket.destroy();
    }
  }
}
