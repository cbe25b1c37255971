// The eraser behind strip-types.ts: walks a TypeScript file's syntax tree and
// collects the ranges of type syntax to delete, leaving every other character
// (comments, blank lines, indentation, quotes) where the author put it. What it
// does not handle (enum, namespace, parameter properties, a decorator) throws
// Unsupported, and strip-types.ts falls back to TypeScript's own emit.

import type * as TS from 'typescript';

type Ts = typeof TS;

export class Unsupported extends Error {}

interface Edit {
  start: number;
  end: number;
}

/** `text` with its type syntax cut out (throws Unsupported). */
export function erase(ts: Ts, text: string, fileName: string): string {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const eraser = new TypeEraser(ts, text, file);
  ts.forEachChild(file, (node) => eraser.visit(node));
  return applyEdits(text, eraser.edits);
}

const TYPE_MODIFIERS = ['PublicKeyword', 'PrivateKeyword', 'ProtectedKeyword', 'ReadonlyKeyword', 'OverrideKeyword', 'AbstractKeyword'] as const;

class TypeEraser {
  readonly edits: Edit[] = [];

  constructor(
    private readonly ts: Ts,
    private readonly text: string,
    private readonly file: TS.SourceFile,
  ) {}

  visit(node: TS.Node): void {
    const { ts } = this;
    // Types are cut where they are attached; nothing inside one is JavaScript.
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (this.visitByKind(node)) return;
    if (this.visitDeclaration(node)) return;
    if ((ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node) || ts.isExpressionWithTypeArguments(node)) && node.typeArguments) {
      this.cutList(node.typeArguments);
    }
    this.visitChildren(node);
  }

  private visitChildren(node: TS.Node): void {
    this.ts.forEachChild(node, (child) => this.visit(child));
  }

  /** Declarations that are all type, imports and exports, type assertions. True when the node is done. */
  private visitByKind(node: TS.Node): boolean {
    const { ts } = this;
    switch (node.kind) {
      case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
      case ts.SyntaxKind.IndexSignature:
        this.cutWhole(node);
        return true;
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
      case ts.SyntaxKind.ImportEqualsDeclaration:
      case ts.SyntaxKind.Decorator:
        if (this.hasDeclare(node)) {
          this.cutWhole(node);
          return true;
        }
        throw new Unsupported(ts.SyntaxKind[node.kind]);
      case ts.SyntaxKind.ImportDeclaration:
        this.visitImport(node as TS.ImportDeclaration);
        return true;
      case ts.SyntaxKind.ExportDeclaration:
        this.visitExport(node as TS.ExportDeclaration);
        return true;
      case ts.SyntaxKind.HeritageClause:
        if ((node as TS.HeritageClause).token === ts.SyntaxKind.ImplementsKeyword) {
          this.cut(this.trimLeft(node.getStart(this.file)), node.end);
          return true;
        }
        return false;
      case ts.SyntaxKind.ParenthesizedExpression:
        this.unwrapParentheses(node as TS.ParenthesizedExpression);
        return false;
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.SatisfiesExpression:
        this.cut(this.trimLeft((node as TS.AsExpression).expression.end), node.end);
        this.visit((node as TS.AsExpression).expression);
        return true;
      case ts.SyntaxKind.NonNullExpression:
        this.cut((node as TS.NonNullExpression).expression.end, node.end);
        this.visit((node as TS.NonNullExpression).expression);
        return true;
      case ts.SyntaxKind.TypeAssertionExpression:
        this.cut(node.getStart(this.file), (node as TS.TypeAssertion).expression.getStart(this.file));
        this.visit((node as TS.TypeAssertion).expression);
        return true;
    }
    return false;
  }

  private visitImport(declaration: TS.ImportDeclaration): void {
    const { ts } = this;
    const clause = declaration.importClause;
    if (clause?.isTypeOnly) return this.cutWhole(declaration);
    const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : null;
    if (named && named.elements.length > 0 && named.elements.every((element) => element.isTypeOnly)) {
      if (!clause?.name) return this.cutWhole(declaration);
      return this.cut(clause.name.end, named.end);
    }
    for (const element of named?.elements ?? []) if (element.isTypeOnly) this.cutListItem(element, named!.elements);
  }

  private visitExport(declaration: TS.ExportDeclaration): void {
    if (declaration.isTypeOnly) return this.cutWhole(declaration);
    const clause = declaration.exportClause;
    if (clause && this.ts.isNamedExports(clause)) for (const element of clause.elements) if (element.isTypeOnly) this.cutListItem(element, clause.elements);
  }

  /** `(data as User).name` reads `data.name` once the type is gone. */
  private unwrapParentheses(node: TS.ParenthesizedExpression): void {
    const { ts } = this;
    let inner: TS.Expression = node.expression;
    while (ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner) || ts.isTypeAssertionExpression(inner)) inner = inner.expression;
    const simple = ts.isIdentifier(inner) || ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner) || ts.isCallExpression(inner) || inner.kind === ts.SyntaxKind.ThisKeyword;
    if (simple && inner !== node.expression) {
      this.cut(node.getStart(this.file), node.getStart(this.file) + 1);
      this.cut(node.end - 1, node.end);
    }
  }

  /** `declare`, overloads, parameters, variables, properties, classes, functions. True when the node is done. */
  private visitDeclaration(node: TS.Node): boolean {
    const { ts } = this;
    const overload = (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) && !node.body;
    if ((ts.isStatement(node) && this.hasDeclare(node)) || overload || (ts.isClassElement(node) && this.hasDeclare(node))) {
      this.cutWhole(node);
      return true;
    }
    if (ts.isParameter(node)) {
      this.visitParameter(node);
      return true;
    }
    if (ts.isVariableDeclaration(node)) {
      this.cutToken(node.exclamationToken);
      this.cutAnnotation(node.type, node.name.end);
      this.visit(node.name);
      if (node.initializer) this.visit(node.initializer);
      return true;
    }
    if (ts.isPropertyDeclaration(node)) {
      this.visitProperty(node);
      return true;
    }
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      this.cutTypeModifiers(node);
      this.cutList(node.typeParameters);
    }
    if (!ts.isFunctionLike(node)) return false;
    this.visitFunction(node);
    return true;
  }

  private visitParameter(node: TS.ParameterDeclaration): void {
    if (this.ts.isIdentifier(node.name) && node.name.text === 'this') return this.cutListItem(node, (node.parent as TS.SignatureDeclaration).parameters);
    if (this.modifierKinds(node).length > 0) throw new Unsupported('parameter property');
    this.cutToken(node.questionToken);
    this.cutAnnotation(node.type, node.name.end);
    if (node.initializer) this.visit(node.initializer);
    this.visit(node.name);
  }

  private visitProperty(node: TS.PropertyDeclaration): void {
    if (this.modifierKinds(node).includes(this.ts.SyntaxKind.AbstractKeyword)) return this.cutWhole(node);
    this.cutTypeModifiers(node);
    this.cutToken(node.questionToken);
    this.cutToken(node.exclamationToken);
    this.cutAnnotation(node.type, node.name.end);
    if (node.initializer) this.visit(node.initializer);
  }

  private visitFunction(node: TS.SignatureDeclaration): void {
    const { ts } = this;
    if (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node) || ts.isConstructorDeclaration(node)) this.cutTypeModifiers(node);
    const signature = node as TS.SignatureDeclarationBase;
    this.cutList(signature.typeParameters);
    if (signature.type) {
      const lastParameter = signature.parameters[signature.parameters.length - 1];
      this.cutAnnotation(signature.type, lastParameter ? lastParameter.end : node.getStart(this.file));
    }
    if ((ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node)) && (node as TS.MethodDeclaration).questionToken) this.cutToken((node as TS.MethodDeclaration).questionToken);
    for (const child of signature.parameters) this.visit(child);
    const body = (node as TS.FunctionLikeDeclarationBase).body;
    if ('name' in node && node.name) this.visit(node.name as TS.Node);
    if (body) this.visit(body);
  }

  // ------------------------------------------------------------ the cuts

  private cut(start: number, end: number): void {
    if (end > start) this.edits.push({ start, end });
  }

  /** Removes a whole statement or member, and its line when nothing else is on it. */
  private cutWhole(node: TS.Node): void {
    const { text } = this;
    let start = node.getStart(this.file);
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
    this.cut(start, end);
  }

  /** `: Type` — from the colon before the type to the type's end. */
  private cutAnnotation(type: TS.TypeNode | undefined, after: number): void {
    if (!type) return;
    const colon = this.text.lastIndexOf(':', type.getStart(this.file));
    if (colon < after) throw new Unsupported('annotation without a colon');
    this.cut(this.trimLeft(colon), type.end);
  }

  /** Trailing spaces before `from` go too: `x : T` -> `x`. */
  private trimLeft(index: number): number {
    let i = index;
    while (i > 0 && (this.text[i - 1] === ' ' || this.text[i - 1] === '\t')) i--;
    return i;
  }

  private cutList(list: TS.NodeArray<TS.Node> | undefined): void {
    if (!list) return;
    const open = this.text.lastIndexOf('<', list.pos);
    const close = this.text.indexOf('>', list.end);
    if (open < 0 || close < 0) throw new Unsupported('type argument list');
    this.cut(open, close + 1);
  }

  private cutToken(token: TS.Node | undefined): void {
    if (token) this.cut(token.getStart(this.file), token.end);
  }

  /** Removes an element of a comma-separated list with its comma. */
  private cutListItem(node: TS.Node, list: readonly TS.Node[]): void {
    const index = list.indexOf(node);
    if (index < list.length - 1) this.cut(node.getStart(this.file), list[index + 1].getStart(this.file));
    else if (index > 0) this.cut(list[index - 1].end, node.end);
    else this.cut(node.getStart(this.file), node.end);
  }

  private cutTypeModifiers(node: TS.Node): void {
    const kinds: TS.SyntaxKind[] = TYPE_MODIFIERS.map((name) => this.ts.SyntaxKind[name]);
    for (const modifier of this.modifiers(node)) {
      if (!kinds.includes(modifier.kind)) continue;
      let end = modifier.end;
      while (this.text[end] === ' ' || this.text[end] === '\t') end++;
      this.cut(modifier.getStart(this.file), end);
    }
  }

  private modifiers(node: TS.Node): readonly TS.ModifierLike[] {
    return this.ts.canHaveModifiers(node) ? (this.ts.getModifiers(node) ?? []) : [];
  }

  private modifierKinds(node: TS.Node): TS.SyntaxKind[] {
    return this.modifiers(node).map((modifier) => modifier.kind);
  }

  private hasDeclare(node: TS.Node): boolean {
    return this.modifierKinds(node).includes(this.ts.SyntaxKind.DeclareKeyword);
  }
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
