// Lesson Markdown in a terminal: wrapped to the width, code kept intact, and no
// escape codes at all without colour.

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { highlightCode } from '../../src/ui/highlight.ts';
import { renderMarkdown, section } from '../../src/ui/markdown.ts';
import { stripAnsi, visibleLength } from '../../src/ui/terminal.ts';

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const text = `# Title

A paragraph with \`inline code\` and **bold** words that goes on for quite a while so that it has to wrap at the width we give it.

- [ ] a task with a [link](https://nodejs.org/api/http.html)
- a plain item
  continued here

\`\`\`js
const server = http.createServer((req, res) => res.end('hi'));
\`\`\`

## After you pass

The end.
`;

describe('renderMarkdown', () => {
  it('without colour: no escape codes, backticks kept, lines within the width', () => {
    const out = renderMarkdown(text, { style: plain, width: 70 });
    expect(out).not.toMatch(/\u001B/);
    expect(out).toContain('`inline code`');
    expect(out).toContain('☐ a task with a link (https://nodejs.org/api/http.html)');
    expect(out).toContain("    const server = http.createServer((req, res) => res.end('hi'));");
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(70);
  });

  it('code blocks give up their indentation rather than overflow the width', () => {
    const out = renderMarkdown(text, { style: plain, width: 62 });
    expect(out).toContain("\nconst server = http.createServer((req, res) => res.end('hi'));");
  });

  it('with colour: code spans lose their backticks, and wrapping counts only visible characters', () => {
    const out = renderMarkdown(text, { style: colour, width: 70 });
    expect(out).toMatch(/\u001B\[/);
    expect(stripAnsi(out)).toContain('A paragraph with inline code and bold words');
    for (const line of out.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(70);
  });

  it('section() finds a ## section and ignores headings inside code fences', () => {
    expect(section(text, 'After you pass')).toBe('The end.');
    expect(section('```\n## not a heading\n```\n## Real\nyes', 'not a heading')).toBeNull();
  });
});

describe('highlightCode', () => {
  it('emits every character exactly once', () => {
    const code = "import http from 'node:http'; // hi\nconst n = 0x1F + 3.5e2; /* c */ `t ${n}`";
    expect(stripAnsi(highlightCode(code, colour))).toBe(code);
    expect(highlightCode(code, plain)).toBe(code);
  });
});
