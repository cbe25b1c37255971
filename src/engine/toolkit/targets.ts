// Request targets taken apart by hand (pitfall url-string-split, lessons 02, 03
// and 15): what a server reports or routes on when it splits req.url itself
// instead of parsing it with new URL(req.url, base), in words, and the line
// where it does so. Any lesson whose server reads a target can use them: the
// expected values come from URL and URLSearchParams themselves (WHATWG URL
// Standard, https://nodejs.org/docs/latest-v20.x/api/url.html#class-url), so
// "what the lesson means" and "what Node does" cannot drift apart.

import type { SourceView } from '../check-api.js';
import type { Location } from '../probe-events.js';

/**
 * Where the learner's program takes the request target apart by hand, most
 * telling first: req.url cut with split/indexOf/slice/… or compared whole, a
 * split on "?", "&" or "=", (when asked) a decodeURIComponent; else where
 * req.url is read.
 */
const CUT = [/\.url\b[^\n]*\.(split|indexOf|slice|substring|substr|startsWith|match)\(/, /\burl\b[^\n]*\.split\(/i, /\.split\(\s*['"`][?&=]/, /\.url\s*[!=]==?/];
const DECODED = /decodeURIComponent\s*\(/;
const READ = /\breq(uest)?\.url\b|\burl\s*[,}]/;

/**
 * The line where the target is split or compared by hand, else (with `decoded`:
 * for a wrong decoded value, not a wrong route) where it is decoded by hand,
 * else where req.url is read; null when none.
 */
export function handSplitLine(source: Pick<SourceView, 'find'>, options: { decoded?: boolean } = {}): Location | null {
  return source.find(...CUT, ...(options.decoded ? [DECODED] : []), READ);
}

/**
 * Why a reported path looks hand-split, as the rest of a "you answered path …,
 * but …" sentence, or null: it still holds the query (cut at the wrong "?" or
 * not at all), or it is percent-decoded where URL.pathname keeps the escapes.
 */
export function pathSplitSymptom(got: unknown, want: string): string | null {
  if (typeof got !== 'string' || got === want) return null;
  if (got.includes('?')) return `the path ends before the first "?": URL.pathname gives ${JSON.stringify(want)}`;
  if (got === safeDecode(want)) return `URL.pathname keeps percent-escapes as sent: ${JSON.stringify(want)} (an escaped %2F is not a real /)`;
  return null;
}

/**
 * Why a reported query object looks hand-parsed, as the rest of a "you answered
 * query …, but …" sentence, or null: undecoded escapes or +, the empty name a
 * split of an empty query gives, a value cut at a later "?", a valueless name lost.
 */
export function querySplitSymptom(got: unknown, want: Record<string, string>): string | null {
  const symptom = queryMismatch(got, want);
  return symptom ? `${symptom}: ${JSON.stringify(want)}` : null;
}

function queryMismatch(got: unknown, want: Record<string, string>): string | null {
  if (typeof got !== 'object' || got === null || Array.isArray(got)) return null;
  const query = got as Record<string, unknown>;
  const raw = /\+|%[0-9A-Fa-f]{2}/;
  const undecoded = new Set<string>();
  for (const [name, value] of Object.entries(query)) {
    if (raw.test(name) && !Object.hasOwn(want, name)) undecoded.add(name);
    if (typeof value === 'string' && raw.test(value) && !Object.values(want).includes(value)) undecoded.add(value);
  }
  if (undecoded.size > 0) {
    // Each piece decoded the way URLSearchParams decodes it.
    const decoded = (piece: string) => new URLSearchParams(`x=${piece.replace(/&/g, '%26')}`).get('x') ?? piece;
    const examples = [...undecoded].slice(0, 3).map((piece) => `${JSON.stringify(piece)} is ${JSON.stringify(decoded(piece))}`);
    return `URLSearchParams decodes names and values, + and %XX escapes alike (${examples.join(', ')})`;
  }
  if (Object.hasOwn(query, '') && !Object.hasOwn(want, '')) return 'splitting an empty query gives an empty name; url.searchParams has no parameter at all';
  for (const [name, value] of Object.entries(want)) {
    const mine = query[name];
    if (value.includes('?') && typeof mine === 'string' && mine !== value && value.startsWith(mine)) {
      return 'only the first "?" starts the query, and a later "?" is part of a value';
    }
    if (value === '' && Object.keys(query).length > 0 && (mine === null || mine === undefined)) {
      return `a name without "=" has the value "" in URLSearchParams (${JSON.stringify(name)} is missing or null in yours)`;
    }
  }
  return null;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
