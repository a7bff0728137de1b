/**
 * The TypeScript interpreter: type-checks each cell against earlier cells and the engine's
 * types, rewrites it so its bindings live on the global object, and runs it with `vm` in this
 * process's own realm (so values cross freely between cells, the engine and npm packages),
 * under `breakOnSigint` so SIGINT stops runaway synchronous code. Loops after an `await` are
 * stopped by guards that read the shared interrupt flag (loop-guards.ts, interrupt-flag.ts).
 */
import vm from 'node:vm';
import path from 'node:path';
import type { CellIO, CompleteResult, ExecuteArgs, ExecuteOutcome, InspectResult, Interpreter, InterpreterInfo, IsCompleteResult } from '../interpreter';
import { cellPath } from '../debugger/cell-files';
import { format } from '../display/format';
import type { DisplayBundle } from '../display/mime';
import { analyzeCell, compileCell, parseCell } from './cell-transform';
import { CellRegistry, diagnosticsOutcome, interruptOutcome, runtimeErrorOutcome } from './error-format';
import { GlobalsDeclaration } from './globals-declaration';
import { clearInterrupt, raiseInterrupt, takeInterrupt } from './interrupt-flag';
import { isCompleteCode } from './is-complete';
import { installRuntimeGlobals, InterruptSignal, RUNTIME_GLOBAL } from './runtime-globals';
import { StreamRouter } from './stream-router';
import { TypeService } from './type-service';
import { completeAt, inspectAt } from './language-features';
import { tsInterpreterInfo } from './ts-info';
import type { TsInterpreterOptions } from './options';
import { evaluateUserExpressions } from './user-expressions';
import { CellModules, dynamicImportOption, isCancellation, isInterrupt, setGlobalValues } from './cell-realm';
import { WarmUpGate } from './warm-up-gate';
import { quickComplete } from '../socket-thread/quick-complete';
import ts from 'typescript';

export { RUNTIME_GLOBAL } from './runtime-globals';
export type { TsInterpreterOptions } from './options';

const DEFAULT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const VALUE_KINDS = new Set(['var', 'let', 'const', 'function', 'class', 'enum', 'namespace', 'import']);

export class TsInterpreter implements Interpreter {
  readonly projectRoot: string;
  readonly cwd: string;
  private readonly types: TypeService;
  private readonly router = new StreamRouter();
  private readonly engineModule: string | undefined;
  private readonly globals = new GlobalsDeclaration();
  /** Every cell run so far by file name, so tracebacks through earlier cells name them. */
  private readonly cells = new CellRegistry();
  private readonly userNames: Set<string>;
  private ready = false;
  private runtimeReady = false;
  private readonly gate: WarmUpGate;
  private runs = 0;
  private pendingReject: ((e: unknown) => void) | undefined;
  private warmTimer: NodeJS.Timeout | undefined;
  private engineLoadError: string | undefined;
  private engineModuleLoaded = true;
  private readonly onSigint = (): void => this.interrupt();
  private readonly onRejection = (reason: unknown): void => this.reportAsync('Unhandled promise rejection', reason);
  private readonly onException = (err: unknown): void => this.reportAsync('Uncaught exception', err);
  private readonly modules: CellModules;
  private readonly format: (value: unknown) => DisplayBundle;

  constructor(private readonly options: TsInterpreterOptions = {}) {
    this.projectRoot = path.resolve(options.projectRoot ?? DEFAULT_ROOT);
    this.cwd = path.resolve(options.cwd ?? process.cwd());
    this.engineModule = options.engineModule === false ? undefined : path.resolve(this.projectRoot, options.engineModule ?? 'engine/index.ts');
    this.types = new TypeService({ projectRoot: this.projectRoot, cwd: this.cwd });
    this.gate = new WarmUpGate(this.types.compilerOptions);
    this.format = options.format ?? ((value) => format(value));
    this.modules = new CellModules(this.cwd, this.projectRoot);
    this.userNames = installRuntimeGlobals({
      requireModule: (spec) => this.modules.require(spec),
      format: (value) => this.format(value),
      defineGlobal: (name, value) => this.defineGlobals({ [name]: value }),
    });
  }

  info(): InterpreterInfo {
    return tsInterpreterInfo();
  }

  /** Loads the engine, builds the ambient declarations and starts capturing output (idempotent). */
  prepare(): void {
    if (this.ready) return;
    this.ready = true;
    this.prepareRuntime();
    if (this.engineModule) {
      try {
        const mod = this.modules.require(this.engineModule) as Record<string, unknown>;
        const probe = this.types.moduleExportNames(this.engineModule);
        this.globals.builtinGlobals = probe.builtinGlobals;
        const own = this.options.engineGlobals === undefined ? undefined : new Set(this.options.engineGlobals);
        this.globals.engineNames = probe.names.filter((n) => !probe.builtinGlobals.has(n) && (own === undefined || own.has(n)));
        const values: Record<string, unknown> = { engine: mod };
        for (const n of this.globals.engineNames) if (n in mod && !(n in globalThis && !this.globals.untyped.has(n))) values[n] = mod[n];
        setGlobalValues(values);
      } catch (e) {
        // A broken engine must not take the kernel down: cells run without its globals and the
        // first cell shows why.
        this.engineLoadError = `enginelab: could not load the engine (${this.engineModule}): ${e instanceof Error ? e.message : String(e)}\n`;
        this.engineModuleLoaded = false;
      }
    }
    this.writeGlobalsDeclaration();
    this.types.warm();
  }

  /** Output capture and the process guards: all a cell needs besides its type check (idempotent). */
  private prepareRuntime(): void {
    if (this.runtimeReady) return;
    this.runtimeReady = true;
    if (this.options.captureOutput !== false) this.router.install();
    if (this.options.handleSigint !== false) process.on('SIGINT', this.onSigint);
    if (this.options.catchAsyncErrors !== false) {
      process.on('unhandledRejection', this.onRejection);
      process.on('uncaughtException', this.onException);
    }
  }

  /**
   * Runs `steps` (loading what cells share; they end with prepare()) in the background. Until
   * they finish, cells that pass the early check run at once (early-check.ts states the policy),
   * others wait; completion and inspection answer from the cheap path instead of waiting.
   */
  prepareInBackground(steps: () => Promise<void>): Promise<void> {
    return this.gate.start(steps, () => this.prepare(), (code) => this.types.check(analyzeCell(code, parseCell(code, this.types.nextCellFileName()))).diagnostics);
  }

  /**
   * Makes `values` globals in every later cell. `types` optionally gives each a TypeScript type
   * (e.g. `typeof import('/abs/kernel/display/api').display`); names without one are typed from
   * the engine when it exports them, else `any`.
   */
  defineGlobals(values: Readonly<Record<string, unknown>>, types: Readonly<Record<string, string>> = {}): void {
    this.globals.record(values, types);
    setGlobalValues(values);
    if (this.ready) this.writeGlobalsDeclaration();
  }

  private writeGlobalsDeclaration(): void {
    this.types.setGlobalsDeclaration(this.globals.text(this.engineModule !== undefined && this.engineModuleLoaded ? this.engineModule : undefined));
  }

  /** The CellIO of the running (or most recent) cell, for display helpers defined as globals. */
  activeIO(): CellIO | undefined {
    return this.router.active;
  }

  async execute(args: ExecuteArgs, io: CellIO): Promise<ExecuteOutcome> {
    clearInterrupt(); // an interrupt that arrived between cells is not for this one
    const code = args.code;
    const sf = parseCell(code, this.types.nextCellFileName());
    const analysis = analyzeCell(code, sf);
    const early = !this.ready && this.gate.admit(analysis, args.executionCount, io);
    const pending = this.gate.pending;
    if (!early && pending !== undefined) {
      try {
        await this.untilInterrupted(pending);
      } catch (e) {
        if (isInterrupt(e)) return this.interruptedBeforeRun();
        throw e;
      }
    }
    if (early) this.prepareRuntime();
    else this.prepare();
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.router.setTarget(io);
    if (this.engineLoadError) {
      this.router.write('stderr', this.engineLoadError);
      this.engineLoadError = undefined;
    }
    this.runs += 1;
    // The debugger's name for this source (kernel/debugger/cell-files.ts): breakpoints set on it bind here.
    const fileName = cellPath(code);
    const cell = { executionCount: args.executionCount, code, fileName };
    let outcome: ExecuteOutcome;
    if (code.trim() === '') {
      outcome = { status: 'ok', userExpressions: {} };
    } else {
      let check: ReturnType<TypeService['check']>;
      try {
        check = early ? { diagnostics: [], isValueImportAt: () => true, fast: true } : this.types.check(analysis);
      } catch (e) {
        if (isCancellation(e)) return this.interruptedBeforeRun();
        throw e;
      }
      // An interrupt that came while this cell was loading or being checked stops it here.
      if (takeInterrupt()) return this.interruptedBeforeRun();
      if (check.diagnostics.length > 0) return diagnosticsOutcome(check.diagnostics, cell);
      if (!check.fast) this.types.commit(analysis, this.runs);
      for (const n of analysis.names) if (VALUE_KINDS.has(n.kind)) this.userNames.add(n.name);
      const compiled = compileCell(
        analysis,
        RUNTIME_GLOBAL,
        (node) => {
          const name = ts.isImportClause(node) ? node.name! : node.name;
          return check.isValueImportAt(name.getStart(sf));
        },
        true,
      );
      const ref = { ...cell, body: compiled.body };
      this.cells.add(ref);
      try {
        const script = new vm.Script(compiled.js, { filename: fileName, lineOffset: -1, ...dynamicImportOption() });
        let value: unknown = script.runInThisContext({ breakOnSigint: true, displayErrors: false });
        let hasResult = compiled.hasResult;
        if (compiled.isAsync) {
          const r = (await this.untilInterrupted(value as Promise<{ value: unknown } | undefined>)) as { value: unknown } | undefined;
          hasResult = r !== undefined && typeof r === 'object' && 'value' in r;
          value = hasResult ? r!.value : undefined;
        }
        const result = hasResult && value !== undefined && !args.silent ? this.format(value) : undefined;
        outcome = result ? { status: 'ok', result, userExpressions: {} } : { status: 'ok', userExpressions: {} };
      } catch (e) {
        outcome = isInterrupt(e) ? interruptOutcome() : runtimeErrorOutcome(e, ref, this.cells);
      }
      if (this.ready && (!check.fast || !this.types.hasProgram())) this.scheduleWarm();
    }
    if (outcome.status === 'ok' && Object.keys(args.userExpressions).length > 0) {
      return { ...outcome, userExpressions: evaluateUserExpressions(args.userExpressions, this.format) };
    }
    return outcome;
  }

  private interruptedBeforeRun(): ExecuteOutcome {
    clearInterrupt();
    this.scheduleWarm();
    return interruptOutcome();
  }

  private scheduleWarm(): void {
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => {
      this.warmTimer = undefined;
      try {
        this.types.warm();
      } catch (e) {
        if (!isCancellation(e)) throw e; // an interrupt while warming: warm again at the next cell
      }
    }, 0);
    this.warmTimer.unref();
  }

  private untilInterrupted<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pendingReject = reject;
      p.then(resolve, reject).finally(() => {
        if (this.pendingReject === reject) this.pendingReject = undefined;
      });
    });
  }

  private reportAsync(what: string, err: unknown): void {
    const text = err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : String(err);
    this.router.write('stderr', `${what}: ${text}\n`);
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    if (this.gate.warming) return { ...quickComplete(code, cursorPos), metadata: {} };
    this.prepare();
    const r = completeAt(this.types, code, cursorPos);
    this.scheduleWarm();
    return r;
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectResult> {
    if (this.gate.warming) return { found: false, data: {}, metadata: {} };
    this.prepare();
    const r = inspectAt(this.types, code, cursorPos, detailLevel);
    this.scheduleWarm();
    return r;
  }

  isComplete(code: string): IsCompleteResult {
    return isCompleteCode(code);
  }

  interrupt(): void {
    // Also stops loops of an interrupted cell's orphaned continuation (or of timers) until the next execute.
    raiseInterrupt();
    const reject = this.pendingReject;
    this.pendingReject = undefined;
    reject?.(new InterruptSignal('Execution interrupted'));
  }

  async shutdown(): Promise<void> {
    this.interrupt();
    this.ready = true; // a late prepare() must not re-install anything
    if (this.warmTimer) clearTimeout(this.warmTimer);
    process.off('SIGINT', this.onSigint);
    process.off('unhandledRejection', this.onRejection);
    process.off('uncaughtException', this.onException);
    this.router.uninstall();
    this.types.dispose();
  }
}

export function createTsInterpreter(options?: TsInterpreterOptions): TsInterpreter {
  return new TsInterpreter(options);
}
