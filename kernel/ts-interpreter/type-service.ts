/**
 * The type checker behind cells: one long-lived TypeScript LanguageService whose files are
 * the ambient globals (engine exports, kernel helpers), one declaration file per earlier cell
 * that still owns a binding, a history file that lifts those bindings into global scope, and
 * the current cell (always a module, so its declarations shadow history ones: re-declaring
 * works). Unchanged files are reused between programs. A cell that neither declares nor
 * imports anything is checked against the current program's checker without building a new
 * program at all (the fast path).
 */
import ts from 'typescript';
import path from 'node:path';
import type { CellAnalysis } from './cell-transform';
import { fastCompletionsAt, fastQuickInfoAt, findIdentifierAt, type FastCompletions, type FastQuickInfo } from './fast-queries';
import { historyFileText, inlineDeclarations, type HistoryEntry } from './history-declarations';
import { interruptFlag } from './interrupt-flag';
import { createServiceHost, type VirtualFile } from './service-host';

const IGNORED_CODES = new Set([
  7016, // "Could not find a declaration file for module": untyped packages are `any`, not an error
]);

/** Type checking restarts from a fresh program after this many fast-path checks (bounds memory). */
const FAST_CHECKS_PER_PROGRAM = 200;

export interface TypeServiceOptions {
  readonly projectRoot: string;
  readonly cwd: string;
}

export interface CheckResult {
  readonly diagnostics: readonly ts.Diagnostic[];
  /** Answers whether an import binding of the cell is a value (full path only). */
  readonly isValueImportAt: (namePos: number) => boolean;
  readonly fast: boolean;
}

export class TypeService {
  readonly compilerOptions: ts.CompilerOptions;
  private readonly files = new Map<string, VirtualFile>();
  private readonly resolutionCache: ts.ModuleResolutionCache;
  private readonly ls: ts.LanguageService;
  private readonly dir: string;
  private readonly cellFile: string;
  private readonly globalsFile: string;
  private readonly historyFile: string;
  private readonly history = new Map<string, HistoryEntry>();
  private program: ts.Program | undefined;
  private fastChecks = 0;
  private resets = 0;
  private disposed = false;
  private fastCounter = 0;
  /** While a cell is checked, an interrupt cancels the check (TypeScript polls this token). */
  private cancellable = false;
  private readonly cancellation: ts.CancellationToken = {
    isCancellationRequested: () => this.cancellable && interruptFlag[0] !== 0,
    throwIfCancellationRequested: () => {
      if (this.cancellable && interruptFlag[0] !== 0) throw new ts.OperationCanceledException();
    },
  };

  constructor(options: TypeServiceOptions) {
    this.dir = path.resolve(options.cwd);
    this.cellFile = path.join(this.dir, '.enginelab-cell.ts');
    this.globalsFile = path.join(this.dir, '.enginelab-globals.d.ts');
    this.historyFile = path.join(this.dir, '.enginelab-history.d.ts');
    this.compilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: ['node'],
      typeRoots: [path.join(options.projectRoot, 'node_modules', '@types')],
      strict: true,
      skipLibCheck: true,
      declaration: true,
      emitDeclarationOnly: true,
      esModuleInterop: true,
      allowImportingTsExtensions: true,
      resolveJsonModule: true,
      useDefineForClassFields: true,
      noFallthroughCasesInSwitch: true,
    };
    this.resolutionCache = ts.createModuleResolutionCache(options.projectRoot, (f) => f, this.compilerOptions);
    this.setFile(this.globalsFile, 'export {};\n');
    this.setFile(this.historyFile, 'export {};\n');
    this.setFile(this.cellFile, 'export {};\n');
    this.ls = ts.createLanguageService(
      createServiceHost({ projectRoot: options.projectRoot, files: this.files, compilerOptions: this.compilerOptions, resolutionCache: this.resolutionCache, cancellation: this.cancellation }),
      ts.createDocumentRegistry(),
    );
  }

  private setFile(name: string, text: string): void {
    const old = this.files.get(name);
    if (old && old.text === text) return;
    this.files.set(name, { text, version: (old?.version ?? 0) + 1 });
    this.program = undefined;
  }

  private currentProgram(): ts.Program {
    if (!this.program) {
      this.program = this.ls.getProgram();
      this.fastChecks = 0;
      if (!this.program) throw new Error('TypeScript language service has no program');
    }
    return this.program;
  }

  /** A fresh file name for a fast-path cell (the checker keys diagnostics by file name). */
  nextCellFileName(): string {
    this.fastCounter += 1;
    return path.join(this.dir, `.enginelab-cell-fast-${this.fastCounter}.ts`);
  }

  /** Names the engine module exports (types included), or [] when it cannot be resolved. */
  moduleExportNames(modulePath: string): { names: string[]; builtinGlobals: Set<string> } {
    this.setFile(this.cellFile, `import * as __probe from ${JSON.stringify(stripTsExtension(modulePath))};\nexport {};\n`);
    const program = this.currentProgram();
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(this.cellFile)!;
    const decl = sf.statements[0] as ts.ImportDeclaration;
    const sym = checker.getSymbolAtLocation(decl.moduleSpecifier);
    const names = sym ? checker.getExportsOfModule(sym).map((s) => s.name) : [];
    const builtinGlobals = new Set(
      checker.getSymbolsInScope(sf.statements[1]!, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace).map((s) => s.name),
    );
    return { names, builtinGlobals };
  }

  /** Rewrites the ambient globals file (engine aliases and declared kernel globals). */
  setGlobalsDeclaration(text: string): void {
    this.setFile(this.globalsFile, text);
  }

  /** Checks a cell; uses the fast path when it declares and imports nothing. An interrupt throws OperationCanceledException. */
  check(a: CellAnalysis): CheckResult {
    this.cancellable = true;
    try {
      return this.checkCell(a);
    } finally {
      this.cancellable = false;
    }
  }

  private checkCell(a: CellAnalysis): CheckResult {
    if (this.program && a.names.length === 0 && !a.hasImports && this.fastChecks < FAST_CHECKS_PER_PROGRAM) {
      this.fastChecks += 1;
      const sf = a.sourceFile as ts.SourceFile & { path?: string; resolvedPath?: string };
      sf.path = sf.fileName;
      sf.resolvedPath = sf.fileName;
      const internal = ts as unknown as { bindSourceFile(f: ts.SourceFile, o: ts.CompilerOptions): void };
      internal.bindSourceFile(sf, this.compilerOptions);
      const checker = this.program.getTypeChecker() as ts.TypeChecker & { getDiagnostics(f: ts.SourceFile, ct?: ts.CancellationToken): ts.Diagnostic[] };
      const own = sf as unknown as { parseDiagnostics: ts.Diagnostic[]; bindDiagnostics: ts.Diagnostic[] };
      const diagnostics = [...own.parseDiagnostics, ...own.bindDiagnostics, ...checker.getDiagnostics(sf, this.cancellation)];
      return { diagnostics: this.filter(diagnostics, a.code.length), isValueImportAt: () => true, fast: true };
    }
    const exported = a.names.map((n) => n.name);
    this.setCell(a.code + (exported.length > 0 ? `\nexport { ${exported.join(', ')} };\n` : '\nexport {};\n'));
    const program = this.currentProgram();
    const sf = program.getSourceFile(this.cellFile)!;
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf, this.cancellation)];
    const checker = program.getTypeChecker();
    const isValueImportAt = (pos: number): boolean => {
      const id = findIdentifierAt(sf, pos);
      if (!id) return true;
      const sym = checker.getSymbolAtLocation(id);
      if (!sym) return true;
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      return (target.flags & ts.SymbolFlags.Value) !== 0 || target.flags === ts.SymbolFlags.None;
    };
    return { diagnostics: this.filter(diagnostics, a.code.length), isValueImportAt, fast: false };
  }

  private setCell(text: string): void {
    this.setFile(this.cellFile, text);
  }

  private filter(diags: readonly ts.Diagnostic[], codeLength: number): ts.Diagnostic[] {
    return diags.filter(
      (d) => d.category === ts.DiagnosticCategory.Error && !IGNORED_CODES.has(d.code) && (d.start === undefined || d.start <= codeLength),
    );
  }

  /**
   * Records the bindings of the cell last checked on the full path as history: its
   * declarations are emitted to a .d.ts file and lifted into global scope.
   */
  commit(a: CellAnalysis, cell: number): void {
    if (a.names.length === 0) return;
    const out = this.ls.getEmitOutput(this.cellFile, true, true);
    const dts = out.outputFiles.find((f) => f.name.endsWith('.d.ts'))?.text ?? 'export {};\n';
    const inline = inlineDeclarations(dts);
    if (inline) {
      for (const n of a.names) this.history.set(n.name, { cell, kind: n.kind, inline: inline.get(n.name) ?? [] });
    } else {
      this.setFile(this.cellDtsFile(cell), dts);
      for (const n of a.names) this.history.set(n.name, { cell, kind: n.kind });
    }
    const live = new Set([...this.history.values()].filter((e) => !e.inline).map((e) => e.cell));
    for (const f of [...this.files.keys()]) {
      const m = /\.enginelab-cell-(\d+)\.d\.ts$/.exec(f);
      if (m && !live.has(Number(m[1]))) {
        this.files.delete(f);
        this.program = undefined;
      }
    }
    this.setFile(this.historyFile, this.historyText());
  }

  private cellDtsFile(cell: number): string {
    return path.join(this.dir, `.enginelab-cell-${cell}.d.ts`);
  }

  private historyText(): string {
    return historyFileText(this.history);
  }

  /** Makes sure the next check finds a ready program (call when idle). */
  warm(): void {
    if (!this.disposed) this.currentProgram();
  }

  hasProgram(): boolean {
    return this.program !== undefined;
  }

  private withCell<T>(code: string, f: (file: string) => T): T {
    this.setFile(this.cellFile, code + '\nexport {};\n');
    return f(this.cellFile);
  }

  /** A current program whose checker has not yet taken too many foreign files (bounds memory). */
  private ensureFreshProgram(): void {
    if (this.fastChecks >= FAST_CHECKS_PER_PROGRAM) {
      this.resets += 1;
      this.setFile(this.cellFile, `// program ${this.resets}\nexport {};\n`);
    }
    this.currentProgram();
  }

  /** Parses and binds `code` as a module file outside the program, for the current checker. */
  private bindForeign(code: string): ts.SourceFile {
    this.fastChecks += 1;
    const sf = ts.createSourceFile(this.nextCellFileName(), code, { languageVersion: ts.ScriptTarget.ES2022, impliedNodeFormat: ts.ModuleKind.ESNext, setExternalModuleIndicator: (f) => {
      (f as { externalModuleIndicator?: unknown }).externalModuleIndicator = true;
    } }, true, ts.ScriptKind.TS) as ts.SourceFile & { path?: string; resolvedPath?: string };
    sf.path = sf.fileName;
    sf.resolvedPath = sf.fileName;
    (ts as unknown as { bindSourceFile(f: ts.SourceFile, o: ts.CompilerOptions): void }).bindSourceFile(sf, this.compilerOptions);
    return sf;
  }

  /** Member or identifier completions from the current checker (see fast-queries.ts), or undefined. */
  fastCompletions(code: string, pos: number): FastCompletions | undefined {
    this.ensureFreshProgram();
    return fastCompletionsAt(this.program!.getTypeChecker(), () => this.bindForeign(code), code, pos);
  }

  /** Quick info from the current checker (see fast-queries.ts), or undefined. */
  fastQuickInfo(code: string, pos: number): FastQuickInfo | undefined {
    this.ensureFreshProgram();
    return fastQuickInfoAt(this.program!.getTypeChecker(), this.bindForeign(code), pos);
  }

  completions(code: string, pos: number): ts.CompletionInfo | undefined {
    return this.withCell(code, (file) =>
      this.ls.getCompletionsAtPosition(file, pos, { includeCompletionsWithInsertText: true, includeCompletionsForModuleExports: false }),
    );
  }

  quickInfo(code: string, pos: number): ts.QuickInfo | undefined {
    return this.withCell(code, (file) => this.ls.getQuickInfoAtPosition(file, pos));
  }

  signatureHelp(code: string, pos: number): ts.SignatureHelpItems | undefined {
    return this.withCell(code, (file) => this.ls.getSignatureHelpItems(file, pos, undefined));
  }

  dispose(): void {
    this.disposed = true;
    this.ls.dispose();
    this.files.clear();
    this.program = undefined;
  }
}

export function stripTsExtension(p: string): string {
  return p.replace(/\.(ts|mts|cts)$/, '');
}
