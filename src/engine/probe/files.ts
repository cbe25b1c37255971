// Files a server reads and streams: readFile (a whole file in memory is
// evidence of a server that buffers files), file read streams and where they
// were made, and readables piped into a response.

import fs from 'node:fs';
import http from 'node:http';
import stream from 'node:stream';
import type { Probe } from './context.js';
import { here, learnerFrame } from './stack.js';

export function recordFiles(probe: Probe): void {
  recordReadFile(probe);
  recordFileStreams(probe);
}

function recordReadFile({ emit, currentRequest }: Probe): void {
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
}

// ---- file streams (lesson 08; additive) -----------------------------------
// An unhandled 'error' of a file stream (ENOENT) crashes with a stack that has
// no learner frame ("Emitted 'error' event on ReadStream instance"), and a file
// stream left open after its client left is a leaked descriptor. Only the place
// the stream was made, or piped, names the learner's line, so both are recorded.
// The 'close' listener never changes a stream's flow or its error handling.
function recordFileStreams({ emit, currentRequest, requestIds }: Probe): void {
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
  // https://nodejs.org/docs/latest-v20.x/api/stream.html#readablepipedestination-options
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
}
