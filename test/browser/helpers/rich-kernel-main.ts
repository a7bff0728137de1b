/**
 * The enginelab kernel composed the way kernel/main.ts should compose it, with the rich
 * displays wired in: TypeScript interpreter, engine globals, format() over `richFormatters()`
 * and `richDisplayGlobals({ currentIO })`. `tsx rich-kernel-main.ts CONNECTION_FILE`.
 *
 * The interpreter loads the engine with `require` (a CommonJS instance of engine/index.ts and
 * apache-arrow, beside the ESM one the kernel imports) and defines `engine` and the listed
 * engine names (kernel/cell/cell-surface.ts). The display modules are loaded the same way here,
 * so Engine, Arrow tables and the cells' values come from one instance; the interpreter and
 * display() share one formatter list.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { readConnectionFile } from '../../../kernel/transport/connection';
import { serveKernel } from '../../../kernel/core/serve-kernel';
import { createTsInterpreter } from '../../../kernel/ts-interpreter/index';
import { ENGINE_TOP_LEVEL_NAMES } from '../../../kernel/cell/cell-surface';
import type { KernelCore } from '../../../kernel/core/kernel-core';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: rich-kernel-main.ts CONNECTION_FILE');
const root = resolve(new URL('.', import.meta.url).pathname, '../../..');
const req = createRequire(join(root, '__enginelab_kernel__.js'));
const holder: { core?: KernelCore } = {};
type DisplayModule = typeof import('../../../kernel/display/index');
// Loaded on first need (after the sockets are up), like kernel/main.ts does.
let loaded: { display: DisplayModule; formatters: ReturnType<DisplayModule['richFormatters']> } | undefined;
const displayModule = () => {
  if (loaded === undefined) {
    const display = req(join(root, 'kernel/display/index.ts')) as DisplayModule;
    loaded = { display, formatters: display.richFormatters() };
  }
  return loaded;
};
const { format } = req(join(root, 'kernel/display/format.ts')) as typeof import('../../../kernel/display/format');
const formatValue = (value: unknown) => format(value, displayModule().formatters);
const interpreter = createTsInterpreter({ format: formatValue, engineGlobals: ENGINE_TOP_LEVEL_NAMES });
holder.core = await serveKernel({
  connection: readConnectionFile(file),
  interpreter,
  loadGlobals: async () => {
    const { display } = displayModule();
    const rich = display.richDisplayGlobals({ currentIO: () => holder.core!.currentIO() });
    // Typed first, so cells get checked calls and inferred callback parameters, not `any`.
    interpreter.defineGlobals(rich, display.richDisplayGlobalTypes(join(root, 'kernel/display/index.ts')));
    return rich;
  },
  loadFormatter: async () => formatValue,
});
