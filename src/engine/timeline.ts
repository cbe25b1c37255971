// The timeline of a check (issue 12 §2): when each piece left and arrived on
// each side, on one clock (milliseconds since the check started). Three sources
// with three clocks are merged here:
//   - the transcript of httpdojo's own client (already on the check's clock);
//   - the probe's events from the learner's program(s): the probe stamps `ms` on
//     its own clock and the engine stamps `receivedAt` on arrival; the smallest
//     (receivedAt - ms) over a program's events is the best estimate of the offset
//     between the two clocks (the pipe's latency is never negative), so an event
//     is placed at ms + offset, not at its (later) arrival;
//   - the test upstream's records (lessons 10-13), on the upstream's clock.
// The engine only builds data; src/report/timeline.ts draws it.

import type { Upstream } from './check-api.js';
import type { WireEntry } from './clients/transcript.js';
import type { ProbeEvent } from './probe-events.js';

export type TimelineSide = 'client' | 'server' | 'upstream';

export interface TimelineEvent {
  /** Milliseconds since the check started. */
  atMs: number;
  /** client: httpdojo's client, or the learner's client program (lessons 10-12); server: the learner's server or proxy; upstream: httpdojo's test server. */
  side: TimelineSide;
  kind: string;
  bytes?: number;
  /** The connection (transcript) or request id (probe), when known. */
  connection?: number;
  /** Server write/end/writeHead: request body bytes the server had when it answered (probe's bodyBytesIn). */
  bodyBytesIn?: number;
  /** For the client's deliberate pauses: how long. */
  durationMs?: number;
  /** A short description: `← "2\n"`, `write 2 B`, `request GET /stream`. */
  note: string;
}

/** A timeline of a long check is summarised, not stored whole. */
const MAX_EVENTS = 400;
const PREVIEW = 24;

/** A process's events and where its clock starts on the check's clock (ms, may be negative). */
export interface ProgramEvents {
  side: 'client' | 'server';
  events: ProbeEvent[];
  /** The program's start (its `receivedAt` zero) on the check's clock. */
  startMs: number;
}

export interface UpstreamRecords {
  upstream: Upstream;
  /** The upstream's start on the check's clock (ms, negative for one started before the check). */
  startMs: number;
}

export function buildTimeline(wire: WireEntry[], programs: ProgramEvents[], upstreams: UpstreamRecords[], durationMs: number): TimelineEvent[] {
  const events = [...fromWire(wire), ...programs.flatMap(fromProgram), ...upstreams.flatMap(fromUpstream)]
    // Only what happened during the check (a lesson-wide upstream keeps earlier records).
    .filter((event) => event.atMs >= -1 && event.atMs <= durationMs + 50)
    .map((event) => ({ ...event, atMs: Math.max(0, event.atMs) }));
  // Within one millisecond the clocks cannot order events (see above): cause before effect.
  events.sort((a, b) => a.atMs - b.atMs || causalRank(a) - causalRank(b));
  return events.length > MAX_EVENTS ? [...events.slice(0, MAX_EVENTS / 2), ...events.slice(-MAX_EVENTS / 2)] : events;
}

/** Bytes are sent, then seen by the server, passed upstream, answered, written back, received; closes last. */
function causalRank(event: TimelineEvent): number {
  if (event.kind === 'note') return 0;
  if (event.side === 'client' && (event.kind === 'connected' || event.kind === 'sent' || event.kind === 'pause')) return 1;
  if (event.side === 'server' && (event.kind === 'request' || event.kind === 'req-end' || event.kind === 'client-req' || event.kind === 'client-socket' || event.kind.startsWith('client-w') || event.kind === 'client-end')) return 2;
  if (event.side === 'upstream') return event.kind === 'request' || event.kind === 'body' || event.kind === 'req-end' ? 3 : 4;
  if (event.side === 'server' && (event.kind === 'client-res' || event.kind === 'client-res-end')) return 5;
  if (event.side === 'server' && ['writeHead', 'write', 'end', 'flushHeaders'].includes(event.kind)) return 6;
  if (event.side === 'client' && event.kind === 'received') return 7;
  return 8;
}

function shortBytes(bytes: number): string {
  return bytes < 10_000 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function preview(data: Buffer): string {
  return quote(data.subarray(0, PREVIEW * 2).toString('utf8'));
}

/** "2\n" as the learner would write it in JavaScript; long text cut. */
function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > PREVIEW + 2 ? `${quoted.slice(0, PREVIEW)}…"` : quoted;
}

function fromWire(wire: WireEntry[]): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  for (const entry of wire) {
    const base = { atMs: entry.atMs, side: 'client' as const, connection: entry.connection || undefined };
    switch (entry.direction) {
      case 'sent':
      case 'received': {
        const data = entry.data ?? Buffer.alloc(0);
        const arrow = entry.direction === 'sent' ? '→' : '←';
        out.push({ ...base, kind: entry.direction, bytes: data.length, note: `${arrow} ${preview(data)}` });
        break;
      }
      case 'pause':
        out.push({ ...base, kind: 'pause', durationMs: entry.pauseMs, note: `(waits ${entry.pauseMs} ms)` });
        break;
      case 'connected':
        out.push({ ...base, kind: 'connected', note: 'connects' });
        break;
      case 'closed':
        out.push({ ...base, kind: 'closed', note: 'connection closed' });
        break;
      case 'reset':
        out.push({ ...base, kind: 'reset', note: 'connection reset' });
        break;
      case 'note': {
        // Bytes the transcript did not keep are still bytes on the wire.
        const more = /^… (\d+) more bytes (sent|received)/.exec(entry.note ?? '');
        if (more) out.push({ ...base, kind: more[2], bytes: Number(more[1]), note: more[2] === 'sent' ? '→' : '←' });
        // The check's own narration ("SIGTERM sent to your program"), at the moment it was written.
        else if (entry.note) out.push({ ...base, kind: 'note', note: entry.note });
        break;
      }
    }
  }
  return out;
}

/** The probe's clock on the engine's: the smallest pipe delay seen (see the top of the file). */
function clockOffset(events: ProbeEvent[]): number {
  let offset = Infinity;
  for (const event of events) if (typeof event.ms === 'number' && typeof event.receivedAt === 'number') offset = Math.min(offset, event.receivedAt - event.ms);
  return Number.isFinite(offset) ? offset : 0;
}

function fromProgram({ side, events, startMs }: ProgramEvents): TimelineEvent[] {
  const offset = clockOffset(events);
  const out: TimelineEvent[] = [];
  // The last events of the previous check's request can arrive after this check began: not this check's.
  const requests = new Set(events.filter((event) => event.t === 'req').map((event) => (event as { id: number }).id));
  const earlier = (event: ProbeEvent) => ['call', 'req-end', 'req-close', 'res-finish', 'res-close'].includes(event.t) && !requests.has((event as { id: number }).id);
  for (const event of events) {
    if (earlier(event)) continue;
    const described = describeProbeEvent(event);
    if (described) out.push({ atMs: Math.round(startMs + event.ms + offset), side, ...described });
  }
  return out;
}

type Described = Omit<TimelineEvent, 'atMs' | 'side'>;

function describeProbeEvent(event: ProbeEvent): Described | null {
  switch (event.t) {
    case 'req':
      return { kind: 'request', connection: event.id, note: `request ${event.method} ${event.url}` };
    case 'req-end':
      return { kind: 'req-end', connection: event.id, note: 'request body ended' };
    case 'req-close':
      return event.complete ? null : { kind: 'req-close', connection: event.id, note: 'request closed early' };
    case 'call': {
      if (event.nested || !['writeHead', 'write', 'end', 'flushHeaders'].includes(event.fn)) return null;
      const bytes = event.fn === 'write' || event.fn === 'end' ? event.bytes : undefined;
      const status = event.fn === 'writeHead' && event.status ? ` ${event.status}` : '';
      const body = event.bodyBytesIn ? ` (body in: ${shortBytes(event.bodyBytesIn)})` : '';
      const what = event.preview !== undefined && bytes ? ` ${quote(event.preview)}` : '';
      return { kind: event.fn, connection: event.id, ...(bytes !== undefined ? { bytes } : {}), ...(event.bodyBytesIn ? { bodyBytesIn: event.bodyBytesIn } : {}), note: `${event.fn}${status}${body}${what}` };
    }
    case 'res-finish':
      return { kind: 'res-finish', connection: event.id, note: 'response finished' };
    case 'res-close':
      return event.finished ? null : { kind: 'res-close', connection: event.id, note: 'response closed unfinished' };
    case 'server-close':
      return { kind: 'server-close', note: 'server.close()' };
    case 'exit-call':
      return { kind: 'exit-call', note: `process.exit(${event.code ?? ''})` };
    case 'exit':
      return { kind: 'exit', note: `exited (${event.code})` };
    case 'uncaught':
      return { kind: 'uncaught', note: `crash: ${event.code ?? event.name}` };
    case 'client-req':
      return { kind: 'client-req', connection: event.id, note: `sends ${event.method} ${event.path}` };
    case 'client-socket':
      return { kind: 'client-socket', connection: event.id, note: event.reused ? 'reuses a socket' : 'new socket' };
    case 'client-call':
      // req.end() without a body is every GET's; only calls that send bytes are worth a row.
      return event.fn === 'setHeader' || !event.bytes ? null : { kind: `client-${event.fn}`, connection: event.id, ...(event.bytes !== undefined ? { bytes: event.bytes } : {}), note: `req.${event.fn}()` };
    case 'client-res':
      return { kind: 'client-res', connection: event.id ?? undefined, note: `response ${event.status}` };
    case 'client-res-end':
      return { kind: 'client-res-end', connection: event.id ?? undefined, note: 'response body ended' };
    case 'client-error':
      return { kind: 'client-error', connection: event.id ?? undefined, note: `error ${event.code ?? event.name}` };
    default:
      return null;
  }
}

function fromUpstream({ upstream, startMs }: UpstreamRecords): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  upstream.received.forEach((record, index) => {
    const at = (ms: number) => Math.round(startMs + ms);
    // A lesson-wide upstream keeps the records of earlier checks: their late writes are not this check's.
    if (at(record.headAtMs) < -1) return;
    const id = index + 1;
    out.push({ atMs: at(record.headAtMs), side: 'upstream', kind: 'request', connection: id, note: `request ${record.method} ${record.url}` });
    if (record.firstBodyAtMs !== null) out.push({ atMs: at(record.firstBodyAtMs), side: 'upstream', kind: 'body', connection: id, note: 'first body bytes' });
    if (record.endAtMs !== null && record.body.length > 0) out.push({ atMs: at(record.endAtMs), side: 'upstream', kind: 'req-end', connection: id, bytes: record.body.length, note: 'request body ended' });
    for (const piece of record.sent ?? []) out.push({ atMs: at(piece.atMs), side: 'upstream', kind: piece.fn, connection: id, bytes: piece.bytes, note: piece.fn });
  });
  return out;
}
