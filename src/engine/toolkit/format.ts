// The toolkit's wording: one way to show a body, a value, a count, a duration and
// an error in a diagnosis, so every lesson says "(empty body)" the same way and
// cuts long text at the same length. Pure functions; check modules import them
// from 'httpdojo/check'.

/** Longest text shown before it is cut with "…". */
const MAX_CHARS = 120;

/** The words for a body with no bytes at all (one wording across the course). */
export const EMPTY_BODY = '(empty body)';

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export const format = {
  /**
   * A body as a diagnosis shows it: quoted (JSON string escapes, so a newline or
   * a control byte is visible) and cut after `max` characters; `(empty body)`
   * when there is none. Takes the text, its bytes, or a response.
   */
  body(body: string | Buffer | { text: string }, max = MAX_CHARS): string {
    const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : body.text;
    return text === '' ? EMPTY_BODY : JSON.stringify(cut(text, max));
  },
  /** A JSON value as JSON (`undefined` as the word), cut after `max` characters. */
  value(value: unknown, max = MAX_CHARS): string {
    if (value === undefined) return 'undefined';
    return cut(JSON.stringify(value) ?? String(value), max);
  },
  /** A count with thousands separators: 1,048,576. */
  count(n: number): string {
    return n.toLocaleString('en-US');
  },
  /** Milliseconds as seconds with one decimal: "2.0 s". */
  seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
  },
  /** An error as Node prints its first line: `TypeError [ERR_X]: message`. */
  error(error: { name: string; message: string; code?: string }): string {
    return `${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}`;
  },
};

/** An object that is not null and not an array (what JSON calls an object). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equality of JSON values: key order does not matter, array order does. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => jsonEqual(item, (b as unknown[])[i]));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * The media type of a response's Content-Type, lowercased and without its
 * parameters (RFC 9110 §8.3.1: type and subtype are case-insensitive), or null
 * when the header is missing.
 */
export function mediaType(response: { headers: Record<string, string | undefined> }): string | null {
  const value = response.headers['content-type'];
  return value === undefined ? null : value.split(';')[0].trim().toLowerCase();
}
