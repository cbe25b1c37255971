// Lesson and pitfall files start with a small YAML subset between `---` lines:
// `key: value`, numbers, booleans, quoted strings and `[a, b]` lists. A full YAML
// parser would be the heaviest dependency in the package for four kinds of value.

export type FrontMatterValue = string | number | boolean | FrontMatterValue[];

export interface Document {
  data: Record<string, FrontMatterValue>;
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
}

export class FrontMatterError extends Error {}

export function parseDocument(text: string): Document {
  const normalized = text.replace(/\r\n/g, '\n');
  if (!normalized.startsWith('---\n')) return { data: {}, body: normalized, bodyLine: 1 };
  const end = normalized.indexOf('\n---', 4);
  if (end < 0) throw new FrontMatterError('front matter starts with --- but never ends');
  const block = normalized.slice(4, end);
  const afterFence = normalized.indexOf('\n', end + 4);
  const body = afterFence < 0 ? '' : normalized.slice(afterFence + 1);
  const data: Record<string, FrontMatterValue> = {};
  const lines = block.split('\n');
  lines.forEach((line, index) => {
    const content = stripComment(line).trim();
    if (content === '') return;
    const match = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(content);
    if (!match) throw new FrontMatterError(`front matter line ${index + 2}: expected "key: value", got ${JSON.stringify(line)}`);
    data[match[1]] = parseValue(match[2]);
  });
  return { data, body, bodyLine: lines.length + 3 };
}

function stripComment(line: string): string {
  // A # starts a comment unless it is inside quotes.
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

export function parseValue(raw: string): FrontMatterValue {
  const value = raw.trim();
  if (value.startsWith('[') && value.endsWith(']')) {
    const inner = value.slice(1, -1).trim();
    return inner === '' ? [] : splitList(inner).map(parseValue);
  }
  if (/^".*"$/.test(value)) return JSON.parse(value) as string;
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function splitList(inner: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const c of inner) {
    if (quote) {
      current += c;
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === ',') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** The sections of a Markdown body by `## ` heading (text before the first heading under ''). */
export function sections(body: string): Map<string, string> {
  const result = new Map<string, string>();
  let heading = '';
  let lines: string[] = [];
  let inFence = false;
  const flush = () => result.set(heading, lines.join('\n').trim());
  for (const line of body.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const match = !inFence && /^## +(.+?)\s*$/.exec(line);
    if (match) {
      flush();
      heading = match[1];
      lines = [];
    } else lines.push(line);
  }
  flush();
  return result;
}
