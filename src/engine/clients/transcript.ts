// Every byte a check sends and receives, in order, with times: the "wire" view
// of a failed check (`httpdojo verify --wire`, the `w` key in watch mode).

export type WireDirection = 'sent' | 'received' | 'pause' | 'connected' | 'closed' | 'reset' | 'note';

export interface WireEntry {
  /** Which connection of the check (1, 2, …); 0 for notes about the check itself. */
  connection: number;
  direction: WireDirection;
  /** Milliseconds since the check started. */
  atMs: number;
  data?: Buffer;
  /** For pauses: how long; for notes: the text. */
  pauseMs?: number;
  note?: string;
  /**
   * On a note for elided sent bytes: those bytes, in order (references, not
   * copies), so `httpdojo replay` can send exactly what the check sent. Absent
   * past REPLAY_KEEP_BYTES per transcript; never in the JSON wire.
   */
  elided?: Buffer[];
}

/** Bytes kept per direction per connection; a 128 MiB download is summarised, not stored. */
const KEEP_BYTES = 16 * 1024;
/** Sent bytes kept beyond KEEP_BYTES for replay (lesson 05 uploads 8 MiB); past this a replay is not exact. */
const REPLAY_KEEP_BYTES = 32 * 1024 * 1024;

export class Transcript {
  readonly entries: WireEntry[] = [];
  private readonly started = performance.now();
  private nextConnection = 1;
  private kept = new Map<string, number>();
  private elided = new Map<string, { entry: WireEntry; bytes: number }>();
  private replayKept = 0;
  /** Some sent bytes were dropped past REPLAY_KEEP_BYTES: a replay cannot be exact. */
  replayIncomplete = false;
  /** Our ends' ports: the server's probe reports each as a request's remotePort (tells apart checks sharing a server). */
  readonly localPorts = new Set<number>();

  now(): number {
    return Math.round(performance.now() - this.started);
  }

  newConnection(): number {
    return this.nextConnection++;
  }

  record(connection: number, direction: WireDirection, extra: Partial<WireEntry> = {}): void {
    if (extra.data) {
      const key = `${connection}:${direction}`;
      const kept = this.kept.get(key) ?? 0;
      if (kept >= KEEP_BYTES) {
        // Count what is not kept in one note per run of elided bytes.
        const last = this.elided.get(key);
        if (last && this.entries[this.entries.length - 1] === last.entry) {
          last.bytes += extra.data.length;
          last.entry.note = `… ${last.bytes} more bytes ${direction}`;
          this.keepForReplay(last.entry, direction, extra.data);
        } else {
          const entry: WireEntry = { connection, direction: 'note', atMs: this.now(), note: `… ${extra.data.length} more bytes ${direction}` };
          this.entries.push(entry);
          this.elided.set(key, { entry, bytes: extra.data.length });
          this.keepForReplay(entry, direction, extra.data);
        }
        return;
      }
      const room = KEEP_BYTES - kept;
      const data = extra.data.length > room ? extra.data.subarray(0, room) : extra.data;
      this.kept.set(key, kept + data.length);
      this.entries.push({ connection, direction, atMs: this.now(), ...extra, data: Buffer.from(data) });
      if (extra.data.length > room) this.record(connection, direction, { data: extra.data.subarray(room) });
      return;
    }
    this.entries.push({ connection, direction, atMs: this.now(), ...extra });
  }

  private keepForReplay(entry: WireEntry, direction: WireDirection, data: Buffer): void {
    if (direction !== 'sent') return;
    if (this.replayKept + data.length > REPLAY_KEEP_BYTES) {
      this.replayIncomplete = true;
      delete entry.elided;
      return;
    }
    if (this.replayIncomplete) return;
    this.replayKept += data.length;
    (entry.elided ??= []).push(data);
  }

  note(text: string): void {
    this.record(0, 'note', { note: text });
  }
}
