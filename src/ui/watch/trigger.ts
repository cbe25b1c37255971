// When the watch screen checks again: a save of the learner's file or of one of
// their own modules beside it (not the reference solution, temp or swap files),
// after a quiet period, since an editor's save is often several file events
// (write, rename, chmod: see the caveats of fs.watch,
// https://nodejs.org/docs/latest-v20.x/api/fs.html#caveats).

import { watch as watchFolder, existsSync, type FSWatcher } from 'node:fs';
import { basename, dirname, extname } from 'node:path';

const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.json'];
/** After the folder is removed or replaced, watch it again this much later. */
const REWATCH_MS = 500;

/** Whether a file event for `name` in the folder of `file` counts as a save. */
export function countsAsSave(name: string, file: string): boolean {
  if (name === basename(file)) return true;
  if (/^solution\./.test(name) || name.startsWith('.') || /(~|\.tmp|\.swp|\.swx)$/.test(name)) return false;
  return MODULE_EXTENSIONS.includes(extname(name));
}

export class FileTrigger {
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | undefined;
  private file: string | null = null;
  private closed = false;

  /**
   * `onSave` runs `debounceMs` after the last event that counts; `onUnwatchable`
   * when the folder cannot be watched at all (the learner then presses r).
   */
  constructor(
    private readonly onSave: () => void,
    private readonly onUnwatchable: (folder: string) => void,
    private readonly debounceMs = 100,
  ) {}

  /** Watches the folder of `file` (instead of the folder watched before). */
  watch(file: string): void {
    this.file = file;
    this.watcher?.close();
    this.watcher = null;
    if (this.closed) return;
    const folder = dirname(file);
    try {
      this.watcher = watchFolder(folder, (_event, name) => {
        if (name && !countsAsSave(String(name), file)) return;
        this.schedule();
      });
      this.watcher.on('error', () => {
        // The folder was removed or replaced: watch it again shortly.
        this.watcher?.close();
        this.watcher = null;
        setTimeout(() => {
          if (!this.closed && this.file && existsSync(dirname(this.file))) this.watch(this.file);
        }, REWATCH_MS).unref();
      });
    } catch {
      this.onUnwatchable(folder);
    }
  }

  /** Forgets a save not acted on yet. */
  cancel(): void {
    clearTimeout(this.debounce);
  }

  close(): void {
    this.closed = true;
    this.cancel();
    this.watcher?.close();
    this.watcher = null;
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.onSave(), this.debounceMs);
  }
}
