// A crash's cause when its own error says too little: a TypeError on null or
// undefined that came right after the program swallowed the real error (an
// empty catch around JSON.parse, an fs callback that ignored err), and a
// stream error whose stack names no line of the learner's (an aborted upload
// through pipeline()). The probe records the evidence (src/engine/probe/swallowed.ts, "swallowed
// errors"); this connects it to the crash.

import { catchAround } from './source-ast.js';
import type { Location, ProbeEvent } from './probe-events.js';

/** The lesson pitfall each kind of swallowed error leads to. */
const SWALLOWED_PITFALL: Record<string, string> = { 'json-parse': 'json-parse-crash', 'fs-callback': 'stream-error-crash' };
/** How long before the crash a swallowed error still counts as its cause. */
const SWALLOWED_WINDOW_MS = 2000;

export interface SecondaryCrash {
  pitfall: string;
  location: Location;
  /** One sentence: what was swallowed, where, and how long before the crash. */
  cause: string;
}

/**
 * A TypeError on null or undefined shortly after the program swallowed an error
 * the lesson teaches about: the crash is that pitfall's, and the line to fix is
 * the one that dropped the error (the empty catch, the callback that ignored err).
 */
export function secondaryCrash(input: { file: string; text: string; pitfalls: readonly string[]; events: readonly ProbeEvent[]; error: { name: string; message: string; ms?: number } | null }): SecondaryCrash | null {
  const { error } = input;
  if (!error || error.name !== 'TypeError' || !/\b(null|undefined)\b/.test(error.message)) return null;
  const crashMs = error.ms ?? Infinity;
  for (let i = input.events.length - 1; i >= 0; i--) {
    const event = input.events[i];
    if (event.t !== 'swallowed') continue;
    if (crashMs !== Infinity && (event.ms > crashMs || crashMs - event.ms > SWALLOWED_WINDOW_MS)) continue;
    const pitfall = SWALLOWED_PITFALL[event.kind];
    if (!pitfall || !input.pitfalls.includes(pitfall) || event.at.file !== input.file) continue;
    const waited = crashMs === Infinity ? '' : ` ${Math.round(crashMs - event.ms)} ms later`;
    if (event.kind === 'json-parse') {
      const dropped = catchAround(input.file, input.text, event.at) ?? event.at;
      return {
        pitfall,
        location: dropped,
        cause: `JSON.parse threw "${event.message}" on line ${event.at.line}${dropped !== event.at ? `, the catch on line ${dropped.line} swallowed it` : ''} and the program went on without the parsed value, so it crashed${waited} on the value that was never set`,
      };
    }
    return {
      pitfall,
      location: event.at,
      cause: `${event.fn ?? 'an fs call'} on line ${event.at.line} handed its callback an error (${event.code ?? event.message}) that the callback did not check, so it crashed${waited} on the result that never came`,
    };
  }
  return null;
}

/** Errors a stream hands to pipeline() from Node's internals: their stacks name no learner line. */
const STREAM_ERROR_CODES = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'EPIPE', 'ENOENT', 'EISDIR', 'EACCES', 'ERR_STREAM_DESTROYED']);

/**
 * A crash whose error names no line of the learner's: the pipeline() call it came
 * through, when the program made one (an aborted upload, a missing file).
 */
export function crashWithoutLocation(file: string, events: readonly ProbeEvent[], error: { code?: string; at: Location | null } | null): Location | null {
  if (!error || error.at || !STREAM_ERROR_CODES.has(error.code ?? '')) return error?.at ?? null;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.t === 'stream-pipeline' && event.at.file === file) return event.at;
  }
  return null;
}
