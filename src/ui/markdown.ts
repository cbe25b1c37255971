// Lesson Markdown for a terminal: headings in bold, paragraphs and list items
// re-wrapped to the width, `code` in colour (backticks kept when there is no
// colour), fenced code indented and highlighted, task boxes as ☐. Covers what
// lesson.md, hints.md and pitfall pages use, nothing more.

import type { ChalkInstance } from 'chalk';
import { highlightCode } from './highlight.js';

export interface MarkdownOptions {
  style: ChalkInstance;
  width: number;
  /** Prefix for every line (indentation). */
  indent?: string;
}

export function renderMarkdown(markdown: string, options: MarkdownOptions): string {
  const { style } = options;
  const indent = options.indent ?? '';
  const width = Math.max(30, options.width - indent.length);
  const out: string[] = [];
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  const pushBlank = () => {
    if (out.length > 0 && out[out.length - 1] !== '') out.push('');
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^(\s*)```\s*([\w-]*)/.exec(line);
    if (fence) {
      const language = fence[2].toLowerCase();
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i])) body.push(lines[i++]);
      i++; // closing fence
      const code = body.join('\n');
      const shown = ['js', 'javascript', 'ts', 'typescript', 'mjs', 'cjs'].includes(language) ? highlightCode(code, style) : style.level > 0 ? style.cyan(code) : code;
      // Four spaces in, fewer when that would push a line past the width (code is not wrapped).
      const longest = Math.max(0, ...body.map((codeLine) => codeLine.length));
      const pad = ' '.repeat(Math.max(0, Math.min(4, width - longest)));
      pushBlank();
      for (const codeLine of shown.split('\n')) out.push(codeLine === '' ? '' : `${pad}${codeLine}`);
      out.push('');
      continue;
    }
    if (line.trim() === '') {
      pushBlank();
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      pushBlank();
      const text = inline(heading[2], style).styled;
      out.push(heading[1].length === 1 ? style.bold.underline(text) : style.bold(text));
      out.push('');
      i++;
      continue;
    }
    const item = /^(\s*)([-*+]|\d+[.)])\s+(\[[ xX]\]\s+)?(.*)$/.exec(line);
    if (item) {
      // A list item and its indented continuation lines.
      const parts = [item[4]];
      i++;
      while (i < lines.length && lines[i].trim() !== '' && /^\s+/.test(lines[i]) && !/^\s*([-*+]|\d+[.)])\s+/.test(lines[i]) && !/^\s*```/.test(lines[i])) parts.push(lines[i++].trim());
      const nesting = ' '.repeat(Math.min(item[1].length, 6));
      const box = item[3] ? (/[xX]/.test(item[3]) ? '☑ ' : '☐ ') : '';
      const bullet = /\d/.test(item[2]) ? `${item[2]} ` : box ? '' : '• ';
      const lead = `${nesting}${bullet}${box}`;
      out.push(...wrapInline(parts.join(' '), width - lead.length, style).map((text, index) => (index === 0 ? lead : ' '.repeat(lead.length)) + text));
      continue;
    }
    if (/^\s*>/.test(line)) {
      const parts: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) parts.push(lines[i++].replace(/^\s*>\s?/, ''));
      out.push(...wrapInline(parts.join(' '), width - 2, style).map((text) => `${style.dim('│')} ${text}`));
      continue;
    }
    // A paragraph: consecutive plain lines.
    const parts: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !/^(#{1,6})\s/.test(lines[i]) && !/^\s*```/.test(lines[i]) && !/^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) parts.push(lines[i++].trim());
    out.push(...wrapInline(parts.join(' '), width, style));
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.map((text) => (text === '' ? '' : indent + text)).join('\n');
}

interface Word {
  plain: string;
  styled: string;
}

/** Inline Markdown to styled words, wrapped greedily by visible width. */
export function wrapInline(text: string, width: number, style: ChalkInstance): string[] {
  const words = inlineWords(text, style);
  const lines: string[] = [];
  let plain = '';
  let styled = '';
  for (const word of words) {
    if (plain && plain.length + 1 + word.plain.length > width) {
      lines.push(styled);
      plain = word.plain;
      styled = word.styled;
    } else {
      plain = plain ? `${plain} ${word.plain}` : word.plain;
      styled = styled ? `${styled} ${word.styled}` : word.styled;
    }
  }
  if (plain) lines.push(styled);
  return lines.length ? lines : [''];
}

function inline(text: string, style: ChalkInstance): Word {
  const words = inlineWords(text, style);
  return { plain: words.map((word) => word.plain).join(' '), styled: words.map((word) => word.styled).join(' ') };
}

/** Splits on spaces, except inside `code spans`, which stay whole. */
function inlineWords(text: string, style: ChalkInstance): Word[] {
  const colour = style.level > 0;
  const words: Word[] = [];
  let plain = '';
  let styled = '';
  const flush = () => {
    if (plain) words.push({ plain, styled });
    plain = '';
    styled = '';
  };
  const pattern = /`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(\s+)|([^`*[\s]+|[`*[])/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text))) {
    const [, code, bold, linkText, linkUrl, space, other] = match;
    if (space !== undefined) flush();
    else if (code !== undefined) {
      // Code keeps its spaces: it is one unbreakable word (or glued to punctuation).
      const shown = colour ? code : `\`${code}\``;
      plain += shown;
      styled += colour ? style.cyan(code) : shown;
    } else if (bold !== undefined) {
      const [first, ...rest] = bold.split(/\s+/);
      plain += first;
      styled += style.bold(first);
      for (const word of rest) {
        flush();
        plain = word;
        styled = style.bold(word);
      }
    } else if (linkText !== undefined) {
      const [first, ...rest] = `${linkText} (${linkUrl})`.split(/\s+/);
      plain += first;
      styled += first;
      for (const word of rest) {
        flush();
        plain = word;
        styled = word.startsWith('(http') ? style.underline(word) : word;
      }
    } else if (other !== undefined) {
      plain += other;
      styled += other;
    }
  }
  flush();
  return words;
}

/** The text under a `## heading` of a Markdown body (null when there is none). */
export function section(body: string, heading: string): string | null {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  let inFence = false;
  let collecting = false;
  const taken: string[] = [];
  for (const line of lines) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const match = !inFence && /^##\s+(.+?)\s*$/.exec(line);
    if (match) {
      if (collecting) break;
      collecting = match[1].toLowerCase() === heading.toLowerCase();
      continue;
    }
    if (collecting) taken.push(line);
  }
  return collecting || taken.length ? taken.join('\n').trim() : null;
}
