// The watch screen's check runner: one verify at a time. A new save aborts the
// run in progress and waits for it to stop (its learner process is killed) before
// starting, so two programs never compete for the lesson's port; a file event for
// the very content being checked right now starts nothing.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Lesson } from '../../course/lessons.js';
import type { CheckResult, Verdict } from '../../engine/verdict.js';

export type RunOutcome = { ok: true; verdict: Verdict } | { ok: false; error: unknown };

export interface RunHooks {
  /** The run starts (the previous one has stopped): draw "Checking…". */
  started(): void;
  /** A check finished (only while this run is the current one). */
  onCheck(result: CheckResult, total: number): void;
}

type VerifyModule = typeof import('../../engine/verify.js');

export class CheckRunner {
  private generation = 0;
  private controller: AbortController | null = null;
  private running: Promise<unknown> | null = null;
  private runningHash: string | null = null;
  /** The generation of the run in progress: it is the current one while this equals `generation`. */
  private runningGeneration = -1;
  private verifyModule: Promise<VerifyModule> | null = null;

  constructor(private readonly compiledChecksDir?: string) {}

  /** Loads the engine while the learner reads the task: the first save is then fast. */
  preload(): void {
    this.verifyModule ??= import('../../engine/verify.js');
  }

  /**
   * Checks `file` for `lesson`. Resolves to the verdict or the error, or to null
   * when nothing is to be shown: the same content is being checked already, or a
   * newer run (or stop()) superseded this one.
   */
  async run(lesson: Lesson, file: string, hooks: RunHooks): Promise<RunOutcome | null> {
    const hash = contentHash(file);
    if (this.running && this.runningGeneration === this.generation && hash !== null && hash === this.runningHash) return null;
    const generation = ++this.generation;
    this.controller?.abort();
    if (this.running) await this.running.catch(() => {});
    if (generation !== this.generation) return null;

    const controller = new AbortController();
    this.controller = controller;
    this.runningHash = hash;
    this.runningGeneration = generation;
    hooks.started();
    const task = (async () => {
      const { verify } = await (this.verifyModule ??= import('../../engine/verify.js'));
      return verify(lesson, file, {
        signal: controller.signal,
        compiledChecksDir: this.compiledChecksDir,
        onCheck: (result, _index, total) => {
          if (generation === this.generation) hooks.onCheck(result, total);
        },
      });
    })();
    this.running = task;
    let outcome: RunOutcome;
    try {
      outcome = { ok: true, verdict: await task };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      if (this.running === task) {
        this.running = null;
        this.runningHash = null;
      }
    }
    return generation !== this.generation || controller.signal.aborted ? null : outcome;
  }

  /** Aborts the run in progress; its result will not be shown. */
  stop(): void {
    this.generation++;
    this.controller?.abort();
  }

  /** Waits (at most `ms`) for the run in progress to finish stopping. */
  async settle(ms: number): Promise<void> {
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}

function contentHash(file: string): string | null {
  try {
    return createHash('sha1').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}
