// The wire transcript as text: bytes a learner can read, with a character cut in
// half shown as its bytes.

import { describe, expect, it } from 'vitest';
import type { WireEntry } from '../../src/engine/clients/transcript.ts';
import { escapeBytes, formatWire, wireJson, wireLines } from '../../src/report/wire.ts';

const bytes = (...values: number[]) => Buffer.from(values);
const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('escapeBytes', () => {
  const CASES: Array<[string, Buffer, string]> = [
    ['printable ASCII stays', utf8('GET / HTTP/1.1'), 'GET / HTTP/1.1'],
    ['CR, LF and TAB are escaped', utf8('a\r\nb\tc\n'), 'a\\r\\nb\\tc\\n'],
    ['other control bytes and DEL are \\xNN', bytes(0x00, 0x1b, 0x7f), '\\x00\\x1B\\x7F'],
    ['a valid 2-byte character stays', utf8('Zoë'), 'Zoë'],
    ['a valid 3-byte character stays', utf8('€ and ✓'), '€ and ✓'],
    ['a valid 4-byte character stays', utf8('😀'), '😀'],
    ['the first half of a split ë', utf8('Zoë').subarray(0, 3), 'Zo\\xC3'],
    ['the second half of a split ë', utf8('ë"}').subarray(1), '\\xAB"}'],
    ['an emoji cut after two bytes, then text', Buffer.concat([utf8('😀').subarray(0, 2), utf8('ok')]), '\\xF0\\x9Fok'],
    ['a lone continuation byte', bytes(0x80), '\\x80'],
    ['an overlong encoding', bytes(0xc0, 0x80), '\\xC0\\x80'],
    ['an overlong 3-byte encoding', bytes(0xe0, 0x80, 0x80), '\\xE0\\x80\\x80'],
    ['an encoded surrogate', bytes(0xed, 0xa0, 0x80), '\\xED\\xA0\\x80'],
    ['beyond U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), '\\xF4\\x90\\x80\\x80'],
    ['bytes that never start UTF-8', bytes(0xf8, 0x80, 0x80, 0xff), '\\xF8\\x80\\x80\\xFF'],
    ['latin1 é is not UTF-8', Buffer.from('café', 'latin1'), 'caf\\xE9'],
    ['U+FFFD sent as such (a mangled split character) is a character', utf8('Zo\uFFFD\uFFFD'), 'Zo\uFFFD\uFFFD'],
    ['empty', Buffer.alloc(0), ''],
  ];
  it.each(CASES)('%s', (_name, input, expected) => {
    expect(escapeBytes(input)).toBe(expected);
  });

  it('a multi-byte string split at every byte boundary: the split character as \\xNN, all others kept', () => {
    const text = 'Zoë 😀 €!';
    const all = utf8(text);
    const hex = (part: Buffer) => [...part].map((b) => `\\x${b.toString(16).toUpperCase()}`).join('');
    // Byte ranges of each character.
    const ranges: Array<[number, number]> = [];
    let offset = 0;
    for (const char of text) {
      const length = Buffer.byteLength(char);
      ranges.push([offset, offset + length]);
      offset += length;
    }
    for (let cut = 0; cut <= all.length; cut++) {
      const split = ranges.find(([start, end]) => start < cut && cut < end);
      const [start, end] = split ?? [cut, cut];
      expect(escapeBytes(all.subarray(0, cut)), `left of ${cut}`).toBe(all.subarray(0, start).toString('utf8') + hex(all.subarray(start, cut)));
      expect(escapeBytes(all.subarray(cut)), `right of ${cut}`).toBe(hex(all.subarray(cut, end)) + all.subarray(end).toString('utf8'));
    }
  });
});

describe('wireLines and formatWire', () => {
  const entries: WireEntry[] = [
    { connection: 1, direction: 'connected', atMs: 0, note: '127.0.0.1:4000' },
    { connection: 1, direction: 'sent', atMs: 1, data: utf8('POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nZo') },
    { connection: 1, direction: 'sent', atMs: 1, data: bytes(0xc3) },
    { connection: 1, direction: 'pause', atMs: 2, pauseMs: 50 },
    { connection: 1, direction: 'sent', atMs: 52, data: bytes(0xab) },
    { connection: 1, direction: 'received', atMs: 60, data: utf8('HTTP/1.1 200 OK\r\n\r\n') },
    { connection: 1, direction: 'reset', atMs: 61 },
    { connection: 0, direction: 'note', atMs: 62, note: 'done' },
  ];

  it('one line per HTTP line, arrows for each direction, pauses and events marked', () => {
    const lines = wireLines(entries).map((line) => `${line.arrow} ${line.text}`);
    expect(lines).toEqual([
      '• connected to 127.0.0.1:4000',
      '→ POST / HTTP/1.1\\r\\n',
      '→ Content-Length: 3\\r\\n',
      '→ \\r\\n',
      '→ Zo',
      '→ \\xC3',
      '… (pause 50 ms)',
      '→ \\xAB',
      '← HTTP/1.1 200 OK\\r\\n',
      '← \\r\\n',
      '• the connection was reset (ECONNRESET)',
      '# done',
    ]);
  });

  it('formats with connection, time and arrow; says so when nothing was exchanged', () => {
    const text = formatWire(entries);
    expect(text.split('\n')).toContain('   1     +1ms  → POST / HTTP/1.1\\r\\n');
    expect(text).not.toContain('\r');
    expect(formatWire([])).toContain('no bytes were exchanged');
  });

  it('elides the middle of a long transcript', () => {
    const many: WireEntry[] = Array.from({ length: 200 }, (_, i) => ({ connection: 1, direction: 'sent' as const, atMs: i, data: utf8(`line ${i}\n`) }));
    const text = formatWire(many, 20);
    expect(text.split('\n')).toHaveLength(21);
    expect(text).toContain('… 180 more lines …');
    expect(text).toContain('line 0\\n');
    expect(text).toContain('line 199\\n');
  });

  it('wireJson keeps the escapes and the byte counts', () => {
    expect(wireJson(entries.slice(1, 4))).toEqual([
      { connection: 1, direction: 'sent', atMs: 1, text: 'POST / HTTP/1.1\\r\\nContent-Length: 3\\r\\n\\r\\nZo', bytes: entries[1].data!.length },
      { connection: 1, direction: 'sent', atMs: 1, text: '\\xC3', bytes: 1 },
      { connection: 1, direction: 'pause', atMs: 2, pauseMs: 50 },
    ]);
  });
});
