// The shapes of the events the probe (src/engine/probe/, bundled into dist/engine/probe/probe.js) writes to the channel.
// The probe cannot import this file (it imports nothing of ours), so the two are
// kept in step by hand and by the engine tests.

export interface Location {
  file: string;
  line: number;
  column: number;
}

export interface ResponseState {
  headersSent: boolean;
  ended: boolean;
  finished: boolean;
  destroyed: boolean;
}

interface Base {
  /** Milliseconds since the probe loaded. */
  ms: number;
  /** Milliseconds since the engine started the process (added on arrival). */
  receivedAt: number;
}

export interface ErrorInfo {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  at: Location | null;
}

export type ProbeEvent = Base &
  (
    | { t: 'hello'; pid: number; node: string; argv: string[] }
    | { t: 'listen'; server: number; http: boolean; tls: boolean; port: number; host: string; requested: { port: unknown; host: unknown }; at: Location | null }
    | { t: 'server-close'; server: number; at: Location | null }
    // After a listen, a turn of the loop found nothing left that could run the program's code
    // (only servers and stdio): its start-up is over (probe/settle.ts). `listens` counts the
    // listens so far; `afterMs` is the time since the last one.
    | { t: 'settled'; listens: number; afterMs: number }
    // `protocol` is set by probe/http2.ts (requests reaching an HTTP/2 server: 'h2' for a stream, with its
    // `stream` id; 'http/1.1' for allowHTTP1); absent for http.Server requests (requests.ts), which are HTTP/1.x.
    | { t: 'req'; id: number; server: number | null; method: string; url: string; headers: Record<string, string | string[]>; remotePort: number | null; protocol?: 'h2' | 'http/1.1'; stream?: number | null }
    | { t: 'handler-sync'; id: number; handlerMs: number }
    | { t: 'req-end'; id: number }
    | { t: 'req-close'; id: number; complete: boolean }
    | { t: 'res-finish'; id: number }
    | { t: 'res-close'; id: number; finished: boolean }
    | ResponseCall
    | ({ t: 'call-threw'; id: number; fn: string; api?: 'compat' | 'core' } & ErrorInfo)
    | ({ t: 'res-error'; id: number | null; handled: boolean; api?: 'core' } & ErrorInfo)
    // HTTP/2 (probe/http2.ts): a stream closed with its RST_STREAM code (0: clean; sessionDestroyed: its
    // connection went first); 'aborted': the client reset it before the response ended; 'h2-unknown-protocol':
    // a TLS client without ALPN h2 reached a server without allowHTTP1 (Node answers 403 unless handled);
    // 'tls-client-error': a handshake the secure HTTP/2 server refused (an ALPN mismatch, a plaintext client).
    | { t: 'h2-stream-close'; id: number; rstCode: number | null; sessionDestroyed: boolean }
    | { t: 'h2-aborted'; id: number }
    | { t: 'h2-unknown-protocol'; handled: boolean }
    | ({ t: 'tls-client-error' } & ErrorInfo)
    | ({ t: 'uncaught'; origin: string } & ErrorInfo)
    | { t: 'parse-error'; code?: string; message?: string; handled: boolean }
    | { t: 'exit'; code: number }
    // process.exit() was called (lesson 14: a shutdown that drops requests in flight); `at` is the learner's line.
    | { t: 'exit-call'; code: number | string | null; at: Location | null }
    // A client request was made (from its constructor, so also one that is never
    // ended); `at` is the learner's http.request/http.get line. Its later events
    // (client-req once it is finished and sent, client-call, client-res) share the id.
    | { t: 'client-create'; id: number; method: string; host: string; path: string; inRequest: number | null; at: Location | null }
    | { t: 'client-req'; id: number; method: string; host: string; path: string; agent: { global: boolean; keepAlive: boolean; maxSockets: number } | null; inRequest: number | null; at: Location | null }
    | { t: 'client-socket'; id: number; reused: boolean; localPort: number | null }
    | { t: 'client-close'; id: number; ended: boolean; destroyed: boolean }
    | ({ t: 'client-error'; id: number | null; handled: boolean } & ErrorInfo)
    | { t: 'client-res'; id: number | null; status: number }
    | { t: 'client-res-end'; id: number | null }
    | { t: 'client-call'; id: number; fn: 'write' | 'end' | 'setHeader'; at: Location | null; bytes?: number; name?: string; value?: string }
    | { t: 'fetch'; url: string; at: Location | null }
    // `ms` is the Base timestamp like on every event; the call's duration is `durationMs`.
    | { t: 'sync-call'; fn: string; ms: number; durationMs?: number; inRequest: number | null; at: Location | null; arg?: string }
    | { t: 'read-file'; path: string; inRequest: number | null; at: Location | null }
    // fs.createReadStream (sid numbers the streams) and its 'close'.
    | { t: 'file-stream'; sid: number; path: string; inRequest: number | null; at: Location | null }
    | { t: 'file-stream-close'; sid: number }
    // A readable piped into a response (id): `sid` and `path` when it is a file stream;
    // `viaPipeline` when stream.pipeline() made the call.
    | { t: 'pipe'; id: number | null; sid: number | null; path?: string; viaPipeline: boolean; at: Location | null }
    | { t: 'tick'; lagMs: number; rss: number; resources: Record<string, number> }
    // An error the program may have swallowed (issue 8 §4): JSON.parse threw, or an fs
    // callback was handed an err. `at` is the learner's JSON.parse / fs call line.
    // The main thread's event loop was blocked for blockedMs; a worker paused it once and
    // read the learner's frames (nearest first): `at` is the line that was spinning.
    | { t: 'blocked-at'; blockedMs: number; at: Location; frames: Location[] }
    // stream.pipeline() or stream/promises pipeline() was called at `at` (its errors carry no learner frame).
    | { t: 'stream-pipeline'; inRequest: number | null; at: Location }
    | { t: 'swallowed'; kind: 'json-parse' | 'fs-callback'; fn?: string; code?: string; message: string; inRequest: number | null; at: Location }
  );

export interface ResponseCall {
  t: 'call';
  id: number;
  fn: 'writeHead' | 'setHeader' | 'removeHeader' | 'write' | 'end' | 'flushHeaders' | 'statusCode' | 'close';
  /**
   * HTTP/2 responses only: the API ('compat': Http2ServerResponse; 'core': ServerHttp2Stream). In the core
   * API, respond()/respondWithFile()/respondWithFD() are fn 'writeHead' with `called` naming the method, and
   * stream.close(code) is fn 'close' with its `code`.
   */
  api?: 'compat' | 'core';
  called?: 'respond' | 'respondWithFile' | 'respondWithFD';
  code?: number;
  nested: boolean;
  state: ResponseState;
  at: Location | null;
  /** When the call came through the learner's own helpers: the lines it was called from, nearest first (up to 4). */
  via?: Location[];
  inRequest?: number | null;
  status?: number;
  headers?: Record<string, string> | string[];
  name?: string;
  value?: string | string[];
  bytes?: number;
  totalBytes?: number;
  calls?: number;
  preview?: string;
  /**
   * write/end only: request body bytes the server had received (parsed) when the
   * call was made. Absent when unknown. Added for lessons 04-05 (answered before
   * the body was complete; a 413 only after the whole upload).
   */
  bodyBytesIn?: number;
}

export type EventOf<T extends ProbeEvent['t']> = Extract<ProbeEvent, { t: T }>;
