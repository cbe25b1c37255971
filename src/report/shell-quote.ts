// Bytes and text as POSIX shell words, for the commands reproduce.ts prints.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word for printable text: as it is when safe, else in single quotes ('\'' for a quote). */
export function shellWord(text: string): string {
  if (text !== '' && SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Bytes as one shell word when they are printable UTF-8 text (no control bytes), else null. */
export function shellText(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes) || /[\u0000-\u001f\u007f]/.test(text)) return null;
  return shellWord(text);
}

/**
 * Any bytes as a POSIX printf format in single quotes: printable UTF-8 as it is,
 * \n \r \t, other bytes (NUL, a character cut in half) as \ooo octal, % as %%.
 * printf(1) in POSIX: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/printf.html
 */
export function printfFormat(bytes: Buffer): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i];
    const length = byte >= 0xf0 && byte < 0xf8 ? 4 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xc2 && byte < 0xe0 ? 2 : 1;
    if (length > 1) {
      const sequence = bytes.subarray(i, i + length);
      const text = sequence.toString('utf8');
      if (sequence.length === length && Buffer.from(text, 'utf8').equals(sequence)) {
        out += text;
        i += length;
        continue;
      }
    }
    if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x25) out += '%%';
    else if (byte === 0x27) out += `'\\''`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
    i++;
  }
  return `'${out}'`;
}
