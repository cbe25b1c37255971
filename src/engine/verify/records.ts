// The probe's per-request events (probe-events.ts) folded into one record per
// request: what a check asks of `ctx.server.requests()` and what the run's hang
// bookkeeping (hangs.ts) reads.

import type { ResponseRecord } from '../check-api.js';
import type { ProbeEvent } from '../probe-events.js';

/** The probe's per-request events folded into one record per request. */
export function buildRecords(events: ProbeEvent[]): ResponseRecord[] {
  const records = new Map<number, ResponseRecord>();
  for (const event of events) {
    if (event.t === 'req') {
      records.set(event.id, {
        id: event.id, method: event.method, url: event.url, remotePort: event.remotePort, calls: [], ended: false, finished: false, closed: false,
        bodyRead: false, requestClosed: false, requestComplete: null, errors: [], lastCallAt: null,
      });
      continue;
    }
    const id = 'id' in event ? event.id : null;
    const record = typeof id === 'number' ? records.get(id) : undefined;
    if (!record) continue;
    switch (event.t) {
      case 'call':
        record.calls.push(event);
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
    }
  }
  return [...records.values()];
}
