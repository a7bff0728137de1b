/**
 * Completion and quick info without building a program: the request's text is parsed and
 * bound on its own and asked of the current program's checker, which already knows every
 * global, earlier cell and engine type. Only the common shapes are answered here (`expr.pre`,
 * a bare identifier); anything else returns undefined and goes to the language service.
 */
import ts from 'typescript';

export interface FastCompletions {
  readonly names: string[];
  readonly kinds: Map<string, string>;
}

export interface FastQuickInfo {
  readonly signature: string;
  readonly documentation: string;
  readonly tags: ts.JSDocTagInfo[];
}

/**
 * Completion without a new program, for the two common cases: `expr.prefix` (members of the
 * expression's type) and a bare identifier prefix (symbols in scope). The text is parsed and
 * bound on its own and asked of the current checker. Undefined means "use the language
 * service" (no current program, strings, comments, anything else).
 */
export function fastCompletionsAt(checker: ts.TypeChecker, bind: () => ts.SourceFile, code: string, pos: number): FastCompletions | undefined {
  let start = pos;
  while (start > 0 && /[\w$]/.test(code[start - 1]!)) start -= 1;
  if (start === pos && code[pos - 1] !== '.') return undefined;
  if (start < pos && /[0-9]/.test(code[start]!)) return undefined;
  const sf = bind();
  const kinds = new Map<string, string>();
  const add = (sym: ts.Symbol): void => {
    const name = sym.name;
    if (name.startsWith('__') || name.startsWith('#') || kinds.has(name)) return;
    const decl = sym.declarations?.[0];
    if (decl && ts.getCombinedModifierFlags(decl as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return;
    kinds.set(name, symbolKind(sym));
  };
  const node = deepestAt(sf, Math.max(0, pos - 1));
  if (start === pos || code[start - 1] === '.') {
    // member access: `expr.` or `expr.pre`
    const access = node && findAncestor(node, (n): n is ts.PropertyAccessExpression => ts.isPropertyAccessExpression(n) && n.name.end === pos);
    if (!access) return undefined;
    const type = checker.getTypeAtLocation(access.expression);
    for (const p of checker.getApparentType(type).getApparentProperties()) add(p);
  } else {
    if (!node || !ts.isIdentifier(node) || node.end !== pos) return undefined;
    if (node.parent && (ts.isPropertyAccessExpression(node.parent) || ts.isQualifiedName(node.parent) || ts.isPropertyAssignment(node.parent) || ts.isImportSpecifier(node.parent))) return undefined;
    for (const sym of checker.getSymbolsInScope(node, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias)) add(sym);
  }
  const prefix = code.slice(start, pos);
  const names = [...kinds.keys()].filter((n) => n.startsWith(prefix)).sort();
  return { names, kinds };
}

/** Quick info for the identifier at (or just before) `pos` from the current checker, or undefined. */
export function fastQuickInfoAt(checker: ts.TypeChecker, sf: ts.SourceFile, pos: number): FastQuickInfo | undefined {
  let node = deepestAt(sf, pos);
  if (!node || !ts.isIdentifier(node)) node = pos > 0 ? deepestAt(sf, pos - 1) : undefined;
  if (!node || !ts.isIdentifier(node)) return undefined;
  let sym = checker.getSymbolAtLocation(node);
  if (!sym) return undefined;
  if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const kind = symbolKind(sym);
  const decl = sym.declarations?.[0];
  const owner = decl && (ts.isClassElement(decl) || ts.isTypeElement(decl)) && decl.parent && 'name' in decl.parent && decl.parent.name && ts.isIdentifier(decl.parent.name as ts.Node) ? `${(decl.parent.name as ts.Identifier).text}.` : '';
  const type = checker.getTypeOfSymbolAtLocation(sym, node);
  let signature: string;
  const sigs = type.getCallSignatures();
  if (sym.flags & ts.SymbolFlags.Class) signature = `class ${sym.name}`;
  else if (sym.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias) && !(sym.flags & ts.SymbolFlags.Value)) signature = `${kind} ${sym.name}`;
  else if ((kind === 'method' || kind === 'function') && sigs.length > 0) signature = `(${kind}) ${owner}${sym.name}${checker.signatureToString(sigs[0]!)}${sigs.length > 1 ? ` (+${sigs.length - 1} overload${sigs.length > 2 ? 's' : ''})` : ''}`;
  else signature = `(${kind}) ${owner}${sym.name}: ${checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation)}`;
  return { signature, documentation: ts.displayPartsToString(sym.getDocumentationComment(checker)), tags: sym.getJsDocTags(checker) };
}

function deepestAt(sf: ts.SourceFile, pos: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (pos < node.getStart(sf) || pos >= node.end) return;
    found = node;
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}

function findAncestor<T extends ts.Node>(node: ts.Node, test: (n: ts.Node) => n is T): T | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (test(n)) return n;
  return undefined;
}

function symbolKind(sym: ts.Symbol): string {
  const f = sym.flags;
  if (f & ts.SymbolFlags.Method) return 'method';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & (ts.SymbolFlags.Property | ts.SymbolFlags.Accessor)) return 'property';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & (ts.SymbolFlags.Module | ts.SymbolFlags.Alias)) return 'module';
  return 'variable';
}

/** The identifier that starts exactly at `pos`, if any. */
export function findIdentifierAt(sf: ts.SourceFile, pos: number): ts.Identifier | undefined {
  let found: ts.Identifier | undefined;
  const visit = (node: ts.Node): void => {
    if (found || pos < node.pos || pos >= node.end) return;
    if (ts.isIdentifier(node) && node.getStart(sf) === pos) {
      found = node;
      return;
    }
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return found;
}
