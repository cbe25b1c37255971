// buildTimeline (src/engine/timeline.ts): three clocks merged onto the check's.

import { describe, expect, it } from 'vitest';
import type { Upstream, UpstreamRequest } from '../../src/engine/check-api.ts';
import type { WireEntry } from '../../src/engine/clients/transcript.ts';
import type { ProbeEvent } from '../../src/engine/probe-events.ts';
import { buildTimeline } from '../../src/engine/timeline.ts';

const wire: WireEntry[] = [
  { connection: 1, direction: 'connected', atMs: 0 },
  { connection: 1, direction: 'sent', atMs: 1, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
  { connection: 1, direction: 'received', atMs: 20, data: Buffer.from('HTTP/1.1 200 OK\r\n\r\nhi') },
  { connection: 0, direction: 'note', atMs: 21, note: 'we closed the connection' },
];

describe('buildTimeline', () => {
  it('puts probe events at ms + the smallest pipe delay seen, on the check clock, not at their arrival', () => {
    // The program started 400 ms before the check; its events arrive 3 and 9 ms after they happen.
    const events = [
      { t: 'req', id: 1, server: 1, method: 'GET', url: '/', headers: {}, remotePort: null, ms: 400, receivedAt: 403 },
      { t: 'call', id: 1, fn: 'end', nested: false, state: {}, at: null, bytes: 2, preview: 'hi', ms: 418, receivedAt: 427 },
    ] as unknown as ProbeEvent[];
    const timeline = buildTimeline(wire, [{ side: 'server', events, startMs: -400 }], [], 30);
    expect(timeline.map((event) => `${event.atMs} ${event.side} ${event.note}`)).toEqual([
      '0 client connects',
      '1 client → "GET / HTTP/1.1\\r\\n\\r\\n"',
      '3 server request GET /',
      '20 client ← "HTTP/1.1 200 OK\\r\\n\\r\\n…"',
      '21 client we closed the connection',
      '21 server end "hi"',
    ]);
  });

  it('orders events of one millisecond cause first: the write before the client receives it', () => {
    const events = [{ t: 'call', id: 1, fn: 'write', nested: false, state: {}, at: null, bytes: 2, preview: 'hi', ms: 20, receivedAt: 20 }] as unknown as ProbeEvent[];
    const timeline = buildTimeline(wire, [{ side: 'server', events, startMs: 0 }], [], 30);
    const kinds = timeline.map((event) => `${event.side}:${event.kind}`);
    expect(kinds.indexOf('server:write')).toBeLessThan(kinds.indexOf('client:received'));
  });

  it('leaves out a lesson-wide upstream\'s records of earlier checks and keeps this check\'s writes', () => {
    const record = (headAtMs: number, sent: UpstreamRequest['sent']): UpstreamRequest => ({ method: 'GET', url: '/x', headers: {}, body: Buffer.alloc(0), headAtMs, firstBodyAtMs: null, endAtMs: headAtMs, aborted: false, remotePort: 1, sent });
    const upstream = { received: [record(100, [{ atMs: 1010, bytes: 5, fn: 'end' }]), record(1005, [{ atMs: 1006, bytes: 3, fn: 'write' }, { atMs: 1500, bytes: 4, fn: 'end' }])] } as unknown as Upstream;
    // The upstream started 1000 ms before this check.
    const timeline = buildTimeline([], [], [{ upstream, startMs: -1000 }], 600);
    expect(timeline.map((event) => `${event.atMs} ${event.kind} ${event.bytes ?? ''}`.trim())).toEqual(['5 request', '6 write 3', '500 end 4']);
  });
});
