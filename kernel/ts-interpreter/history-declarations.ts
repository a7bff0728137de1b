/**
 * History declarations: a cell's emitted .d.ts turned into statements for the history file's
 * `declare global { }` block, keyed by the name each declares.
 */
import ts from 'typescript';
import type { DeclaredKind } from './cell-transform';

export interface HistoryEntry {
  readonly cell: number;
  readonly kind: DeclaredKind;
  /**
   * The binding's declarations as text for `declare global { }` when the cell's declaration
   * file imports nothing (the common case): history then changes by text only, which lets the
   * next program reuse every other file's structure. Absent: aliased from the cell's .d.ts.
   */
  readonly inline?: readonly string[];
}


/**
 * A cell's declaration file as per-name statements for `declare global { }`, or undefined when
 * it imports anything (those stay in their own file). `declare`/`export` modifiers are dropped
 * (they are implied there) and multi-name variable statements are split, so a later cell can
 * supersede one name of a destructuring without touching the others.
 */
export function inlineDeclarations(dts: string): Map<string, string[]> | undefined {
  const sf = ts.createSourceFile('cell.d.ts', dts, ts.ScriptTarget.ES2022, true);
  const byName = new Map<string, string[]>();
  const push = (name: string, text: string): void => {
    const list = byName.get(name) ?? [];
    list.push(text);
    byName.set(name, list);
  };
  const withoutModifiers = (node: ts.Node): string => {
    const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : [];
    const from = mods.length > 0 ? mods[mods.length - 1]!.end : node.getStart(sf);
    return dts.slice(from, node.end).trim();
  };
  for (const stmt of sf.statements) {
    if (ts.isExportDeclaration(stmt) && !stmt.moduleSpecifier) continue;
    if (ts.isImportDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt) || ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) return undefined;
    if (/\bimport\(/.test(stmt.getText(sf))) return undefined;
    if (ts.isVariableStatement(stmt)) {
      const kw = stmt.declarationList.flags & ts.NodeFlags.Const ? 'const' : stmt.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) return undefined;
        push(d.name.text, `${kw} ${d.getText(sf)};`);
      }
      continue;
    }
    const name = (stmt as { name?: ts.Node }).name;
    if (!name || !ts.isIdentifier(name)) return undefined;
    const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) ?? [] : [];
    const keep = mods.filter((m) => m.kind !== ts.SyntaxKind.DeclareKeyword && m.kind !== ts.SyntaxKind.ExportKeyword).map((m) => m.getText(sf));
    push(name.text, [...keep, withoutModifiers(stmt)].join(' '));
  }
  return byName;
}

/** The history file: cells kept as .d.ts files are imported and aliased, inline ones pasted. */
export function historyFileText(history: ReadonlyMap<string, HistoryEntry>): string {
  const cells = [...new Set([...history.values()].filter((e) => !e.inline).map((e) => e.cell))].sort((x, y) => x - y);
  const lines = cells.map((c) => `import * as __c${c} from './.enginelab-cell-${c}';`);
  lines.push('declare global {');
  for (const [name, e] of history) {
    if (e.inline) {
      for (const t of e.inline) lines.push(`  ${t}`);
      continue;
    }
    const ref = `__c${e.cell}.${name}`;
    if (e.kind === 'var' || e.kind === 'let' || e.kind === 'function') lines.push(`  var ${name}: typeof ${ref};`);
    else if (e.kind === 'const') lines.push(`  const ${name}: typeof ${ref};`);
    else lines.push(`  export import ${name} = ${ref};`);
  }
  lines.push('}', 'export {};', '');
  return lines.join('\n');
}
