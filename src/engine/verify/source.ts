// Look-ups in the learner's source text: where a pattern occurs in code (never in
// a comment or inside a string), and the first syntax error of a file that never
// started.

import type { SourceMatches } from '../toolkit/source.js';
import { loadTypeScript } from '../lazy-typescript.js';
import type { Location } from '../probe-events.js';

/** The first syntax error of a JavaScript or TypeScript file (TypeScript's parser, loaded only when needed), or null. */
export async function syntaxErrorIn(file: string, text: string): Promise<{ message: string; location: Location } | null> {
  try {
    const ts = loadTypeScript();
    const output = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { allowJs: true } });
    const diagnostic = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error && d.file && d.start !== undefined);
    if (!diagnostic?.file || diagnostic.start === undefined) return null;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '), location: { file, line: line + 1, column: character + 1 } };
  } catch {
    return null;
  }
}

export function sourceView(file: string, text: string): SourceMatches {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const locate = (index: number): Location => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= index) line++;
    return { file, line: line + 1, column: index - lineStarts[line] + 1 };
  };
  // A location points at code: a match inside a comment (a TODO that names the
  // API, a commented-out attempt) is never the learner's line.
  // Nor is a match inside a string ('server built with http.createServer()'):
  // a match may start at a literal's opening quote ('Content-Type':), never inside it.
  const comments = [...commentRanges(text), ...stringInteriors(text)];
  const inComment = (index: number) => comments.some(([start, end]) => index >= start && index < end);
  const findAll = (pattern: RegExp) =>
    [...text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'))]
      .filter((match) => !inComment(match.index ?? 0))
      .map((match) => locate(match.index ?? 0));
  return { text, find: (pattern) => findAll(pattern)[0] ?? null, findAll };
}

/** [start, end) of the inside of every string and template literal (quotes excluded), skipping comments. */
export function stringInteriors(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const comments = commentRanges(text);
  let c = 0;
  for (let i = 0; i < text.length; i++) {
    while (c < comments.length && comments[c][1] <= i) c++;
    if (c < comments.length && i >= comments[c][0]) {
      i = comments[c][1] - 1;
      continue;
    }
    const quote = text[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    let j = i + 1;
    while (j < text.length && text[j] !== quote && !(quote !== '`' && text[j] === '\n')) j += text[j] === '\\' ? 2 : 1;
    ranges.push([i + 1, j]);
    i = j;
  }
  return ranges;
}

/** [start, end) of every // and /* *\/ comment, skipping string and template literals. */
export function commentRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      ranges.push([i, end < 0 ? text.length : end]);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      ranges.push([i, end < 0 ? text.length : end + 2]);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      // Skip the literal (escapes included); a template's ${} is treated as part of it.
      i++;
      while (i < text.length && text[i] !== c && !(c !== '`' && text[i] === '\n')) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else i++;
  }
  return ranges;
}
