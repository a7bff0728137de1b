/**
 * The gate between a kernel's background warm-up and its cells. While the warm-up (loading the
 * engine and the kernel's globals, building the full type checker) runs, a cell that passes the
 * early check (early-check.ts, which states the policy) runs at once and is remembered; others
 * wait for the warm-up. When it is done, the remembered cells are checked again by the full
 * checker and any error is written to that cell's stderr.
 */
import ts from 'typescript';
import type { CellIO } from '../interpreter';
import type { CellAnalysis } from './cell-transform';
import { EarlyChecker, lateErrorsText } from './early-check';
import { traceStartup } from './startup-trace';

interface EarlyCell {
  readonly code: string;
  readonly executionCount: number;
  readonly io: CellIO;
}

export class WarmUpGate {
  private running: Promise<void> | undefined;
  private early: EarlyChecker | undefined;
  private readonly earlyCells: EarlyCell[] = [];

  constructor(private readonly compilerOptions: ts.CompilerOptions) {}

  /** True while the warm-up runs. */
  get warming(): boolean {
    return this.running !== undefined;
  }

  /** The running warm-up, or undefined when there is none. */
  get pending(): Promise<void> | undefined {
    return this.running;
  }

  /**
   * Runs `steps`, then `finish` (which must leave the full checker ready) whatever `steps` did,
   * then checks the early cells again with `fullCheck`.
   */
  start(steps: () => Promise<void>, finish: () => void, fullCheck: (code: string) => readonly ts.Diagnostic[]): Promise<void> {
    this.early ??= new EarlyChecker(this.compilerOptions);
    const done = (async () => {
      try {
        await steps();
      } finally {
        try {
          finish();
        } finally {
          this.running = undefined;
          this.early?.dispose();
          this.early = undefined;
        }
        for (const cell of this.earlyCells.splice(0)) {
          try {
            const messages = fullCheck(cell.code).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
            if (messages.length > 0) cell.io.stream('stderr', lateErrorsText(cell.executionCount, messages));
          } catch {
            // an interrupt cancelled the check, or the cell's request is gone: nothing to add
          }
        }
      }
    })();
    this.running = done;
    return done;
  }

  /** Whether the cell may run now, before the full checker (remembered for the later check). */
  admit(a: CellAnalysis, executionCount: number, io: CellIO): boolean {
    if (this.early === undefined) return false;
    const passes = this.early.passes(a);
    traceStartup(`early check of cell [${executionCount}]: ${passes ? 'runs now' : 'waits for the full type checker'}`);
    if (!passes) return false;
    this.earlyCells.push({ code: a.code, executionCount, io });
    return true;
  }
}
