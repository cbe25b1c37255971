// The watch screen's link to a classroom board (issue 11): every verdict goes to
// the board in the background, `a` raises a hand with the current diagnosis, and
// the footer shows what the mentor answered. Nothing here ever waits for the
// network on the learner's behalf: results arrive later and redraw the screen.

import type { Verdict } from '../engine/verdict.js';
import { baseEvent, enqueue, flush, handStatus, lastFailure, readConfig, reportVerdict, type HandStatus } from '../workspace/classroom-outbox.js';

/** While a hand is up, ask the board this often whether the mentor answered. */
const POLL_MS = 4000;

export class ClassroomLink {
  private hand: { id: string; at: number; status: HandStatus['status'] | 'unsent' } | null = null;
  private poll: NodeJS.Timeout | undefined;
  private offline: string | null = null;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly redraw: () => void,
  ) {}

  private joinedCache: { at: number; joined: boolean } | null = null;

  /** Whether the workspace joined a board (re-read at most every 2 s: render() asks often). */
  get joined(): boolean {
    if (!this.joinedCache || Date.now() - this.joinedCache.at > 2000) this.joinedCache = { at: Date.now(), joined: readConfig(this.root) !== null };
    return this.joinedCache.joined;
  }

  afterVerdict(verdict: Verdict, attempts: number, openedAt: string | null): void {
    // After the screen has drawn the result: the outbox write (an fsync) never delays it.
    setImmediate(() => {
      void reportVerdict(this.root, verdict, attempts, openedAt).then((result) => {
        if (!result || this.closed) return;
        this.offline = result.error;
        if (result.hands) this.update(result.hands);
        this.redraw();
      });
    });
  }

  /** Raises a hand for `lesson`; returns the message to show at once. */
  raiseHand(lesson: string): string {
    const config = readConfig(this.root);
    if (!config) return 'Not in a classroom: httpdojo join <url> (the mentor shows it) first.';
    if (this.hand && (this.hand.status === 'open' || this.hand.status === 'unsent')) return 'Your hand is already up.';
    const event = { ...baseEvent(config, 'hand'), lesson, message: '', diagnosis: lastFailure(this.root, lesson) };
    enqueue(this.root, event);
    this.hand = { id: event.id, at: Date.now(), status: 'unsent' };
    void flush(this.root).then((result) => {
      if (this.closed) return;
      this.offline = result.error;
      if (!result.error && this.hand?.id === event.id && this.hand.status === 'unsent') this.hand.status = 'open';
      if (result.hands) this.update(result.hands);
      this.redraw();
    });
    this.startPolling();
    return 'Hand raised: the mentor sees it on the board, with your current failure.';
  }

  private update(hands: HandStatus[]): void {
    const mine = this.hand && hands.find((hand) => hand.id === this.hand!.id);
    if (mine && this.hand) this.hand.status = mine.status;
    if (this.hand?.status === 'done') {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  private startPolling(): void {
    if (this.poll) return;
    this.poll = setInterval(() => {
      // An unsent hand is retried with the outbox; a sent one is asked about.
      const asking = this.hand?.status === 'unsent' ? flush(this.root).then((result) => result.hands) : handStatus(this.root);
      void asking.then((hands) => {
        if (this.closed || !hands) return;
        if (this.hand?.status === 'unsent') this.hand.status = 'open';
        this.update(hands);
        this.redraw();
      });
    }, POLL_MS);
    this.poll.unref();
  }

  /** The footer's line about the classroom, or null when there is nothing to say. */
  statusLine(): string | null {
    if (!this.hand) return this.offline ? `Classroom: ${this.offline}; your results wait in the outbox.` : null;
    const minutes = Math.floor((Date.now() - this.hand.at) / 60_000);
    switch (this.hand.status) {
      case 'unsent':
        return `✋ Hand raised, not delivered yet (${this.offline ?? 'sending'}); retrying.`;
      case 'open':
        return `✋ Your hand is up on the mentor's board (${minutes} min).`;
      case 'on-my-way':
        return '✋ The mentor is on the way.';
      case 'done':
        return '✓ The mentor marked your question done. Press a to ask again.';
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
  }
}
