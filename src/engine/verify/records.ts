// The probe's per-request events (probe-events.ts) folded into one record per
// request: what a check asks of `ctx.server.requests()` and what the run's hang
// bookkeeping (hangs.ts) reads.

import type { ResponseRecord } from '../check-api.js';
import type { ProbeEvent } from '../probe-events.js';

/** What a request record adds for HTTP/2 servers (probe/http2.ts): the protocol, and for a stream its close. */
export interface StreamFacts {
  /** 'h2': an HTTP/2 stream; 'http/1.1': any HTTP/1.x request (http.Server, or an HTTP/2 server's allowHTTP1). */
  protocol: 'h2' | 'http/1.1';
  /** HTTP/2 streams only. */
  h2?: {
    /** The stream id on its session. */
    stream: number | null;
    /** The API of the learner's first call on it: 'compat' (req/res) or 'core' (stream.respond). */
    api: 'compat' | 'core' | null;
    /** The RST_STREAM code it closed with (0: clean), null while open. */
    rstCode: number | null;
    /** The client reset it before the response ended ('aborted'). */
    aborted: boolean;
    /** At its close, its session (connection) was already gone: a dropped client. */
    sessionDestroyed: boolean | null;
  };
}

/** The probe's per-request events folded into one record per request. */
export function buildRecords(events: ProbeEvent[]): ResponseRecord[] {
  const records = new Map<number, ResponseRecord>();
  for (const event of events) {
    if (event.t === 'req') {
      records.set(event.id, {
        id: event.id, method: event.method, url: event.url, remotePort: event.remotePort, calls: [], ended: false, finished: false, closed: false,
        bodyRead: false, requestClosed: false, requestComplete: null, errors: [], lastCallAt: null,
        protocol: event.protocol ?? 'http/1.1',
        ...(event.protocol === 'h2' ? { h2: { stream: event.stream ?? null, api: null, rstCode: null, aborted: false, sessionDestroyed: null } } : {}),
      });
      continue;
    }
    const id = 'id' in event ? event.id : null;
    const record = typeof id === 'number' ? records.get(id) : undefined;
    if (!record) continue;
    switch (event.t) {
      case 'call':
        record.calls.push(event);
        if (record.h2 && event.api && !event.nested) record.h2.api ??= event.api;
        if (event.fn === 'end') record.ended = true;
        if (event.at && !event.nested) record.lastCallAt = event.at;
        break;
      case 'res-finish':
        record.finished = true;
        break;
      case 'res-close':
        record.closed = true;
        break;
      case 'req-end':
        record.bodyRead = true;
        break;
      case 'req-close':
        record.requestClosed = true;
        record.requestComplete = event.complete;
        break;
      case 'res-error':
      case 'call-threw':
        record.errors.push(event);
        break;
      case 'h2-stream-close':
        if (record.h2) Object.assign(record.h2, { rstCode: event.rstCode, sessionDestroyed: event.sessionDestroyed });
        break;
      case 'h2-aborted':
        if (record.h2) record.h2.aborted = true;
        break;
    }
  }
  return [...records.values()];
}
