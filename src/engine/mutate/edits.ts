// The shape of a mutation and the text edits that make it. A mutant is the
// solution's text with a few ranges replaced, never a re-printed tree: the
// survivor's diff then shows the learner-sized change and nothing else, and
// comments and layout stay as the author wrote them.

import type * as TS from 'typescript';
import { loadTypeScript } from '../lazy-typescript.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** One way a learner gets it wrong, as the catalogue describes it. */
export interface CatalogueEntry {
  name: string;
  /** The pitfall ids this mistake models (CURRICULUM.md); the first is the usual one. */
  pitfalls: string[];
  /** One sentence: the mistake, as a learner would make it. */
  description: string;
  /** Every applicable mutant in the file: one change each (a change may need several edits, e.g. a move). */
  find(context: MutationContext): FoundMutation[];
}

export interface FoundMutation {
  edits: Edit[];
  /** When the match says which of the entry's pitfalls it is (an upstream's error listener: proxy-no-upstream-error). */
  pitfall?: string;
}

export interface MutationContext {
  ts: typeof TS;
  source: TS.SourceFile;
  text: string;
}

export function contextFor(file: string, text: string): MutationContext {
  const ts = loadTypeScript();
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.m?jsx?$|\.cjs$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  return { ts, source, text };
}

export function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  // From the end backwards, so earlier offsets stay valid; equal starts keep their listed order.
  const ordered = edits.map((edit, index) => ({ edit, index })).sort((a, b) => b.edit.start - a.edit.start || b.index - a.index);
  for (const { edit } of ordered) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** Every node under `root` (itself included) for which `test` holds, in source order. */
export function nodes<T extends TS.Node>(context: MutationContext, test: (node: TS.Node) => node is T, root: TS.Node = context.source): T[] {
  const found: T[] = [];
  const visit = (node: TS.Node): void => {
    if (test(node)) found.push(node);
    context.ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

export function replaceNode(context: MutationContext, node: TS.Node, text: string): Edit {
  return { start: node.getStart(context.source), end: node.end, text };
}

export function textOf(context: MutationContext, node: TS.Node): string {
  return node.getText(context.source);
}

/** The whole line(s) a statement stands on, when nothing else but a trailing comment shares them. */
function ownLines(context: MutationContext, node: TS.Node, comma = false): { start: number; end: number } | null {
  const { text } = context;
  const start = node.getStart(context.source);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') return null;
  const newline = text.indexOf('\n', node.end);
  const lineEnd = newline === -1 ? text.length : newline + 1;
  const rest = text.slice(node.end, lineEnd).trim().replace(comma ? /^,/ : /^$/, '').trim();
  if (rest !== '' && !rest.startsWith('//')) return null;
  return { start: lineStart, end: lineEnd };
}

/**
 * Deletes a statement. Alone on its line(s), the lines go; the direct body of an
 * `if` or a loop becomes `;` (an empty statement) so the code around still means
 * what it did.
 */
export function removeStatement(context: MutationContext, statement: TS.Statement): Edit {
  const { ts } = context;
  const parent = statement.parent;
  const inList = ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isModuleBlock(parent);
  if (!inList) return replaceNode(context, statement, ';');
  const lines = ownLines(context, statement);
  return lines ? { ...lines, text: '' } : replaceNode(context, statement, '');
}

/** Moves `statement` to just after `after` (both in the same list), keeping its indentation. */
export function moveStatementAfter(context: MutationContext, statement: TS.Statement, after: TS.Statement): Edit[] {
  const own = ownLines(context, statement);
  const target = ownLines(context, after);
  if (!own || !target) return [];
  const moved = context.text.slice(own.start, own.end);
  return [{ start: own.start, end: own.end, text: '' }, { start: target.end, end: target.end, text: moved.endsWith('\n') ? moved : `${moved}\n` }];
}

/** Removes one property of an object literal, with its comma; the only one leaves `{}`. */
export function removeProperty(context: MutationContext, property: TS.ObjectLiteralElementLike): Edit {
  const object = property.parent as TS.ObjectLiteralExpression;
  const all = object.properties;
  const index = all.indexOf(property);
  if (all.length === 1) return replaceNode(context, object, '{}');
  // One property per line (with its comma and comment): the line goes.
  const lines = ownLines(context, property, true);
  if (lines) return { ...lines, text: '' };
  if (index < all.length - 1) return { start: property.getStart(context.source), end: all[index + 1].getStart(context.source), text: '' };
  return { start: all[index - 1].end, end: property.end, text: '' };
}

/** `a.b.name(...)`: the method's name, else null. */
export function methodName(context: MutationContext, call: TS.CallExpression): string | null {
  return context.ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : null;
}

/** `a.b.name(...)`: the receiver `a.b` as written, else null. */
export function receiverText(context: MutationContext, call: TS.CallExpression): string | null {
  return context.ts.isPropertyAccessExpression(call.expression) ? textOf(context, call.expression.expression) : null;
}

/** Calls of a method (`x.name(...)`) or a function (`name(...)`) with one of `names`. */
export function callsOf(context: MutationContext, names: readonly string[]): TS.CallExpression[] {
  const { ts } = context;
  return nodes(context, (node): node is TS.CallExpression => {
    if (!ts.isCallExpression(node)) return false;
    const callee = node.expression;
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : null;
    return name !== null && names.includes(name);
  });
}

/** The expression statement a call stands as, else null (a call inside a larger expression). */
export function statementOf(context: MutationContext, call: TS.CallExpression): TS.ExpressionStatement | null {
  return context.ts.isExpressionStatement(call.parent) ? call.parent : null;
}

/** A string literal's value (quotes of any kind), else null. */
export function stringValue(context: MutationContext, node: TS.Node | undefined): string | null {
  if (!node) return null;
  return context.ts.isStringLiteral(node) || context.ts.isNoSubstitutionTemplateLiteral(node) ? node.text : null;
}

/** An object literal property's name, for `Allow:`, `'Content-Type':` and `keepAlive` alike. */
export function propertyName(context: MutationContext, property: TS.ObjectLiteralElementLike): string | null {
  const { ts } = context;
  if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) return null;
  const name = property.name;
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : null;
}

/** Wraps an expression's text in parentheses unless it is already a simple operand. */
export function operand(context: MutationContext, node: TS.Expression): string {
  const { ts } = context;
  const simple = ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isCallExpression(node) || ts.isElementAccessExpression(node) || ts.isParenthesizedExpression(node);
  return simple ? textOf(context, node) : `(${textOf(context, node)})`;
}
