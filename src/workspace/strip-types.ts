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

class Unsupported extends Error {}

interface Edit {
  start: number;
  end: number;
}

function erase(ts: Ts, text: string, fileName: string): string {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: Edit[] = [];
  const cut = (start: number, end: number) => {
    if (end > start) edits.push({ start, end });
  };
  /** Removes a whole statement or member, and its line when nothing else is on it. */
  const cutWhole = (node: TS.Node) => {
    let start = node.getStart(file);
    let end = node.end;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const lineEnd = text.indexOf('\n', end);
    const before = text.slice(lineStart, start);
    const after = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
    if (/^[ \t]*$/.test(before) && /^[ \t]*$/.test(after)) {
      start = lineStart;
      end = lineEnd < 0 ? text.length : lineEnd + 1;
      // A blank line above and below: drop the one below, so no double gap is left.
      const prefix = text.slice(Math.max(0, start - 200), start);
      const aboveBlank = start === 0 || /(^|\n)[ \t]*\n$/.test(prefix);
      const below = /^[ \t]*\n/.exec(text.slice(end));
      if (aboveBlank && below) end += below[0].length;
    }
    cut(start, end);
  };
  /** `: Type` — from the colon before the type to the type's end. */
  const cutAnnotation = (type: TS.TypeNode | undefined, after: number) => {
    if (!type) return;
    const colon = text.lastIndexOf(':', type.getStart(file));
    if (colon < after) throw new Unsupported('annotation without a colon');
    cut(trimLeft(colon), type.end);
  };
  /** Trailing spaces before `from` go too: `x : T` -> `x`. */
  const trimLeft = (index: number) => {
    let i = index;
    while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
    return i;
  };
  const cutList = (list: TS.NodeArray<TS.Node> | undefined) => {
    if (!list) return;
    const open = text.lastIndexOf('<', list.pos);
    const close = text.indexOf('>', list.end);
    if (open < 0 || close < 0) throw new Unsupported('type argument list');
    cut(open, close + 1);
  };
  const cutToken = (token: TS.Node | undefined) => {
    if (token) cut(token.getStart(file), token.end);
  };
  /** Removes an element of a comma-separated list with its comma. */
  const cutListItem = (node: TS.Node, list: readonly TS.Node[]) => {
    const index = list.indexOf(node);
    if (index < list.length - 1) cut(node.getStart(file), list[index + 1].getStart(file));
    else if (index > 0) cut(list[index - 1].end, node.end);
    else cut(node.getStart(file), node.end);
  };
  const modifierKinds = (node: TS.Node) => (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).map((modifier) => modifier.kind);
  const hasDeclare = (node: TS.Node) => modifierKinds(node).includes(ts.SyntaxKind.DeclareKeyword);

  const visit = (node: TS.Node): void => {
    // Types are cut where they are attached; nothing inside one is JavaScript.
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    switch (node.kind) {
      case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
      case ts.SyntaxKind.IndexSignature:
        cutWhole(node);
        return;
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
      case ts.SyntaxKind.ImportEqualsDeclaration:
      case ts.SyntaxKind.Decorator:
        if (hasDeclare(node)) {
          cutWhole(node);
          return;
        }
        throw new Unsupported(ts.SyntaxKind[node.kind]);
      case ts.SyntaxKind.ImportDeclaration: {
        const declaration = node as TS.ImportDeclaration;
        const clause = declaration.importClause;
        if (clause?.isTypeOnly) {
          cutWhole(node);
          return;
        }
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : null;
        if (named && named.elements.length > 0 && named.elements.every((element) => element.isTypeOnly)) {
          if (!clause?.name) {
            cutWhole(node);
            return;
          }
          cut(clause.name.end, named.end);
          return;
        }
        for (const element of named?.elements ?? []) if (element.isTypeOnly) cutListItem(element, named!.elements);
        return;
      }
      case ts.SyntaxKind.ExportDeclaration: {
        const declaration = node as TS.ExportDeclaration;
        if (declaration.isTypeOnly) {
          cutWhole(node);
          return;
        }
        const clause = declaration.exportClause;
        if (clause && ts.isNamedExports(clause)) for (const element of clause.elements) if (element.isTypeOnly) cutListItem(element, clause.elements);
        return;
      }
      case ts.SyntaxKind.HeritageClause:
        if ((node as TS.HeritageClause).token === ts.SyntaxKind.ImplementsKeyword) {
          cut(trimLeft(node.getStart(file)), node.end);
          return;
        }
        break;
      case ts.SyntaxKind.ParenthesizedExpression: {
        // `(data as User).name` reads `data.name` once the type is gone.
        let inner: TS.Expression = (node as TS.ParenthesizedExpression).expression;
        while (ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner) || ts.isTypeAssertionExpression(inner)) inner = inner.expression;
        const simple = ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner) || ts.isCallExpression(inner) || inner.kind === ts.SyntaxKind.ThisKeyword;
        if (simple && inner !== (node as TS.ParenthesizedExpression).expression) {
          cut(node.getStart(file), node.getStart(file) + 1);
          cut(node.end - 1, node.end);
        }
        break;
      }
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.SatisfiesExpression:
        cut(trimLeft((node as TS.AsExpression).expression.end), node.end);
        visit((node as TS.AsExpression).expression);
        return;
      case ts.SyntaxKind.NonNullExpression:
        cut((node as TS.NonNullExpression).expression.end, node.end);
        visit((node as TS.NonNullExpression).expression);
        return;
      case ts.SyntaxKind.TypeAssertionExpression:
        cut(node.getStart(file), (node as TS.TypeAssertion).expression.getStart(file));
        visit((node as TS.TypeAssertion).expression);
        return;
    }

    if (ts.isStatement(node) && hasDeclare(node)) {
      cutWhole(node);
      return;
    }
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) && !node.body) {
      cutWhole(node); // an overload signature
      return;
    }
    if (ts.isClassElement(node) && hasDeclare(node)) {
      cutWhole(node);
      return;
    }
    if (ts.isParameter(node)) {
      if (ts.isIdentifier(node.name) && node.name.text === 'this') {
        cutListItem(node, (node.parent as TS.SignatureDeclaration).parameters);
        return;
      }
      if (modifierKinds(node).length > 0) throw new Unsupported('parameter property');
      cutToken(node.questionToken);
      cutAnnotation(node.type, node.name.end);
      if (node.initializer) visit(node.initializer);
      visit(node.name);
      return;
    }
    if (ts.isVariableDeclaration(node)) {
      cutToken(node.exclamationToken);
      cutAnnotation(node.type, node.name.end);
      visit(node.name);
      if (node.initializer) visit(node.initializer);
      return;
    }
    if (ts.isPropertyDeclaration(node)) {
      if (modifierKinds(node).includes(ts.SyntaxKind.AbstractKeyword)) {
        cutWhole(node);
        return;
      }
      cutTypeModifiers(node);
      cutToken(node.questionToken);
      cutToken(node.exclamationToken);
      cutAnnotation(node.type, node.name.end);
      if (node.initializer) visit(node.initializer);
      return;
    }
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      cutTypeModifiers(node);
      cutList(node.typeParameters);
    }
    if (ts.isFunctionLike(node) && !ts.isParameter(node)) {
      if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isConstructorDeclaration(node)) cutTypeModifiers(node);
      const signature = node as TS.SignatureDeclarationBase;
      cutList(signature.typeParameters);
      if (signature.type) {
        const lastParameter = signature.parameters[signature.parameters.length - 1];
        cutAnnotation(signature.type, lastParameter ? lastParameter.end : node.getStart(file));
      }
      if ((ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node)) && (node as TS.MethodDeclaration).questionToken) cutToken((node as TS.MethodDeclaration).questionToken);
      for (const child of signature.parameters) visit(child);
      const body = (node as TS.FunctionLikeDeclarationBase).body;
      if ('name' in node && node.name) visit(node.name as TS.Node);
      if (body) visit(body);
      return;
    }
    if ((ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node) || ts.isExpressionWithTypeArguments(node)) && node.typeArguments) {
      cutList(node.typeArguments);
    }
    ts.forEachChild(node, visit);
  };
  const cutTypeModifiers = (node: TS.Node) => {
    for (const modifier of ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []) {
      if ([ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.ReadonlyKeyword, ts.SyntaxKind.OverrideKeyword, ts.SyntaxKind.AbstractKeyword].includes(modifier.kind)) {
        let end = modifier.end;
        while (text[end] === ' ' || text[end] === '\t') end++;
        cut(modifier.getStart(file), end);
      }
    }
  };

  ts.forEachChild(file, visit);
  return applyEdits(text, edits);
}

function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    if (edit.end <= at) continue; // inside an earlier cut
    out += text.slice(at, Math.max(at, edit.start));
    at = Math.max(at, edit.end);
  }
  return out + text.slice(at);
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
