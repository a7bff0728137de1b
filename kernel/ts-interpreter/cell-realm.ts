/**
 * The realm cells run in, seen from the interpreter: how globals are installed, how cells load
 * modules, how an interrupt or a type-check cancellation is recognised, and the vm option that
 * lets cells use `import()`.
 */
import vm from 'node:vm';
import path from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';
import { InterruptSignal } from './runtime-globals';
import { ensureTsx, mayNameSource } from './tsx-loader';

/**
 * `require` for cells' imports (CommonJS, so cells, the engine and the display modules share one
 * instance of each module): from the notebook's directory first, then the project root. A path
 * may name a TypeScript source, so tsx is registered before it is required.
 */
export class CellModules {
  private readonly cwdRequire: NodeJS.Require;
  private readonly rootRequire: NodeJS.Require;

  constructor(cwd: string, projectRoot: string) {
    this.cwdRequire = createRequire(path.join(cwd, '__enginelab_cell__.js'));
    this.rootRequire = createRequire(path.join(projectRoot, '__enginelab_cell__.js'));
  }

  require(spec: string): unknown {
    if (mayNameSource(spec)) void ensureTsx();
    try {
      return this.cwdRequire(spec);
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes(spec)) throw e;
      return this.rootRequire(spec);
    }
  }
}

/** Globals of the cell realm: non-enumerable, so `Object.keys(globalThis)` stays the user's. */
export function setGlobalValues(values: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(values)) Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

/** The interrupt as it reaches a cell: our signal or vm's breakOnSigint error. */
export function isInterrupt(e: unknown): boolean {
  return e instanceof InterruptSignal || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED');
}

/** TypeScript's OperationCanceledException: the type service's cancellation token saw the interrupt flag. */
export function isCancellation(e: unknown): boolean {
  return e instanceof ts.OperationCanceledException;
}

/** `import()` inside vm scripts resolves with the main context's loader where Node offers it. */
export function dynamicImportOption(): { importModuleDynamically?: vm.ScriptOptions['importModuleDynamically'] } {
  const c = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants;
  return c?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: c.USE_MAIN_CONTEXT_DEFAULT_LOADER as never } : {};
}
