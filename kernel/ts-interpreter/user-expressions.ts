/**
 * execute_request's `user_expressions`: each expression is compiled like a one-line cell
 * (types stripped, no declarations) and evaluated after the cell, its value formatted as a
 * display bundle, a failure reported per expression without failing the cell.
 */
import vm from 'node:vm';
import type { UserExpressionResult } from '../interpreter';
import type { DisplayBundle } from '../display/mime';
import { analyzeCell, compileCell } from './cell-transform';
import { RUNTIME_GLOBAL } from './runtime-globals';

export function evaluateUserExpressions(exprs: Readonly<Record<string, string>>, format: (value: unknown) => DisplayBundle): Record<string, UserExpressionResult> {
  const out: Record<string, UserExpressionResult> = {};
  for (const [key, expr] of Object.entries(exprs)) {
    try {
      const a = analyzeCell(`(${expr}\n)`);
      const compiled = compileCell(a, RUNTIME_GLOBAL, undefined, true);
      const value: unknown = new vm.Script(compiled.js, { filename: 'user-expression.ts', lineOffset: -1 }).runInThisContext({ breakOnSigint: true });
      const b = format(value);
      out[key] = { status: 'ok', data: b.data, metadata: b.metadata };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      out[key] = { status: 'error', ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] };
    }
  }
  return out;
}
