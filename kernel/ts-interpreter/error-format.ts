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

/** The cells run so far by vm file name; the latest run of a file name wins (same source). */
export class CellRegistry {
  private readonly byFile = new Map<string, CellRef>();

  add(cell: CellRef): void {
    this.byFile.delete(cell.fileName); // re-insert: most recent last
    this.byFile.set(cell.fileName, cell);
    if (this.byFile.size > 1000) this.byFile.delete(this.byFile.keys().next().value!);
  }

  get(fileName: string): CellRef | undefined {
    return this.byFile.get(fileName);
  }
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

/**
 * A thrown value as an error outcome. Frames inside this cell or an earlier one read
 * `Cell In[n]:line:column`, and each cell frame adds ipykernel's section — `Cell In[n], line L`
 * and the source line — innermost last; the interpreter's own frames are dropped.
 */
export function runtimeErrorOutcome(err: unknown, cell: CellRef, earlier?: CellRegistry): ExecuteOutcome {
  const isErr = err instanceof Error || (typeof err === 'object' && err !== null && 'stack' in err && 'message' in err);
  const ename = isErr ? String((err as Error).name || 'Error') : 'Error';
  const evalue = isErr ? String((err as Error).message) : describeThrown(err);
  const traceback: string[] = [`${RED}${ename}${RESET}: ${evalue}`];
  const stack = isErr && typeof (err as Error).stack === 'string' ? (err as Error).stack!.split('\n') : [];
  const frames: string[] = [];
  const sections: string[][] = [];
  let reachedCell = false;
  for (const line of stack) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const [, head, file, l, c, tail] = m;
    const owner = file === cell.fileName ? cell : earlier?.get(file!);
    if (owner !== undefined) {
      const mapped = owner.body ? owner.body.toOriginalPosition(Number(l), Number(c)) : { line: Number(l), column: Number(c) };
      frames.push(`${head}${label(owner.executionCount)}:${mapped.line}:${mapped.column}${tail}`);
      const fn = /^\s*at (?:async )?([^\s(]+) \(/.exec(line)?.[1];
      const src = sourceLine(owner.code, mapped.line);
      sections.unshift([`${CYAN}${label(owner.executionCount)}, line ${mapped.line}${fn && fn !== 'eval' ? `, in ${fn}` : ''}${RESET}:`, ...(src !== undefined ? [`${RED}--> ${mapped.line}${RESET} ${src}`] : [])]);
      if (owner === cell) reachedCell = true;
    } else if (reachedCell || /kernel[\\/](ts-)?interpreter[\\/]|node:vm|node:internal/.test(file!)) {
      // frames of the interpreter and of whoever called it say nothing about the user's code
    } else {
      frames.push(line);
    }
  }
  traceback.push(...frames);
  for (const s of sections) traceback.push('', ...s);
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
