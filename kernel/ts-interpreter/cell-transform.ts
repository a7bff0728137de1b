/**
 * Cell source → a script for `vm`. Top-level bindings become properties of the global object
 * (`const`/`let` → `var`, classes → `var C = class C`, imports → assignments) so that a later
 * cell, or the same cell run again, can declare them again. A cell with top-level `await` runs
 * inside an async arrow function whose first line also copies its function declarations out.
 * All rewriting is by edits that keep the cell's lines, so errors map back without source maps.
 */
import ts from 'typescript';
import { EditedText, type TextEdit } from './edit-map';
import { guardLoopsInJs, loopGuardEdits } from './loop-guards';
import { collectTypeErasures } from './strip-types';

export type DeclaredKind = 'var' | 'let' | 'const' | 'function' | 'class' | 'enum' | 'namespace' | 'import' | 'type';

export interface DeclaredName {
  readonly name: string;
  readonly kind: DeclaredKind;
}

export interface CellAnalysis {
  readonly code: string;
  readonly sourceFile: ts.SourceFile;
  readonly names: readonly DeclaredName[];
  readonly hasImports: boolean;
  readonly hasTopLevelAwait: boolean;
  readonly hasResult: boolean;
}

export interface CompiledCell {
  /** Script text: one prologue line, then the cell body with its own line numbers. */
  readonly js: string;
  /** The body (everything after the prologue line) and its map back to the cell. */
  readonly body: EditedText;
  readonly isAsync: boolean;
  readonly hasResult: boolean;
}

/** Tells whether an import binding denotes a value (type-only bindings are not assigned). */
export type ImportFilter = (node: ts.ImportClause | ts.NamespaceImport | ts.ImportSpecifier) => boolean;

const forceModule = (sf: ts.SourceFile): void => {
  (sf as { externalModuleIndicator?: unknown }).externalModuleIndicator = true;
};

/** Parses a cell the way the type checker sees it: a module, so top-level await is legal. */
export function parseCell(code: string, fileName = 'cell.ts'): ts.SourceFile {
  return ts.createSourceFile(
    fileName,
    code,
    { languageVersion: ts.ScriptTarget.ES2022, impliedNodeFormat: ts.ModuleKind.ESNext, setExternalModuleIndicator: forceModule },
    true,
    ts.ScriptKind.TS,
  );
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

function containsTopLevelAwait(node: ts.Node): boolean {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) return true;
  if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) return true;
  return ts.forEachChild(node, containsTopLevelAwait) ?? false;
}

function declaredNames(stmt: ts.Statement): DeclaredName[] {
  if (ts.isVariableStatement(stmt)) {
    const flags = stmt.declarationList.flags;
    const kind: DeclaredKind = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
    const names: string[] = [];
    for (const d of stmt.declarationList.declarations) bindingNames(d.name, names);
    return names.map((name) => ({ name, kind }));
  }
  const named = (n: { name?: ts.Node }, kind: DeclaredKind): DeclaredName[] =>
    n.name && ts.isIdentifier(n.name) ? [{ name: n.name.text, kind }] : [];
  if (ts.isFunctionDeclaration(stmt)) return named(stmt, 'function');
  if (ts.isClassDeclaration(stmt)) return named(stmt, 'class');
  if (ts.isEnumDeclaration(stmt)) return named(stmt, 'enum');
  if (ts.isModuleDeclaration(stmt)) return ts.isIdentifier(stmt.name) ? named(stmt, 'namespace') : [];
  if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) return named(stmt, 'type');
  if (ts.isImportEqualsDeclaration(stmt)) return named(stmt, 'import');
  if (ts.isImportDeclaration(stmt) && stmt.importClause) {
    const c = stmt.importClause;
    const out: DeclaredName[] = [];
    const kind: DeclaredKind = c.isTypeOnly ? 'type' : 'import';
    if (c.name) out.push({ name: c.name.text, kind });
    if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) out.push({ name: c.namedBindings.name.text, kind });
    if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
      for (const s of c.namedBindings.elements) out.push({ name: s.name.text, kind: s.isTypeOnly ? 'type' : kind });
    }
    return out;
  }
  return [];
}

/** Parses a cell and finds what it declares, imports and whether it awaits at top level. */
export function analyzeCell(code: string, sourceFile?: ts.SourceFile): CellAnalysis {
  const sf = sourceFile ?? parseCell(code);
  const names = new Map<string, DeclaredName>();
  let hasImports = false;
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt) || ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) hasImports = true;
    if (hasModifier(stmt, ts.SyntaxKind.DeclareKeyword) && !ts.isModuleDeclaration(stmt)) {
      for (const d of declaredNames(stmt)) names.set(d.name, d);
      continue;
    }
    for (const d of declaredNames(stmt)) names.set(d.name, d);
  }
  const last = sf.statements[sf.statements.length - 1];
  const hasResult =
    last !== undefined &&
    ts.isExpressionStatement(last) &&
    !(ts.isBinaryExpression(last.expression) && last.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken);
  return { code, sourceFile: sf, names: [...names.values()], hasImports, hasTopLevelAwait: sf.statements.some(containsTopLevelAwait), hasResult };
}

const VALUE_KINDS = new Set<DeclaredKind>(['var', 'let', 'const', 'function', 'class', 'enum', 'namespace', 'import']);

function padLines(replacement: string, original: string): string {
  const want = original.split('\n').length - 1;
  const have = replacement.split('\n').length - 1;
  return want > have ? replacement + '\n'.repeat(want - have) : replacement;
}

function transpileStatement(text: string): string {
  const out = ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, useDefineForClassFields: true, sourceMap: false, removeComments: true },
    reportDiagnostics: false,
  }).outputText;
  return out.replace(/\/\/# sourceMappingURL=.*$/m, '').replace(/^export \{\};?\s*$/m, '').trim();
}

/**
 * Rewrites an analysed cell into a script; `runtime` names the global helper object. With
 * `guardLoops`, loop bodies that may run outside breakOnSigint first call the interrupt guard
 * (loop-guards.ts).
 */
export function compileCell(a: CellAnalysis, runtime: string, isValueImport: ImportFilter = () => true, guardLoops = false): CompiledCell {
  const sf = a.sourceFile;
  const text = a.code;
  const isAsync = a.hasTopLevelAwait;
  const edits: TextEdit[] = [];
  const functionNames: string[] = [];
  const last = sf.statements[sf.statements.length - 1];
  const rewriteLastAsResult = (expr: ts.Expression): void => {
    edits.push({ start: expr.getStart(sf), end: expr.getStart(sf), text: 'return { value: (' });
    edits.push({ start: expr.end, end: expr.end, text: ') };' });
  };

  for (const stmt of sf.statements) {
    const start = stmt.getStart(sf);
    const original = text.slice(start, stmt.end);
    if (ts.isImportDeclaration(stmt)) {
      const clause = stmt.importClause;
      if (clause?.isTypeOnly) {
        edits.push({ start, end: stmt.end, text: padLines('', original) });
        continue;
      }
      const spec = JSON.stringify((stmt.moduleSpecifier as ts.StringLiteral).text);
      const parts = [`{ const __m = ${runtime}.require(${spec});`];
      if (clause?.name && isValueImport(clause)) parts.push(`${clause.name.text} = ${runtime}.defaultOf(__m);`);
      const nb = clause?.namedBindings;
      if (nb && ts.isNamespaceImport(nb) && isValueImport(nb)) parts.push(`${nb.name.text} = ${runtime}.namespaceOf(__m);`);
      if (nb && ts.isNamedImports(nb)) {
        for (const s of nb.elements) {
          if (s.isTypeOnly || !isValueImport(s)) continue;
          const imported = (s.propertyName ?? s.name).text;
          parts.push(imported === 'default' ? `${s.name.text} = ${runtime}.defaultOf(__m);` : `${s.name.text} = __m[${JSON.stringify(imported)}];`);
        }
      }
      parts.push('}');
      edits.push({ start, end: stmt.end, text: padLines(parts.join(' '), original) });
      continue;
    }
    if (ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) {
      edits.push({ start, end: stmt.end, text: padLines('', original) });
      continue;
    }
    if (ts.isImportEqualsDeclaration(stmt) && !stmt.isTypeOnly) {
      const ref = stmt.moduleReference;
      const value = ts.isExternalModuleReference(ref)
        ? `${runtime}.require(${JSON.stringify((ref.expression as ts.StringLiteral).text)})`
        : ref.getText(sf);
      edits.push({ start, end: stmt.end, text: padLines(`${stmt.name.text} = ${value};`, original) });
      continue;
    }

    // `export` in a cell only marks the binding; the binding itself is global anyway.
    for (const m of ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) ?? [] : []) {
      if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
        edits.push({ start: m.getStart(sf), end: m.end, text: ' '.repeat(m.end - m.getStart(sf)) });
      }
    }
    const erasures: TextEdit[] = [];
    if (collectTypeErasures(stmt, sf, erasures)) {
      edits.push(...erasures);
      if (hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) continue;
      if (guardLoops) edits.push(...loopGuardEdits(stmt, sf, isAsync));
      if (ts.isVariableStatement(stmt)) {
        const list = stmt.declarationList;
        const kwStart = list.getStart(sf);
        const kw = /^(const|let|var)\b/.exec(text.slice(kwStart));
        if (!kw) continue; // `using` declarations stay as written
        if (!isAsync) {
          if (kw[1] !== 'var') edits.push({ start: kwStart, end: kwStart + kw[1]!.length, text: 'var'.padEnd(kw[1]!.length) });
          // `let x;` run again must reset x, as a fresh `let` would (a bare `var x;` keeps it)
          for (const d of list.declarations) if (!d.initializer && kw[1] === 'let') edits.push({ start: d.end, end: d.end, text: ' = undefined' });
        } else {
          edits.push({ start: kwStart, end: kwStart + kw[1]!.length, text: ';('.padEnd(kw[1]!.length) });
          for (const d of list.declarations) if (!d.initializer && kw[1] === 'let') edits.push({ start: d.end, end: d.end, text: ' = undefined' });
          edits.push({ start: list.end, end: list.end, text: ')' });
        }
      } else if (ts.isClassDeclaration(stmt) && stmt.name) {
        edits.push({ start, end: start, text: isAsync ? `;${stmt.name.text} = ` : `var ${stmt.name.text} = ` });
        edits.push({ start: stmt.end, end: stmt.end, text: ';' });
      } else if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
        functionNames.push(stmt.name.text);
      } else if (isAsync && stmt === last && a.hasResult && ts.isExpressionStatement(stmt)) {
        rewriteLastAsResult(stmt.expression);
      }
      continue;
    }

    // Not erasable: let the compiler emit this one statement, then apply the same rules.
    let js = transpileStatement(original);
    if (guardLoops) js = guardLoopsInJs(js, isAsync);
    if (ts.isVariableStatement(stmt)) {
      js = js.replace(/^(const|let) /, 'var ');
      if (isAsync) {
        const names: string[] = [];
        for (const d of stmt.declarationList.declarations) bindingNames(d.name, names);
        js += names.map((n) => ` globalThis[${JSON.stringify(n)}] = ${n};`).join('');
      }
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      const n = stmt.name.text;
      js = js.replace(new RegExp(`^(let|var) ${n} = `), '');
      js = `${isAsync ? ';' : 'var '}${n} = ${js};`;
    } else if ((ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) && ts.isIdentifier(stmt.name)) {
      if (isAsync) js = js.replace(new RegExp(`^(var|let) ${stmt.name.text};`), '');
      else js = js.replace(new RegExp(`^let ${stmt.name.text};`), `var ${stmt.name.text};`);
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      functionNames.push(stmt.name.text);
    } else if (isAsync && stmt === last && a.hasResult) {
      js = `return { value: (${js.replace(/;\s*$/, '')}) };`;
    }
    edits.push({ start, end: stmt.end, text: padLines(js, original) });
  }

  const body = new EditedText(text, edits);
  const valueNames = a.names.filter((n) => VALUE_KINDS.has(n.kind)).map((n) => n.name);
  const decl = valueNames.length > 0 ? `var ${valueNames.join(', ')}; ` : '';
  const js = isAsync
    ? `${decl}(async () => { ${functionNames.map((f) => `globalThis[${JSON.stringify(f)}] = ${f};`).join(' ')}\n${body.text}\n})()`
    : `${decl}\n${body.text}`;
  return { js, body, isAsync, hasResult: a.hasResult };
}
