// From a reference solution to its mutants: every catalogue entry's every match,
// one change each, then sorted into the ones worth running and the ones that
// are not kills either way: a mutant that does not compile (a transform that
// broke the syntax) and one whose emitted JavaScript is the solution's own
// (a change only a type or a comment would see).

import { BODY_MISTAKES } from './catalogue-bodies.js';
import { LIFECYCLE_MISTAKES } from './catalogue-lifecycle.js';
import { RESPONSE_MISTAKES } from './catalogue-responses.js';
import { loadTypeScript } from '../lazy-typescript.js';
import { applyEdits, contextFor, type CatalogueEntry } from './edits.js';

/** The catalogue, in the order its mutants are numbered and reported. */
export const CATALOGUE: readonly CatalogueEntry[] = [...RESPONSE_MISTAKES, ...BODY_MISTAKES, ...LIFECYCLE_MISTAKES];

export type MutantKind = 'runnable' | 'invalid' | 'equivalent';

export interface Mutant {
  /** `<entry>#<n>`, n counting from 1 within the entry, in source order. */
  id: string;
  entry: string;
  pitfall: string;
  description: string;
  /** The 1-based line of the solution where the change starts. */
  line: number;
  text: string;
  kind: MutantKind;
  /** invalid: the first syntax error. */
  reason: string | null;
}

/** Every mutant of `text`, each classified; duplicates (two entries making the same text) kept once, first entry wins. */
export function generateMutants(file: string, text: string, catalogue: readonly CatalogueEntry[] = CATALOGUE): Mutant[] {
  const context = contextFor(file, text);
  const original = emitted(file, text);
  const seen = new Set<string>([text]);
  const mutants: Mutant[] = [];
  for (const entry of catalogue) {
    let n = 0;
    const found = entry.find(context).sort((a, b) => Math.min(...a.edits.map((e) => e.start)) - Math.min(...b.edits.map((e) => e.start)));
    for (const mutation of found) {
      if (mutation.edits.length === 0) continue;
      const mutated = applyEdits(text, mutation.edits);
      if (seen.has(mutated)) continue;
      seen.add(mutated);
      const start = Math.min(...mutation.edits.map((edit) => edit.start));
      const compiled = emitted(file, mutated);
      const kind: MutantKind = compiled.error ? 'invalid' : compiled.js === original.js ? 'equivalent' : 'runnable';
      mutants.push({
        id: `${entry.name}#${++n}`,
        entry: entry.name,
        pitfall: mutation.pitfall ?? entry.pitfalls[0],
        description: entry.description,
        line: context.source.getLineAndCharacterOfPosition(start).line + 1,
        text: mutated,
        kind,
        reason: compiled.error,
      });
    }
  }
  return mutants;
}

/**
 * What tsx would run: the file transpiled alone (types stripped, no type check,
 * the same as the learner's program gets), comments dropped so that a change
 * inside one does not count. Syntax errors are the transpiler's diagnostics.
 */
function emitted(file: string, text: string): { js: string; error: string | null } {
  const ts = loadTypeScript();
  const output = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true, verbatimModuleSyntax: false },
  });
  const diagnostic = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (!diagnostic) return { js: output.outputText, error: null };
  const at = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : null;
  return { js: output.outputText, error: `${at === null ? '' : `line ${at}: `}${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}` };
}
