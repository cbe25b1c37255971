// ctx.source beyond find/findAll: a line's text, the nearest code match near a
// place (a frame the probe reported, a named anchor), and the conditions that
// decide whether a line runs. Every look-up goes through the engine's own
// find/findAll, so comments and strings are skipped in one place (verify/source.ts):
// a commented-out attempt or a message that names the API is never the learner's line.

import type { Anchor, SourceView } from '../check-api.js';
import type { Location } from '../probe-events.js';
import { sourceView } from '../verify/source.js';

/** What the engine's source view provides (verify/source.ts); the toolkit adds the rest. */
export interface SourceMatches {
  text: string;
  find(pattern: RegExp): Location | null;
  findAll(pattern: RegExp): Location[];
}

/** How far conditionsAround looks up for enclosing branches. */
const ENCLOSING_REACH = 60;

/** The full source view of a file's text: the engine's matches plus the toolkit's look-ups (anchors resolved by `lineOf`). */
export function codeSource(file: string, text: string, lineOf: (anchor: Anchor) => Location | null = () => null): SourceView {
  return extendSource(sourceView(file, text), lineOf);
}

export function extendSource(base: SourceMatches, lineOf: (anchor: Anchor) => Location | null): SourceView {
  const lines = base.text.split('\n');
  const line = (n: number) => lines[n - 1] ?? '';
  return {
    text: base.text,
    find: (...patterns) => {
      for (const pattern of patterns) {
        const found = base.find(pattern);
        if (found) return found;
      }
      return null;
    },
    findAll: (pattern) => base.findAll(pattern),
    line,
    near(anchor, pattern, options = {}) {
      const starts = typeof anchor === 'string' ? [lineOf(anchor)] : Array.isArray(anchor) ? anchor : [anchor];
      const matches = base.findAll(pattern);
      const stops = options.stopAt ? base.findAll(options.stopAt) : [];
      for (const start of starts) {
        if (!start) continue;
        const found = nearest(start, matches, stops, options.within ?? 10, options.direction ?? 'up', options.includeAnchor ?? true);
        if (found) return found;
      }
      return null;
    },
    conditionsAround: (location) => conditionsAround(lines, location),
  };
}

/**
 * The match nearest to `start` (same file) within `within` lines in the
 * direction, that no stop line separates from it. A match on the start line
 * itself counts (the frame's own line may hold the pattern).
 */
function nearest(start: Location, matches: Location[], stops: Location[], within: number, direction: 'up' | 'down' | 'both', includeAnchor: boolean): Location | null {
  const sameFile = (at: Location) => at.file === start.file;
  const stopLines = new Set(stops.filter(sameFile).map((at) => at.line).filter((line) => line !== start.line));
  const byLine = new Map<number, Location>();
  for (const match of matches.filter(sameFile)) if (!byLine.has(match.line)) byLine.set(match.line, match);
  const steps = direction === 'both' ? [-1, 1] : direction === 'up' ? [-1] : [1];
  let best: Location | null = includeAnchor ? (byLine.get(start.line) ?? null) : null;
  if (best) return best;
  // Bounded: at most `within` lines each way; the nearer distance wins, up before down.
  for (let distance = 1; distance <= within; distance++) {
    for (const step of steps) {
      const line = start.line + step * distance;
      if (line < 1 || blocked(start.line, line, stopLines)) continue;
      best = byLine.get(line) ?? null;
      if (best) return best;
    }
  }
  return null;
}

/** A stop line lies between `from` (excluded) and `to` (included). */
function blocked(from: number, to: number, stopLines: Set<number>): boolean {
  const [low, high] = from < to ? [from + 1, to] : [to, from - 1];
  for (const line of stopLines) if (line >= low && line <= high) return true;
  return false;
}

/**
 * The conditions that decide whether `location`'s line runs, innermost first: an
 * `if` or ternary on the line itself, then each enclosing block opener (a less
 * indented line above) that holds an if, else, case or switch, up to the function.
 * Indentation stands in for a parse: a learner's file may not even parse.
 */
export function conditionsAround(lines: string[], location: Location): Array<Location & { text: string }> {
  const found: Array<Location & { text: string }> = [];
  const branch = /\bif\s*\(|\belse\b|\bcase\b|\bswitch\b|\s\?\s/;
  const indentOf = (text: string) => /^\s*/.exec(text)![0].length;
  const at = (line: number, text: string, match: RegExpExecArray) => ({ file: location.file, line, column: match.index + 1 + (match[0].startsWith(' ') ? 1 : 0), text });
  const own = lines[location.line - 1] ?? '';
  const inline = branch.exec(own);
  if (inline) found.push(at(location.line, own, inline));
  let indent = indentOf(own);
  for (let line = location.line - 1; line >= Math.max(1, location.line - ENCLOSING_REACH) && indent > 0; line--) {
    const text = lines[line - 1] ?? '';
    if (text.trim() === '' || /^\s*(\/\/|\*|\/\*)/.test(text)) continue;
    if (indentOf(text) >= indent) continue;
    indent = indentOf(text);
    const match = branch.exec(text);
    if (match) found.push(at(line, text, match));
    if (/=>\s*\{\s*$|\bfunction\b|createServer/.test(text)) break;
  }
  return found;
}
