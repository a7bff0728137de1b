/**
 * The realm cells run in, seen from the interpreter: how globals are installed, how an interrupt
 * or a type-check cancellation is recognised, and the vm option that lets cells use `import()`.
 */
import vm from 'node:vm';
import ts from 'typescript';
import { InterruptSignal } from './runtime-globals';

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
