/**
 * The early check: how a first cell overtakes the type checker's warm-up. Building the full
 * program (the ES library, @types/node, the engine's sources, the kernel's globals) takes
 * seconds at start-up; a cell that needs none of it should not wait for it.
 *
 * Policy — a cell never runs without a type check the user would expect:
 * - While the full checker is warming up, a cell that declares nothing and imports nothing is
 *   checked against the core ES library alone (lib.es5.d.ts, which the full checker's lib.es2023
 *   includes), with the full checker's compiler options. If that check finds no error, the cell
 *   runs at once. (lib.es5 alone parses in about half the time of lib.es2023's 62 files; a cell
 *   using a later API, `Map` or `Array.prototype.at`, simply waits for the full checker.)
 * - Any error of that check — including "Cannot find name" for a kernel global, an engine name,
 *   `console` or `process` (declared by @types/node, which the early check leaves out) — does not
 *   reach the user: the cell waits for the full checker and is checked there, as every cell is
 *   once the kernel is warm. So the early check can only let through cells whose every name the
 *   core ES library declares; it never reports an error the full check would not.
 * - The full program only adds declarations to the early one. A cell clean against lib.es5 alone
 *   could still fail the full check only through declaration merging (a later ES lib or an
 *   @types/node augmentation of a standard interface changing an overload a cell used). To keep
 *   even that case visible, every cell run early is checked again by the full checker as soon as
 *   it is ready, and any error it finds is written to that cell's stderr, naming the cell.
 */
import ts from 'typescript';
import type { CellAnalysis } from './cell-transform';

const CELL_FILE = '/__enginelab_early__/cell.ts';

export class EarlyChecker {
  private readonly options: ts.CompilerOptions;
  /** Parsed library files, kept across checks (they never change). */
  private readonly libFiles = new Map<string, ts.SourceFile>();

  constructor(fullOptions: ts.CompilerOptions) {
    this.options = { ...fullOptions, lib: ['lib.es5.d.ts'], types: [], typeRoots: [], declaration: false, emitDeclarationOnly: false, noEmit: true };
  }

  /** Whether `a` may be checked early at all: it declares and imports nothing. */
  static eligible(a: CellAnalysis): boolean {
    return a.names.length === 0 && !a.hasImports && a.code.trim() !== '';
  }

  /** True when `a` is eligible and has no error against the core ES library alone. */
  passes(a: CellAnalysis): boolean {
    if (!EarlyChecker.eligible(a)) return false;
    const host = ts.createCompilerHost(this.options);
    const readLib = host.getSourceFile.bind(host);
    const text = `${a.code}\nexport {};\n`;
    host.getSourceFile = (fileName, languageVersion, onError) => {
      if (fileName === CELL_FILE) return ts.createSourceFile(fileName, text, languageVersion, true, ts.ScriptKind.TS);
      let sf = this.libFiles.get(fileName);
      if (sf === undefined) {
        sf = readLib(fileName, languageVersion, onError);
        if (sf !== undefined) this.libFiles.set(fileName, sf);
      }
      return sf;
    };
    host.fileExists = (f) => f === CELL_FILE || ts.sys.fileExists(f);
    const program = ts.createProgram([CELL_FILE], this.options, host);
    const sf = program.getSourceFile(CELL_FILE);
    if (sf === undefined) return false;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf), ...program.getGlobalDiagnostics()];
    return !diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error);
  }

  /** Frees the parsed library (called once the full checker is ready). */
  dispose(): void {
    this.libFiles.clear();
  }
}

/** The stderr text for errors the full checker found in a cell that already ran early. */
export function lateErrorsText(executionCount: number, messages: readonly string[]): string {
  return `enginelab: the full type check of cell [${executionCount}], which ran while the type checker was warming up, found:\n${messages.map((m) => `  ${m}`).join('\n')}\n`;
}
