// Just enough syntax highlighting for the course's JavaScript and TypeScript
// snippets: comments, strings, numbers, keywords. A tokenizer, not a parser:
// a wrong colour is harmless, a missing character is not, so every character of
// the input is emitted exactly once.

import type { ChalkInstance } from 'chalk';

const KEYWORDS = new Set([
  'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'default', 'delete', 'do', 'else', 'export',
  'extends', 'false', 'finally', 'for', 'from', 'function', 'if', 'import', 'in', 'instanceof', 'interface', 'let', 'new',
  'null', 'of', 'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof', 'undefined',
  'var', 'void', 'while', 'yield', 'as',
]);

export function highlightCode(code: string, style: ChalkInstance): string {
  if (style.level === 0) return code;
  let out = '';
  let i = 0;
  const n = code.length;
  while (i < n) {
    const c = code[i];
    const rest = code.slice(i);
    let match: RegExpExecArray | null;
    if (rest.startsWith('//')) {
      const end = code.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += style.gray(code.slice(i, stop));
      i = stop;
    } else if (rest.startsWith('/*')) {
      const end = code.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += style.gray(code.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && code[j] !== c) {
        if (code[j] === '\\') j++;
        else if (code[j] === '\n' && c !== '`') break;
        j++;
      }
      const stop = Math.min(n, j + 1);
      out += style.green(code.slice(i, stop));
      i = stop;
    } else if ((match = /^\d[\d_]*(\.\d+)?(e[+-]?\d+)?n?/i.exec(rest)) && !/[\w$]/.test(code[i - 1] ?? '')) {
      out += style.yellow(match[0]);
      i += match[0].length;
    } else if ((match = /^[A-Za-z_$][\w$]*/.exec(rest))) {
      const word = match[0];
      const previous = code[i - 1];
      if (KEYWORDS.has(word) && previous !== '.') out += style.magenta(word);
      else if (code[i + word.length] === '(') out += style.blue(word);
      else out += word;
      i += word.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
