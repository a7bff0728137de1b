/**
 * Type erasure by blanking: every piece of TypeScript-only syntax in a statement is replaced
 * by spaces (line breaks kept), so the JavaScript left behind has the cell's exact lines and
 * columns. Syntax that has runtime meaning (enums, namespaces with values, parameter
 * properties, decorators, `import x = require()`) is reported as not erasable; the caller
 * then transpiles that statement with the TypeScript compiler instead.
 */
import ts from 'typescript';
import { blankOut, type TextEdit } from './edit-map';

const ERASABLE_MODIFIERS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
  ts.SyntaxKind.OverrideKeyword,
  ts.SyntaxKind.AbstractKeyword,
  ts.SyntaxKind.InKeyword,
  ts.SyntaxKind.OutKeyword,
  ts.SyntaxKind.ConstKeyword, // `const` type parameter modifier; enum `const` is handled before
]);

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function isTypeOnlyModule(node: ts.ModuleDeclaration): boolean {
  let body: ts.ModuleBody | undefined = node.body;
  while (body && ts.isModuleDeclaration(body)) body = body.body;
  if (!body || !ts.isModuleBlock(body)) return true;
  return body.statements.every((s) => ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || (ts.isModuleDeclaration(s) && isTypeOnlyModule(s)));
}

/** Collects blanking edits for `root`; returns false when `root` holds non-erasable syntax. */
export function collectTypeErasures(root: ts.Node, sf: ts.SourceFile, out: TextEdit[]): boolean {
  const text = sf.text;
  const local: TextEdit[] = [];
  let ok = true;
  const blank = (start: number, end: number): void => {
    if (end > start) local.push({ start, end, text: blankOut(text.slice(start, end)) });
  };
  /** Blanks `<...>` around a type argument/parameter list, verifying the brackets. */
  const blankAngles = (list: ts.NodeArray<ts.Node>): void => {
    const open = list.pos - 1;
    const close = text.indexOf('>', list.end);
    if (text[open] !== '<' || close < 0 || !/^[\s,]*$/.test(text.slice(list.end, close))) {
      ok = false;
      return;
    }
    blank(open, close + 1);
  };
  /** Blanks `: Type` given the type node (its colon sits just before its full start). */
  const blankTypeAnnotation = (type: ts.TypeNode): void => {
    if (text[type.pos - 1] !== ':') {
      ok = false;
      return;
    }
    blank(type.pos - 1, type.end);
  };
  const blankToken = (tok: ts.Node | undefined): void => {
    if (tok) blank(tok.getStart(sf), tok.end);
  };

  const visit = (node: ts.Node): void => {
    if (!ok) return;
    switch (node.kind) {
      case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
      case ts.SyntaxKind.IndexSignature:
        blank(node.getStart(sf), node.end);
        return;
      case ts.SyntaxKind.EnumDeclaration:
        if (hasModifier(node, ts.SyntaxKind.DeclareKeyword)) blank(node.getStart(sf), node.end);
        else ok = false;
        return;
      case ts.SyntaxKind.ModuleDeclaration:
        if (hasModifier(node, ts.SyntaxKind.DeclareKeyword) || isTypeOnlyModule(node as ts.ModuleDeclaration)) blank(node.getStart(sf), node.end);
        else ok = false;
        return;
      case ts.SyntaxKind.ImportEqualsDeclaration:
        if ((node as ts.ImportEqualsDeclaration).isTypeOnly) blank(node.getStart(sf), node.end);
        else ok = false;
        return;
      case ts.SyntaxKind.Decorator:
        ok = false;
        return;
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.SatisfiesExpression: {
        const e = node as ts.AsExpression | ts.SatisfiesExpression;
        visit(e.expression);
        blank(e.expression.end, e.end);
        return;
      }
      case ts.SyntaxKind.TypeAssertionExpression: {
        const e = node as ts.TypeAssertion;
        blank(e.getStart(sf), e.expression.getStart(sf));
        visit(e.expression);
        return;
      }
      case ts.SyntaxKind.NonNullExpression: {
        const e = node as ts.NonNullExpression;
        visit(e.expression);
        if (text[e.end - 1] === '!') blank(e.end - 1, e.end);
        else ok = false;
        return;
      }
      case ts.SyntaxKind.ExpressionWithTypeArguments: {
        const e = node as ts.ExpressionWithTypeArguments;
        visit(e.expression);
        if (e.typeArguments && e.typeArguments.length > 0) blankAngles(e.typeArguments);
        return;
      }
      case ts.SyntaxKind.HeritageClause:
        if ((node as ts.HeritageClause).token === ts.SyntaxKind.ImplementsKeyword) {
          blank(node.getStart(sf), node.end);
          return;
        }
        break;
      case ts.SyntaxKind.Parameter: {
        const p = node as ts.ParameterDeclaration;
        if (ts.isIdentifier(p.name) && p.name.text === 'this') {
          // `this: T` parameter: blank it together with the comma after it.
          const after = text.slice(p.end).match(/^\s*,/);
          blank(p.getStart(sf), p.end + (after ? after[0].length : 0));
          return;
        }
        const mods = ts.getModifiers(p) ?? [];
        if (mods.some((m) => m.kind !== ts.SyntaxKind.DeclareKeyword && ERASABLE_MODIFIERS.has(m.kind))) {
          ok = false; // parameter property: has a runtime assignment
          return;
        }
        break;
      }
      default:
        break;
    }

    // Whole declarations that exist only for the type checker.
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) && !node.body) {
      blank(node.getStart(sf), node.end);
      return;
    }
    if (hasModifier(node, ts.SyntaxKind.DeclareKeyword) || (ts.isClassElement(node) && hasModifier(node, ts.SyntaxKind.AbstractKeyword))) {
      blank(node.getStart(sf), node.end);
      return;
    }
    if (ts.canHaveModifiers(node) && !ts.isParameter(node)) {
      for (const m of ts.getModifiers(node) ?? []) if (ERASABLE_MODIFIERS.has(m.kind) && !(m.kind === ts.SyntaxKind.ConstKeyword && !ts.isTypeParameterDeclaration(node))) blankToken(m);
    }
    const n = node as {
      typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration>;
      typeArguments?: ts.NodeArray<ts.TypeNode>;
      type?: ts.TypeNode;
      questionToken?: ts.Node;
      exclamationToken?: ts.Node;
    };
    if (n.typeParameters && n.typeParameters.length > 0 && !ts.isTypeNode(node)) blankAngles(n.typeParameters);
    if (n.typeArguments && n.typeArguments.length > 0 && !ts.isTypeNode(node)) blankAngles(n.typeArguments);
    if (n.type && !ts.isTypeNode(node) && !ts.isTypeAssertionExpression(node)) blankTypeAnnotation(n.type);
    if ((ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && n.questionToken) blankToken(n.questionToken);
    if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && n.exclamationToken) blankToken(n.exclamationToken);

    node.forEachChild((child) => {
      if ((ts.isTypeNode(child) && !ts.isExpressionWithTypeArguments(child)) || ts.isTypeParameterDeclaration(child)) return; // already blanked with its owner
      visit(child);
    });
  };
  visit(root);
  if (ok) out.push(...local);
  return ok;
}
