/**
 * is_complete for TypeScript: parse the code; no errors → complete; errors only at the very
 * end (an unclosed brace, parenthesis, template or comment, a dangling operator) →
 * incomplete, with the indent for the next line; errors before the end → invalid.
 */
import ts from 'typescript';
import type { IsCompleteResult } from '../interpreter';
import { incompleteWithIndent } from './continuation-indent';


export function isCompleteCode(code: string): IsCompleteResult {
  if (code.trim() === '') return { status: 'complete' };
  const sf = ts.createSourceFile('is-complete.ts', code, { languageVersion: ts.ScriptTarget.ES2022, setExternalModuleIndicator: () => undefined }, false, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  if (diags.length === 0) {
    // A trailing backslash-free, balanced cell is complete; a cell ending in an operator is not.
    return { status: 'complete' };
  }
  const end = code.trimEnd().length;
  const atEnd = (d: ts.Diagnostic): boolean => {
    const start = d.start ?? 0;
    if (start >= end) return true;
    // Unterminated template literals and comments are reported where they start.
    return d.code === 1160 || d.code === 1010;
  };
  // An unterminated '…' or "…" string cannot continue on the next line.
  if (diags.some((d) => d.code === 1002) || !diags.every(atEnd)) return { status: 'invalid' };
  return incompleteWithIndent(code);
}
