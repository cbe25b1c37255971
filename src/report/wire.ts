// The wire transcript as text: the exact bytes each way, non-printable bytes
// escaped (a character cut in half shows as \xC3 | pause | \xAB), pauses marked.

import type { WireEntry } from '../engine/clients/transcript.js';

const REPLACEMENT_CHARACTER = Buffer.from([0xef, 0xbf, 0xbd]);

/** Bytes as text: valid UTF-8 as characters, CR/LF/TAB as \r \n \t, everything else as \xNN. */
export function escapeBytes(data: Buffer): string {
  let out = '';
  let i = 0;
  while (i < data.length) {
    const byte = data[i];
    if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else {
      const length = byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 0;
      const sequence = length > 0 && i + length <= data.length ? data.subarray(i, i + length) : null;
      // Node decodes an invalid sequence (overlong, surrogate, > U+10FFFF) to U+FFFD; but
      // EF BF BD *is* U+FFFD, validly encoded — what a server sends after mangling a split
      // character — and shows as the character, as the verdict's message does.
      const valid = sequence && [...sequence.subarray(1)].every((b) => (b & 0xc0) === 0x80) &&
        (!sequence.toString('utf8').includes('\uFFFD') || sequence.equals(REPLACEMENT_CHARACTER));
      if (valid) {
        out += sequence.toString('utf8');
        i += length;
        continue;
      }
      out += `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    i++;
  }
  return out;
}

/** A body of megabytes is one "line": show its start and how much was left out. */
const MAX_LINE = 160;
function shorten(text: string): string {
  if (text.length <= MAX_LINE) return text;
  return `${text.slice(0, MAX_LINE - 40)}… (${text.length - (MAX_LINE - 40)} more characters)`;
}

export interface WireLine {
  connection: number;
  atMs: number;
  arrow: string;
  text: string;
}

/** One line per HTTP line (split after \n), so heads read like heads. */
export function wireLines(entries: WireEntry[]): WireLine[] {
  const lines: WireLine[] = [];
  for (const entry of entries) {
    const base = { connection: entry.connection, atMs: entry.atMs };
    switch (entry.direction) {
      case 'sent':
      case 'received': {
        const arrow = entry.direction === 'sent' ? '→' : '←';
        const text = escapeBytes(entry.data ?? Buffer.alloc(0));
        for (const piece of text.split(/(?<=\\n)/)) if (piece) lines.push({ ...base, arrow, text: shorten(piece) });
        break;
      }
      case 'pause':
        lines.push({ ...base, arrow: '…', text: `(pause ${entry.pauseMs} ms)` });
        break;
      case 'connected':
        lines.push({ ...base, arrow: '•', text: `connected to ${entry.note ?? 'the server'}` });
        break;
      case 'closed':
        lines.push({ ...base, arrow: '•', text: 'the connection was closed' });
        break;
      case 'reset':
        lines.push({ ...base, arrow: '•', text: 'the connection was reset (ECONNRESET)' });
        break;
      case 'note':
        lines.push({ ...base, arrow: '#', text: entry.note ?? '' });
        break;
    }
  }
  return lines;
}

export function formatWire(entries: WireEntry[], maxLines = 80): string {
  if (entries.length === 0) return '  (no bytes were exchanged)';
  const lines = wireLines(entries);
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines / 2), null, ...lines.slice(-maxLines / 2)] : lines;
  return shown
    .map((line) => (line === null ? `  … ${lines.length - maxLines} more lines …` : `  ${String(line.connection || '').padStart(2)} ${`+${line.atMs}ms`.padStart(8)}  ${line.arrow} ${line.text}`))
    .join('\n');
}

/** Wire entries for JSON: text with the same escapes. */
export function wireJson(entries: WireEntry[]): Array<Record<string, unknown>> {
  return entries.map((entry) => ({
    connection: entry.connection,
    direction: entry.direction,
    atMs: entry.atMs,
    ...(entry.data ? { text: escapeBytes(entry.data), bytes: entry.data.length } : {}),
    ...(entry.pauseMs !== undefined ? { pauseMs: entry.pauseMs } : {}),
    ...(entry.note !== undefined ? { note: entry.note } : {}),
  }));
}
