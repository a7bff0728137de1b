/**
 * Errors as Jupyter shows them: type errors with the cell's line and column, runtime errors
 * whose stack frames inside the cell are mapped back to the cell's own lines (frames of the
 * interpreter itself are dropped), and the interrupt error.
 */
import ts from 'typescript';
import type { ExecuteOutcome } from '../interpreter';
import type { EditedText } from './edit-map';

const RED = '\x1b[31m';
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

export interface CellRef {
  readonly executionCount: number;
  readonly code: string;
  /** vm file name of the cell's script, as it appears in stack frames. */
  readonly fileName: string;
  readonly body?: EditedText;
}

function sourceLine(code: string, line: number): string | undefined {
  return code.split('\n')[line - 1];
}

function label(count: number): string {
  return `Cell In[${count}]`;
}

/** Type or syntax errors of a cell as an error outcome. */
export function diagnosticsOutcome(diags: readonly ts.Diagnostic[], cell: CellRef): ExecuteOutcome {
  const syntactic = diags.some((d) => d.code >= 1000 && d.code < 2000);
  const ename = syntactic ? 'SyntaxError' : 'TypeScriptError';
  const traceback: string[] = [];
  let evalue = '';
  for (const d of diags) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    let where = '';
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      where = `line ${line + 1}, column ${character + 1}`;
      traceback.push(`${CYAN}${label(cell.executionCount)}, ${where}${RESET}: ${RED}error TS${d.code}${RESET}: ${message}`);
      const src = sourceLine(cell.code, line + 1);
      if (src !== undefined) {
        const width = Math.max(1, Math.min(d.length ?? 1, src.length - character));
        traceback.push(`  ${line + 1} | ${src}`, `  ${' '.repeat(String(line + 1).length)} | ${' '.repeat(character)}${'^'.repeat(width)}`);
      }
    } else {
      traceback.push(`${RED}error TS${d.code}${RESET}: ${message}`);
    }
    if (!evalue) evalue = where ? `${message} (${where})` : message;
  }
  traceback.unshift(`${RED}${ename}${RESET}: ${evalue}`);
  return { status: 'error', ename, evalue, traceback };
}

const FRAME = /^(\s*at (?:.*? \()?)(.+?):(\d+):(\d+)(\)?)$/;

/** A thrown value as an error outcome, with the cell's frames mapped to its own lines. */
export function runtimeErrorOutcome(err: unknown, cell: CellRef): ExecuteOutcome {
  const isErr = err instanceof Error || (typeof err === 'object' && err !== null && 'stack' in err && 'message' in err);
  const ename = isErr ? String((err as Error).name || 'Error') : 'Error';
  const evalue = isErr ? String((err as Error).message) : describeThrown(err);
  const traceback: string[] = [`${RED}${ename}${RESET}: ${evalue}`];
  const stack = isErr && typeof (err as Error).stack === 'string' ? (err as Error).stack!.split('\n') : [];
  let firstCellLine: number | undefined;
  const frames: string[] = [];
  for (const line of stack) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const [, head, file, l, c, tail] = m;
    if (file === cell.fileName) {
      const mapped = cell.body ? cell.body.toOriginalPosition(Number(l), Number(c)) : { line: Number(l), column: Number(c) };
      firstCellLine ??= mapped.line;
      frames.push(`${head}${label(cell.executionCount)}:${mapped.line}:${mapped.column}${tail}`);
    } else if (firstCellLine !== undefined || /kernel[\\/]interpreter[\\/]|node:vm|node:internal/.test(file!)) {
      // frames of the interpreter and of whoever called it say nothing about the user's code
    } else {
      frames.push(line);
    }
  }
  // Frames after the cell's outermost frame belong to the interpreter's caller.
  traceback.push(...frames);
  if (firstCellLine !== undefined) {
    const src = sourceLine(cell.code, firstCellLine);
    traceback.push('', `${CYAN}${label(cell.executionCount)}, line ${firstCellLine}${RESET}:`);
    if (src !== undefined) traceback.push(`${RED}--> ${firstCellLine}${RESET} ${src}`);
  }
  return { status: 'error', ename, evalue, traceback };
}

function describeThrown(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function interruptOutcome(): ExecuteOutcome {
  return {
    status: 'error',
    ename: 'KeyboardInterrupt',
    evalue: 'Execution interrupted',
    traceback: [`${RED}KeyboardInterrupt${RESET}: Execution interrupted`],
  };
}
