/**
 * tsx's loaders, registered on first need. bin/enginelab.mjs installs the registration under a
 * registered symbol: the install-time bundle starts without tsx (no loader thread, no transpile
 * of the kernel), and tsx is registered only when something must load TypeScript from source —
 * the engine and display modules that cells share, or a cell's import of a project .ts file.
 * Under the tsx path of bin/enginelab.mjs, or in a process that never went through it (tests run
 * by vitest, which transforms TypeScript itself), this is a no-op.
 */

const HOOK = Symbol.for('enginelab.registerTsx');

type RegisterTsx = () => Promise<void>;

/**
 * Registers tsx once: its CommonJS loader before this returns (so a synchronous `require` of a
 * .ts file that follows works), its ESM loader (for `import()` of .ts files) by the time the
 * returned promise resolves.
 */
export function ensureTsx(): Promise<void> {
  const register = (globalThis as { [HOOK]?: RegisterTsx })[HOOK];
  return register === undefined ? Promise.resolve() : register();
}

/** Whether a module specifier may name a TypeScript source (a relative or absolute path). */
export function mayNameSource(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || /\.[cm]?ts$/.test(spec);
}
