// The board's store: an append-only NDJSON file, one stored event per line.
// append() resolves only once the line is on disk: every event appended while a
// synced write is in flight waits for the next batch, which costs one synced
// write for all of them (group commit). So an event the learner saw
// acknowledged survives `kill -9` and a power cut on a file system that honours
// fsync. Replay on open; a torn last line (a crash mid-write) is cut off, kept
// beside the log and reported, never fatal.

import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stored } from './schema.js';

export const LOG_FILE = 'events.ndjson';

export interface Replay {
  events: Stored[];
  /** What was wrong with the file, one sentence each (a torn last line, a bad line). */
  notices: string[];
}

/** Reads the log. Never throws for damaged content; only for an unreadable file. */
export function replayLog(dir: string): Replay {
  const file = join(dir, LOG_FILE);
  if (!existsSync(file)) return { events: [], notices: [] };
  const bytes = readFileSync(file);
  const notices: string[] = [];
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end < bytes.length) {
    // A crash between write() and its end: the last line has no newline. Keep its
    // bytes for inspection and cut the log back to the last whole line, so the
    // next append starts on a line of its own.
    const kept = `${file}.torn-${Date.now()}`;
    writeFileSync(kept, bytes.subarray(end));
    truncateSync(file, end);
    syncFile(file);
    notices.push(`the last line of ${LOG_FILE} was incomplete (${bytes.length - end} bytes, a crash while writing): skipped, kept in ${kept}`);
  }
  const events: Stored[] = [];
  const lines = bytes.subarray(0, end).toString('utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as Stored;
      if (typeof event?.id === 'string' && typeof event.type === 'string' && typeof event.t === 'number') events.push(event);
      else notices.push(`line ${index + 1} of ${LOG_FILE} is not an event: skipped`);
    } catch {
      notices.push(`line ${index + 1} of ${LOG_FILE} is not JSON: skipped`);
    }
  }
  return { events, notices };
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The lines waiting for the next write+fsync, and the one promise all their appenders wait on. */
interface Batch {
  lines: string[];
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function newBatch(): Batch {
  const batch = { lines: [] } as unknown as Batch;
  batch.done = new Promise<void>((resolve, reject) => {
    batch.resolve = resolve;
    batch.reject = reject;
  });
  // Every appender awaits `done`; this keeps a failed batch nobody waits on from being an unhandled rejection.
  batch.done.catch(() => {});
  return batch;
}

export class EventLog {
  /** Filled while the previous batch is being written; one promise for all of it (not one per event: a burst of 300 posts is one batch). */
  private next: Batch | null = null;
  private writing: Promise<void> | null = null;
  private closed = false;

  /**
   * With O_DSYNC every write() returns only once its bytes are on disk, as after
   * an fdatasync (open(2)): one trip to libuv's thread pool per batch instead of
   * two (write, then datasync), and each trip waits for a busy event loop to come
   * round. Where the platform has no O_DSYNC (Windows), write() then datasync().
   */
  private constructor(
    private readonly handle: FileHandle,
    private readonly synced: boolean,
  ) {}

  static async open(dir: string): Promise<EventLog> {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, LOG_FILE);
    if (constants.O_DSYNC === undefined) return new EventLog(await open(file, 'a'), false);
    return new EventLog(await open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC, 0o666), true);
  }

  /** Resolves once the event is written and fsynced. Events appended together share the promise. */
  append(event: Stored): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the event log is closed'));
    // Taken before drain() starts: drain() takes `next` for itself at once when it is idle.
    const batch = (this.next ??= newBatch());
    batch.lines.push(JSON.stringify(event) + '\n');
    this.writing ??= this.drain();
    return batch.done;
  }

  private async drain(): Promise<void> {
    // Bounded: each round takes what is pending now; rounds end when none is left.
    while (this.next) {
      const batch = this.next;
      this.next = null;
      try {
        const bytes = Buffer.from(batch.lines.join(''), 'utf8');
        // write() may write less than asked (a full disk, a signal): loop until all of it is out.
        for (let offset = 0; offset < bytes.length; ) {
          const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
          if (bytesWritten <= 0) throw new Error('the event log accepted no bytes');
          offset += bytesWritten;
        }
        if (!this.synced) await this.handle.datasync();
        batch.resolve();
      } catch (error) {
        batch.reject(error as Error);
      }
    }
    this.writing = null;
  }

  /** Waits for every append so far to reach the disk, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
    await this.handle.close();
  }
}
