// Timers in the learner's source that keep a process alive: a setTimeout or
// setInterval not followed by .unref() holds the event loop open
// (https://nodejs.org/docs/latest-v20.x/api/timers.html#timeoutunref). Source
// look-ups only, for a location: the probe says whether a timer holds the process.

import type { SourceView } from '../check-api.js';
import type { Location } from '../probe-events.js';

/**
 * Of the setTimeout/setInterval calls in the code (never in a comment or string),
 * the one most likely to hold the process: not followed by .unref(), preferably
 * after `after` in the file (inside a SIGTERM handler that starts it), else a
 * setInterval, else the last one. Null when every timer is unref()'d.
 */
export function heldTimer(source: Pick<SourceView, 'text' | 'findAll' | 'line'>, after: Location | null): Location | null {
  const text = source.text;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const held = source.findAll(/\bset(Timeout|Interval)\s*\(/).filter((location) => {
    const close = matchingParen(text, text.indexOf('(', lineStarts[location.line - 1] + location.column - 1));
    return close < 0 || !/^\s*\)?\s*\.unref\s*\(/.test(text.slice(close + 1, close + 40));
  });
  const later = after ? held.filter((location) => location.line > after.line) : [];
  return later[0] ?? held.find((location) => /setInterval/.test(source.line(location.line))) ?? held[held.length - 1] ?? null;
}

/** The index of the parenthesis closing the one at `open` (strings skipped), or -1. */
export function matchingParen(text: string, open: number): number {
  if (open < 0) return -1;
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
