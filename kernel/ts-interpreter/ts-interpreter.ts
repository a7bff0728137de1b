/**
 * The TypeScript interpreter: type-checks each cell against earlier cells and the engine's
 * types, rewrites it so its bindings live on the global object, and runs it with `vm` in this
 * process's own realm (so values cross freely between cells, the engine and npm packages),
 * under `breakOnSigint` so SIGINT stops runaway synchronous code. Loops after an `await` are
 * stopped by guards that read the shared interrupt flag (loop-guards.ts, interrupt-flag.ts).
 */
import vm from 'node:vm';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { CellIO, CompleteResult, ExecuteArgs, ExecuteOutcome, InspectResult, Interpreter, InterpreterInfo, IsCompleteResult, UserExpressionResult } from '../interpreter';
import { format } from '../display/format';
import type { DisplayBundle } from '../display/mime';
import { analyzeCell, compileCell, parseCell } from './cell-transform';
import { diagnosticsOutcome, interruptOutcome, runtimeErrorOutcome } from './error-format';
import { clearInterrupt, interruptFlag, raiseInterrupt, takeInterrupt } from './interrupt-flag';
import { isCompleteCode } from './is-complete';
import { LOOP_GUARD } from './loop-guards';
import { StreamRouter } from './stream-router';
import { TypeService, stripTsExtension } from './type-service';
import { completeAt, inspectAt } from './language-features';
import ts from 'typescript';

export const RUNTIME_GLOBAL = '__enginelab_rt';

export interface TsInterpreterOptions {
  /** Repository root: TypeScript's node_modules/@types and project-relative imports (default: this checkout). */
  readonly projectRoot?: string;
  /** The notebook's directory: relative imports resolve here first (default: process.cwd()). */
  readonly cwd?: string;
  /** Module whose exports become globals (and `engine`) in every cell; false for none. */
  readonly engineModule?: string | false;
  /** The engine exports that are globals of their own (values and types); the rest only as `engine.X`. Default: every export. */
  readonly engineGlobals?: readonly string[];
  /** Route console and process.stdout/stderr writes to the running cell (default true). */
  readonly captureOutput?: boolean;
  /** Stop the awaiting cell on SIGINT when no synchronous code runs (default true). */
  readonly handleSigint?: boolean;
  /** Report uncaught exceptions and unhandled rejections to the latest cell instead of dying (default true). */
  readonly catchAsyncErrors?: boolean;
  /** A cell's last value → display bundle; the composition root passes format() with its formatter list (default: no extra formatters). */
  readonly format?: (value: unknown) => DisplayBundle;
}

class InterruptSignal extends Error {
  override name = 'KeyboardInterrupt';
}

const DEFAULT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export class TsInterpreter implements Interpreter {
  readonly projectRoot: string;
  readonly cwd: string;
  private readonly types: TypeService;
  private readonly router = new StreamRouter();
  private readonly engineModule: string | undefined;
  private ready = false;
  private runs = 0;
  private pendingReject: ((e: unknown) => void) | undefined;
  private readonly definedTypes = new Map<string, string>();
  private readonly untyped = new Set<string>();
  private engineNames: string[] = [];
  private builtinGlobals = new Set<string>();
  private warmTimer: NodeJS.Timeout | undefined;
  private engineLoadError: string | undefined;
  private engineModuleLoaded = true;
  private readonly onSigint = (): void => this.interrupt();
  private readonly onRejection = (reason: unknown): void => this.reportAsync('Unhandled promise rejection', reason);
  private readonly onException = (err: unknown): void => this.reportAsync('Uncaught exception', err);
  private readonly cwdRequire: NodeJS.Require;
  private readonly rootRequire: NodeJS.Require;
  private readonly format: (value: unknown) => DisplayBundle;

  constructor(private readonly options: TsInterpreterOptions = {}) {
    this.projectRoot = path.resolve(options.projectRoot ?? DEFAULT_ROOT);
    this.cwd = path.resolve(options.cwd ?? process.cwd());
    this.engineModule = options.engineModule === false ? undefined : path.resolve(this.projectRoot, options.engineModule ?? 'engine/index.ts');
    this.types = new TypeService({ projectRoot: this.projectRoot, cwd: this.cwd });
    this.format = options.format ?? ((value) => format(value));
    this.cwdRequire = createRequire(path.join(this.cwd, '__enginelab_cell__.js'));
    this.rootRequire = createRequire(path.join(this.projectRoot, '__enginelab_cell__.js'));
    Object.defineProperty(globalThis, RUNTIME_GLOBAL, {
      value: {
        require: (spec: string) => this.requireModule(spec),
        defaultOf: (m: unknown) => (m && (m as { __esModule?: boolean }).__esModule ? (m as { default: unknown }).default : m),
        namespaceOf: (m: unknown) =>
          m && (typeof m === 'object' || typeof m === 'function') && (m as { __esModule?: boolean }).__esModule ? m : { ...(m as object), default: m },
      },
      configurable: true,
      writable: false,
      enumerable: false,
    });
    // Called first in every loop body of cell code; cheap while the flag is down.
    const flag = interruptFlag;
    Object.defineProperty(globalThis, LOOP_GUARD, {
      value: function checkInterrupt(): void {
        if (flag[0] !== 0 && takeInterrupt(flag)) throw new InterruptSignal('Execution interrupted');
      },
      configurable: true,
      writable: false,
      enumerable: false,
    });
  }

  info(): InterpreterInfo {
    return {
      implementation: 'enginelab',
      implementationVersion: '0.1.0',
      languageInfo: {
        name: 'typescript',
        version: ts.version,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        codemirror_mode: { name: 'javascript', typescript: true },
        pygments_lexer: 'typescript',
      },
      banner: `enginelab: TypeScript ${ts.version} on Node ${process.version}, with the engine loaded`,
      helpLinks: [
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
        { text: 'Node.js API', url: 'https://nodejs.org/docs/latest-v20.x/api/' },
      ],
    };
  }

  private requireModule(spec: string): unknown {
    try {
      return this.cwdRequire(spec);
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes(spec)) throw e;
      return this.rootRequire(spec);
    }
  }

  /** Loads the engine, builds the ambient declarations and starts capturing output (idempotent). */
  prepare(): void {
    if (this.ready) return;
    this.ready = true;
    if (this.engineModule) {
      try {
        const mod = this.rootRequire(this.engineModule) as Record<string, unknown>;
        const probe = this.types.moduleExportNames(this.engineModule);
        this.builtinGlobals = probe.builtinGlobals;
        const own = this.options.engineGlobals === undefined ? undefined : new Set(this.options.engineGlobals);
        this.engineNames = probe.names.filter((n) => !this.builtinGlobals.has(n) && (own === undefined || own.has(n)));
        const values: Record<string, unknown> = { engine: mod };
        for (const n of this.engineNames) if (n in mod && !(n in globalThis && !this.untyped.has(n))) values[n] = mod[n];
        this.setGlobalValues(values);
      } catch (e) {
        // A broken engine must not take the kernel down: cells run without its globals and the
        // first cell shows why.
        this.engineLoadError = `enginelab: could not load the engine (${this.engineModule}): ${e instanceof Error ? e.message : String(e)}\n`;
        this.engineModuleLoaded = false;
      }
    }
    this.writeGlobalsDeclaration();
    if (this.options.captureOutput !== false) this.router.install();
    if (this.options.handleSigint !== false) process.on('SIGINT', this.onSigint);
    if (this.options.catchAsyncErrors !== false) {
      process.on('unhandledRejection', this.onRejection);
      process.on('uncaughtException', this.onException);
    }
    this.types.warm();
  }

  private setGlobalValues(values: Readonly<Record<string, unknown>>): void {
    for (const [name, value] of Object.entries(values)) {
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
    }
  }

  /**
   * Makes `values` globals in every later cell. `types` optionally gives each a TypeScript type
   * (e.g. `typeof import('/abs/kernel/display/api').display`); names without one are typed from
   * the engine when it exports them, else `any`.
   */
  defineGlobals(values: Readonly<Record<string, unknown>>, types: Readonly<Record<string, string>> = {}): void {
    if (typeof values !== 'object' || values === null) throw new TypeError('defineGlobals(values): values must be an object of name → value');
    for (const name of Object.keys(values)) {
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`defineGlobals(values): '${name}' is not a valid identifier`);
      const t = types[name];
      if (t !== undefined) this.definedTypes.set(name, t);
      else if (!this.definedTypes.has(name)) this.untyped.add(name);
    }
    this.setGlobalValues(values);
    if (this.ready) this.writeGlobalsDeclaration();
  }

  private writeGlobalsDeclaration(): void {
    const lines: string[] = [];
    const withEngine = this.engineModule !== undefined && this.engineModuleLoaded;
    if (withEngine) lines.push(`import * as __engine from ${JSON.stringify(stripTsExtension(this.engineModule!))};`);
    lines.push('declare global {');
    const engineSet = new Set(this.engineNames);
    if (withEngine) {
      // A namespace alias, so `engine.X` names the engine's types as well as its values.
      lines.push('  export import engine = __engine;');
      for (const n of this.engineNames) if (!this.definedTypes.has(n) && n !== 'engine') lines.push(`  export import ${n} = __engine.${n};`);
    }
    for (const [n, t] of this.definedTypes) lines.push(`  var ${n}: ${t};`);
    for (const n of this.untyped) if (!this.definedTypes.has(n) && !engineSet.has(n) && n !== 'engine' && !this.builtinGlobals.has(n)) lines.push(`  var ${n}: any;`);
    lines.push('}', 'export {};', '');
    this.types.setGlobalsDeclaration(lines.join('\n'));
  }

  /** The CellIO of the running (or most recent) cell, for display helpers defined as globals. */
  activeIO(): CellIO | undefined {
    return this.router.active;
  }

  async execute(args: ExecuteArgs, io: CellIO): Promise<ExecuteOutcome> {
    clearInterrupt(); // an interrupt that arrived between cells is not for this one
    this.prepare();
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.router.setTarget(io);
    if (this.engineLoadError) {
      this.router.write('stderr', this.engineLoadError);
      this.engineLoadError = undefined;
    }
    const code = args.code;
    this.runs += 1;
    const fileName = `cell-${this.runs}.ts`;
    const cell = { executionCount: args.executionCount, code, fileName };
    let outcome: ExecuteOutcome;
    if (code.trim() === '') {
      outcome = { status: 'ok', userExpressions: {} };
    } else {
      const sf = parseCell(code, this.types.nextCellFileName());
      const analysis = analyzeCell(code, sf);
      const check = this.types.check(analysis);
      if (check.diagnostics.length > 0) return diagnosticsOutcome(check.diagnostics, cell);
      if (!check.fast) this.types.commit(analysis, this.runs);
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
        outcome = isInterrupt(e) ? interruptOutcome() : runtimeErrorOutcome(e, ref);
      }
      if (!check.fast || !this.types.hasProgram()) this.scheduleWarm();
    }
    if (outcome.status === 'ok' && Object.keys(args.userExpressions).length > 0) {
      return { ...outcome, userExpressions: this.evaluateUserExpressions(args.userExpressions) };
    }
    return outcome;
  }

  private scheduleWarm(): void {
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => {
      this.warmTimer = undefined;
      this.types.warm();
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

  private evaluateUserExpressions(exprs: Readonly<Record<string, string>>): Record<string, UserExpressionResult> {
    const out: Record<string, UserExpressionResult> = {};
    for (const [key, expr] of Object.entries(exprs)) {
      try {
        const a = analyzeCell(`(${expr}\n)`);
        const compiled = compileCell(a, RUNTIME_GLOBAL, undefined, true);
        const value: unknown = new vm.Script(compiled.js, { filename: 'user-expression.ts', lineOffset: -1 }).runInThisContext({ breakOnSigint: true });
        const b = this.format(value);
        out[key] = { status: 'ok', data: b.data, metadata: b.metadata };
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        out[key] = { status: 'error', ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] };
      }
    }
    return out;
  }

  private reportAsync(what: string, err: unknown): void {
    const text = err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : String(err);
    this.router.write('stderr', `${what}: ${text}\n`);
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    this.prepare();
    const r = completeAt(this.types, code, cursorPos);
    this.scheduleWarm();
    return r;
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectResult> {
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

function isInterrupt(e: unknown): boolean {
  return e instanceof InterruptSignal || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED');
}

function dynamicImportOption(): { importModuleDynamically?: vm.ScriptOptions['importModuleDynamically'] } {
  const c = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants;
  return c?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: c.USE_MAIN_CONTEXT_DEFAULT_LOADER as never } : {};
}

export function createTsInterpreter(options?: TsInterpreterOptions): TsInterpreter {
  return new TsInterpreter(options);
}
