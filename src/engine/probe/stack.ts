// The learner's line: the frames of a stack that are neither Node's, nor a
// package's, nor the probe's own.

import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Location } from './context.js';

/**
 * The probe's folders, each ending in a separator. With source maps on (tsx
 * turns them on), the probe's frames may be reported under its source files
 * rather than these; both are "not the learner".
 */
export const PROBE_DIRS = [...new Set([dirname(fileURLToPath(import.meta.url)), ownDirInStacks()])]
  .filter(Boolean)
  .map((dir) => (dir.endsWith(sep) ? dir : dir + sep));

function ownDirInStacks(): string {
  const frame = (new Error().stack ?? '').split('\n')[1] ?? '';
  const match = /\(?((?:file:\/\/)?[^\s()]+?):\d+:\d+\)?\s*$/.exec(frame.trim());
  if (!match) return '';
  try {
    return dirname(match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1]);
  } catch {
    return dirname(match[1]);
  }
}

function isProbeFile(file: string): boolean {
  return PROBE_DIRS.some((dir) => file.startsWith(dir));
}

/** Drops the probe's frames from an error's stack: the program gets the error as Node made it. */
export function withoutProbeFrames(error: unknown): void {
  if (error instanceof Error && typeof error.stack === 'string') {
    error.stack = error.stack.split('\n').filter((line) => !PROBE_DIRS.some((dir) => line.includes(dir))).join('\n');
  }
}

/** The learner's frame nearest the top of a stack: not Node's, not a package's, not ours. */
export function learnerFrame(stack: string | undefined): Location | null {
  return learnerFrames(stack, 1)[0] ?? null;
}

/** The learner's frames of a stack, nearest the top first, at most `max`. */
function learnerFrames(stack: string | undefined, max: number): Location[] {
  const frames: Location[] = [];
  if (!stack) return frames;
  for (const raw of stack.split('\n')) {
    if (frames.length >= max) break;
    const match = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(raw.trim());
    if (!match || !raw.trim().startsWith('at ')) continue;
    let file = match[1];
    if (file.startsWith('node:') || file.startsWith('internal/')) continue;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (isProbeFile(file) || file.includes('/node_modules/') || file.includes('\\node_modules\\')) continue;
    if (!file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(file)) continue;
    frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

/** The learner's line that called into the probe's wrapper. */
export function here(): Location | null {
  return hereAndCallers(1)[0] ?? null;
}

/** `at` and, when the call came through learner helpers, `via`: the callers' lines, nearest first. */
export function callSite(): { at: Location | null; via?: Location[] } {
  const frames = hereAndCallers(5);
  return frames.length > 1 ? { at: frames[0], via: frames.slice(1) } : { at: frames[0] ?? null };
}

/** The learner's frame of this call and up to `max - 1` learner frames it was called from. */
function hereAndCallers(max: number): Location[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return learnerFrames(stack, max);
}

export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const e = error as NodeJS.ErrnoException;
    return {
      name: e.name,
      message: e.message,
      code: typeof e.code === 'string' ? e.code : undefined,
      stack: typeof e.stack === 'string' ? e.stack.split('\n').slice(0, 12).join('\n') : undefined,
      at: learnerFrame(e.stack),
    };
  }
  return { name: typeof error, message: String(error).slice(0, 500), at: null };
}
