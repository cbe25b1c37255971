// The board's memory and its disk: the room folded from every event (state.ts)
// and the append-only log (log.ts). An event is applied at once (so a duplicate
// arriving in the same burst is recognised) and acknowledged only once its
// batch is on disk; a duplicate of an event not yet on disk waits for the
// original's fsync, so its 200 never promises more than the disk holds.

import { EventLog, replayLog } from './log.js';
import type { AnyEvent, Stored } from './schema.js';
import { apply, createRoom, type Room } from './state.js';

export interface StoreResult {
  accepted: number;
  duplicates: number;
}

export class RoomStore {
  readonly room: Room = createRoom();
  /** Every event applied, in order (the exports). */
  readonly events: Stored[] = [];
  /** Problems found replaying the log (a torn last line...). */
  readonly notices: string[];
  /** Why the board can no longer store events (the log failed), or null. */
  broken: string | null = null;
  private seq = 0;
  /** Ids applied but not yet on disk, with the promise of their batch. */
  private readonly inflight = new Map<string, Promise<void>>();

  private constructor(
    private readonly log: EventLog,
    replayed: Stored[],
    notices: string[],
  ) {
    this.notices = notices;
    for (const event of replayed) {
      if (apply(this.room, event)) this.events.push(event);
      this.seq = Math.max(this.seq, event.seq ?? 0);
    }
  }

  static async open(dir: string): Promise<RoomStore> {
    const replay = replayLog(dir);
    return new RoomStore(await EventLog.open(dir), replay.events, replay.notices);
  }

  /**
   * Applies the events and resolves once every new one is fsynced (throws, and
   * marks the board broken, when the log cannot be written). The events are the
   * caller's own fresh objects (validateBody's): they are stamped in place.
   */
  async store(list: AnyEvent[]): Promise<StoreResult> {
    const t = Date.now();
    const ids: string[] = [];
    // Events stored together land in one batch: usually a single promise to wait on.
    const waits = new Set<Promise<void>>();
    for (const event of list) {
      const stored = Object.assign(event, { t, seq: this.seq + 1 }) as Stored;
      if (!apply(this.room, stored)) {
        const pending = this.inflight.get(event.id);
        if (pending) waits.add(pending);
        continue;
      }
      this.seq += 1;
      this.events.push(stored);
      const written = this.log.append(stored);
      this.inflight.set(stored.id, written);
      ids.push(stored.id);
      waits.add(written);
    }
    try {
      for (const wait of waits) await wait;
    } catch (error) {
      this.broken = `the event log cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      throw error;
    } finally {
      for (const id of ids) this.inflight.delete(id);
    }
    return { accepted: ids.length, duplicates: list.length - ids.length };
  }

  /** A learner's latest raised hands (at most 5), for the acknowledgement and the watch screen. */
  handsOf(learner: string): Array<{ id: string; status: string }> {
    const hands: Array<{ id: string; status: string }> = [];
    for (const hand of this.room.hands.values()) if (hand.learner === learner) hands.push({ id: hand.id, status: hand.status });
    return hands.slice(-5);
  }

  /** Waits for every event so far to reach the disk, then closes the log. */
  close(): Promise<void> {
    return this.log.close();
  }
}
