/**
 * The hidden globals compiled cells and the debugger rely on: the runtime helper object cells'
 * imports call (`require`, `defaultOf`, `namespaceOf`), the loop guard, and three hooks under
 * registered symbols for the debug adapter, which reaches them by evaluation: the names cells
 * declared (its "Globals" scope), the display formatter (richInspectVariables) and "define a
 * global" (copyToGlobals). All are non-enumerable, so they never show as cell variables.
 */
import { DEFINE_GLOBAL_KEY, FORMATTER_KEY, USER_NAMES_KEY } from '../debugger/variables';
import { interruptFlag, takeInterrupt } from './interrupt-flag';
import { LOOP_GUARD } from './loop-guards';

export const RUNTIME_GLOBAL = '__enginelab_rt';

export class InterruptSignal extends Error {
  override name = 'KeyboardInterrupt';
}

function hide(name: string | symbol, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: false, enumerable: false });
}

export interface RuntimeHooks {
  readonly requireModule: (spec: string) => unknown;
  readonly format: (value: unknown) => unknown;
  readonly defineGlobal: (name: string, value: unknown) => void;
}

/** Installs the helpers; returns the Set of cell-declared names the debugger lists. */
export function installRuntimeGlobals(hooks: RuntimeHooks): Set<string> {
  hide(RUNTIME_GLOBAL, {
    require: hooks.requireModule,
    defaultOf: (m: unknown) => (m && (m as { __esModule?: boolean }).__esModule ? (m as { default: unknown }).default : m),
    namespaceOf: (m: unknown) => (m && (typeof m === 'object' || typeof m === 'function') && (m as { __esModule?: boolean }).__esModule ? m : { ...(m as object), default: m }),
  });
  // Called first in every guarded loop body; cheap while the flag is down.
  const flag = interruptFlag;
  hide(LOOP_GUARD, function checkInterrupt(): void {
    if (flag[0] !== 0 && takeInterrupt(flag)) throw new InterruptSignal('Execution interrupted');
  });
  const names = new Set<string>();
  hide(Symbol.for(USER_NAMES_KEY), names);
  hide(Symbol.for(FORMATTER_KEY), hooks.format);
  hide(Symbol.for(DEFINE_GLOBAL_KEY), (name: string, value: unknown) => {
    hooks.defineGlobal(name, value);
    names.add(name);
  });
  return names;
}
