// What a lesson's check.ts says, read statically with the TypeScript compiler:
// the ids of its checks and the pitfall ids it can report. `dev check` validates
// a course before running anything, and importing check.ts would run the
// author's code (its module body, its imports) just to read two lists.

import type * as TS from 'typescript';
import { loadTypeScript } from './lazy-typescript.js';
import { CLIENT_HARNESS_PITFALLS } from './client-harness/pitfalls.js';

export interface CheckScan {
  /** `id:` of each check (an object literal with `id` and `run`), with its 1-based line. */
  checkIds: Array<{ id: string; line: number }>;
  /**
   * Pitfall ids written as string literals where a check reports one: the first
   * argument of `fail(...)`/`ctx.fail(...)` (both branches of a `?:`), a
   * `pitfall: '<id>'` property (the failure records several checks build and
   * then pass to ctx.fail), and the values of `crashes: { CODE: '<id>' }`.
   * Ids computed at run time cannot be seen; those are proven by the mistakes.
   * A value import from 'httpdojo/check' (the client harness) reports the
   * harness's ids, on the import's line; so does the first use of the harness
   * bound to the context (`ctx.client.run(…)`, `.failCommon(…)`, …), on its line.
   */
  reportedPitfalls: Array<{ id: string; line: number }>;
}

export function scanCheckSource(text: string, fileName: string): CheckScan {
  const ts = loadTypeScript();
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (node: TS.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const checkIds: CheckScan['checkIds'] = [];
  const reportedPitfalls: CheckScan['reportedPitfalls'] = [];
  const literals = (node: TS.Node | undefined): TS.Node[] => {
    if (!node) return [];
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return literals(node.expression);
    if (ts.isConditionalExpression(node)) return [...literals(node.whenTrue), ...literals(node.whenFalse)];
    return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? [node] : [];
  };
  const report = (node: TS.Node | undefined) => {
    for (const literal of literals(node)) reportedPitfalls.push({ id: (literal as TS.StringLiteral).text, line: lineOf(literal) });
  };
  const propertyName = (property: TS.ObjectLiteralElementLike) =>
    property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : null;
  let usesBoundHarness = false;
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === 'httpdojo/check' && importsValues(ts, node)) {
      for (const id of CLIENT_HARNESS_PITFALLS) reportedPitfalls.push({ id, line: lineOf(node) });
    } else if (!usesBoundHarness && ts.isPropertyAccessExpression(node) && node.name.text === 'client' && ts.isPropertyAccessExpression(node.parent) && BOUND_HARNESS_JUDGES.has(node.parent.name.text)) {
      usesBoundHarness = true;
      for (const id of CLIENT_HARNESS_PITFALLS) reportedPitfalls.push({ id, line: lineOf(node) });
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
      if (name === 'fail') report(node.arguments[0]);
    } else if (ts.isPropertyAssignment(node)) {
      const name = propertyName(node);
      if (name === 'pitfall') report(node.initializer);
      if (name === 'crashes' && ts.isObjectLiteralExpression(node.initializer)) {
        for (const entry of node.initializer.properties) if (ts.isPropertyAssignment(entry)) report(entry.initializer);
      }
    } else if (ts.isObjectLiteralExpression(node)) {
      // A check is an object literal with an `id` and a `run`, wherever it is written
      // (inside `checks: [...]` or in a list of its own that `checks` spreads).
      const named = (wanted: string) => node.properties.find((property) => propertyName(property) === wanted);
      const id = named('id');
      const literal = id && named('run') && ts.isPropertyAssignment(id) ? literals(id.initializer)[0] : undefined;
      if (literal) checkIds.push({ id: (literal as TS.StringLiteral).text, line: lineOf(literal) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { checkIds, reportedPitfalls };
}

/** The members of ctx.client whose use means the harness may judge the run (toolkit/client.ts). */
const BOUND_HARNESS_JUDGES = new Set(['run', 'server', 'failCommon', 'failUnended', 'failLingering', 'expectSuccessOutput', 'expectFailureStatus', 'expectErrorLine', 'expectNodeHttp']);

/** `import { runClient } from ...` does, `import type { ... }` and `import { type X }` do not. */
function importsValues(ts: typeof TS, node: TS.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause || clause.isTypeOnly) return false;
  if (clause.name) return true;
  const bindings = clause.namedBindings;
  if (!bindings) return false;
  return ts.isNamespaceImport(bindings) || bindings.elements.some((element) => !element.isTypeOnly);
}
