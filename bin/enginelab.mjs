#!/usr/bin/env node
// The `enginelab` command. Sources are TypeScript. When the install-time bundle (dist/cli/, built
// by scripts/build-bundle.mjs from package.json's "install") is fresh for these sources, it runs
// that plain JavaScript; otherwise tsx's loader (esbuild, cached on disk) runs the sources
// directly. Either way tsx can be registered later, for notebook cells that import or require
// TypeScript project modules: kernel/core/tsx-loader.ts calls the hook installed here.
// ENGINELAB_NO_BUNDLE=1 forces the tsx path; ENGINELAB_TRACE_STARTUP=1 says which path ran and why.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { checkBundle } from '../scripts/cli-bundle.mjs';

const trace = process.env.ENGINELAB_TRACE_STARTUP ? (what) => process.stderr.write(`startup ${what} ${performance.now().toFixed(0)} ms\n`) : () => {};
trace('node ready');
let tsxRegistered;
/**
 * Registers tsx's loaders (once): the CommonJS one before returning, so a cell's synchronous
 * require can call it; the ESM one (for `import()` of .ts files) when the returned promise resolves.
 */
function registerTsx() {
  if (tsxRegistered) return tsxRegistered;
  createRequire(import.meta.url)('tsx/cjs/api').register();
  tsxRegistered = import('tsx/esm/api').then(({ register }) => {
    register();
    trace('tsx registered');
  });
  return tsxRegistered;
}
globalThis[Symbol.for('enginelab.registerTsx')] = registerTsx;

const bundle = process.env.ENGINELAB_NO_BUNDLE ? { fresh: false, reason: 'ENGINELAB_NO_BUNDLE is set' } : checkBundle();
let main;
if (bundle.fresh) {
  trace('bundle fresh');
  ({ main } = await import(pathToFileURL(bundle.entry).href));
  trace('main loaded (bundle)');
} else {
  trace(`bundle not used: ${bundle.reason}; running the sources through tsx`);
  await registerTsx();
  ({ main } = await import('../kernel/main.ts'));
  trace('main loaded (tsx)');
}
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
