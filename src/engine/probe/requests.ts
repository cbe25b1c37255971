// Server requests: each 'request' gets an id, its handler runs inside that id
// (AsyncLocalStorage), and its life (end, close, finish) and the body bytes
// received so far are recorded.

import http from 'node:http';
import { byteLengthOf, type Probe } from './context.js';
import { stateOf } from './response-calls.js';
import { callSite } from './stack.js';

export function recordRequests(probe: Probe): void {
  const { emit, currentRequest, requestIds, serverIds } = probe;
  let nextRequestId = 1;
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
      watchRequest(probe, id, req, res);
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
  countBodyBytes(probe);
}

function watchRequest(probe: Probe, id: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  const { emit, bodyBytesIn } = probe;
  bodyBytesIn.set(req, 0);
  // Listeners for 'close', 'end' and 'aborted' never change a stream's flow or
  // its error handling; an 'error' listener would, so there is none.
  req.once('end', () => emit({ t: 'req-end', id }));
  req.once('close', () => emit({ t: 'req-close', id, complete: req.complete }));
  res.once('finish', () => emit({ t: 'res-finish', id }));
  res.once('close', () => emit({ t: 'res-close', id, finished: res.writableFinished }));
  watchStatusCode(probe, id, res);
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
function countBodyBytes({ bodyBytesIn }: Probe): void {
  const incomingProto = http.IncomingMessage.prototype as unknown as { push: (...a: unknown[]) => boolean };
  const originalIncomingPush = incomingProto.push;
  incomingProto.push = function patchedIncomingPush(this: http.IncomingMessage, ...args: unknown[]) {
    const count = bodyBytesIn.get(this);
    const chunk = args[0];
    if (count !== undefined && chunk) bodyBytesIn.set(this, count + byteLengthOf(chunk, args[1]));
    return originalIncomingPush.apply(this, args);
  };
}

/**
 * statusCode is a plain property; an accessor with the same value records
 * assignments (a status set after the body started is silently lost). Also used
 * for the HTTP/1.1 requests an HTTP/2 server with allowHTTP1 serves (http2.ts).
 */
export function watchStatusCode({ emit, calls }: Probe, id: number, res: http.ServerResponse): void {
  let statusCode = res.statusCode;
  Object.defineProperty(res, 'statusCode', {
    configurable: true,
    enumerable: true,
    get: () => statusCode,
    set: (value: number) => {
      if (calls.depth === 0) emit({ t: 'call', id, fn: 'statusCode', status: value, state: stateOf(res), ...callSite() });
      statusCode = value;
    },
  });
}
