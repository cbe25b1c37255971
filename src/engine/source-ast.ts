// The learner's file as a TypeScript syntax tree, for the location rules
// (src/engine/locate.ts, src/engine/crash-cause.ts). The compiler is loaded
// lazily, only when a rule needs the tree; one parsed file is kept.

import type * as TS from 'typescript';
import { loadTypeScript } from './lazy-typescript.js';
import type { Location } from './probe-events.js';

const parsed = new Map<string, TS.SourceFile>();

export function sourceFile(file: string, text: string): TS.SourceFile {
  const key = `${file}\0${text.length}`;
  let found = parsed.get(key);
  if (!found) {
    const ts = loadTypeScript();
    found = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.m?jsx?$|\.cjs$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
    parsed.clear();
    parsed.set(key, found);
  }
  return found;
}

export function locationOf(source: TS.SourceFile, file: string, node: TS.Node): Location {
  const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return { file, line: line + 1, column: character + 1 };
}

export function lineOf(source: TS.SourceFile, node: TS.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/** Every node for which `test` holds, depth first, without entering nested functions when `shallow`. */
export function collect<T extends TS.Node>(root: TS.Node, test: (node: TS.Node) => node is T, shallow = false): T[] {
  const ts = loadTypeScript();
  const found: T[] = [];
  const visit = (node: TS.Node) => {
    if (test(node)) found.push(node);
    if (shallow && node !== root && ts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

/** The function whose body holds `line`, innermost. */
export function enclosingFunction(source: TS.SourceFile, line: number): TS.SignatureDeclaration | null {
  const ts = loadTypeScript();
  const functions = collect(source, (node): node is TS.SignatureDeclaration => ts.isFunctionLike(node) && 'body' in node && Boolean((node as TS.FunctionLikeDeclaration).body));
  return functions.filter((fn) => lineOf(source, fn) <= line && source.getLineAndCharacterOfPosition(fn.end).line + 1 >= line).pop() ?? null;
}

/** Where the try statement around `at` drops its error: the catch's last statement, or the empty catch. */
export function catchAround(file: string, text: string, at: Location): Location | null {
  try {
    const ts = loadTypeScript();
    const source = sourceFile(file, text);
    const tries = collect(source, (node): node is TS.TryStatement =>
      ts.isTryStatement(node) && lineOf(source, node.tryBlock) <= at.line && source.getLineAndCharacterOfPosition(node.tryBlock.end).line + 1 >= at.line);
    const inner = tries.pop();
    if (!inner?.catchClause) return null;
    // `catch { return; }`: the statement that drops the error; an empty catch: the catch itself.
    const statements = inner.catchClause.block.statements;
    return locationOf(source, file, statements.length ? statements[statements.length - 1] : inner.catchClause);
  } catch {
    return null;
  }
}
