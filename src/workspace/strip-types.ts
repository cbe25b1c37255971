// TypeScript -> JavaScript for learners who chose JavaScript: the lesson's own
// text with the type syntax cut out, so comments, blank lines, indentation and
// quotes stay exactly as the author wrote them.
//
// Why not ts.transpileModule alone: its printer re-indents everything to four
// spaces and drops the comments attached to erased declarations (a section
// header above an `interface` disappears with it). So this walks the syntax tree
// and deletes only the type syntax; then it proves the result equivalent by
// transpiling both and comparing the code. If a file uses something this eraser
// does not handle (enum, namespace, parameter properties), or the proof fails,
// the transpileModule output is used instead: correct code, plainer layout.
//
// The TypeScript compiler is imported lazily: only opening a lesson in a
// JavaScript workspace (and `solution`) pays for loading it.

import { loadTypeScript } from '../engine/lazy-typescript.js';
import type * as TS from 'typescript';
import { erase, Unsupported } from './erase-types.js';

type Ts = typeof TS;

export interface StripResult {
  code: string;
  /** 'erase' when the author's layout was kept; 'transpile' for the fallback. */
  method: 'erase' | 'transpile';
}

async function typescript(): Promise<Ts> {
  return loadTypeScript();
}

export async function stripTypes(source: string, fileName = 'lesson.ts'): Promise<StripResult> {
  const ts = await typescript();
  const text = source.replace(/\r\n/g, '\n');
  try {
    const erased = erase(ts, text, fileName);
    if (sameCode(ts, text, erased)) return { code: erased, method: 'erase' };
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
  }
  return { code: transpileKeepingBlankLines(ts, text), method: 'transpile' };
}

/** The same JavaScript comes out of both, comments and layout aside. */
function sameCode(ts: Ts, typescriptText: string, javascriptText: string): boolean {
  const emit = (source: string, fileName: string) => {
    const result = ts.transpileModule(source, {
      fileName,
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, removeComments: true, verbatimModuleSyntax: true, isolatedModules: true, allowJs: true },
    });
    // `import x, {} from` (an emptied type-only list) is `import x from`.
    const code = result.outputText.replace(/\s+/g, '').replace(/,\{\}from/g, 'from');
    return { code, errors: result.diagnostics?.length ?? 0 };
  };
  const fromTs = emit(typescriptText, 'original.ts');
  const fromJs = emit(javascriptText, 'stripped.js');
  return fromJs.errors === 0 && fromTs.code === fromJs.code;
}

/** The fallback: TypeScript's own emit, with the author's blank lines put back. */
function transpileKeepingBlankLines(ts: Ts, text: string): string {
  const MARK = '//__BLANK__';
  const marked = text.split('\n').map((line) => (line.trim() === '' ? MARK : line)).join('\n');
  const output = ts.transpileModule(marked, {
    fileName: 'lesson.ts',
    compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, removeComments: false, verbatimModuleSyntax: true },
  }).outputText;
  return output
    .split('\n')
    .map((line) => (line.trim() === MARK ? '' : line))
    .join('\n')
    .replace(/\n+$/, '\n');
}
