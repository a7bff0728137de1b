/**
 * The `enginelab` command and the kernel's composition root: it picks the transport (zeromq in
 * a socket thread), the interpreter (TypeScript), the display formatter list and the cell
 * surface (`engine`, a short list of engine names and the display/input/comms helpers, see
 * cell/cell-surface.ts). Subcommands:
 *   kernel -f CONNECTION_FILE
 *   install [--user | --sys-prefix | --prefix DIR] [--name NAME]
 *   run NOTEBOOK.ipynb|DIR [--out DIR] [--html] [--allow-errors] [--summary] [--timeout SECONDS]
 *   simulate …, sweep SPEC.json … (kernel/cli/simulate.ts, kernel/cli/sweep.ts)
 * Heavy modules (the engine, TypeScript, display libraries) load after the sockets are up, so
 * kernel_info_reply comes quickly.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { DisplayBundle } from './display/mime';
import type { InterpreterInfo } from './interpreter';
import { parseArgs, UsageError } from './cli/args';

const USAGE = `usage: enginelab <command>
  kernel -f CONNECTION_FILE        run the Jupyter kernel
  install [--user|--sys-prefix|--prefix DIR] [--name NAME]
                                   register the kernelspec with Jupyter (default --user)
  run NOTEBOOK.ipynb|DIR [--out DIR] [--html] [--allow-errors] [--summary] [--timeout SECONDS]
                                   execute notebooks headless through the kernel; each cell
                                   may run 600 s (--timeout 0: no limit)
  simulate --serve "<vllm serve …>" --bench "<vllm bench serve …>" [--env "VAR=value …"] [--set name=value …] [--json FILE|DIR]
                                   simulate vllm bench serve against the engine; prints vLLM's summary block
  sweep SPEC.json [--workers N] [--out DIR] [--shard i/N] | sweep --collect DIR
                                   run a sweep of simulated configs on worker threads (resumable), or merge shards`;

/** What kernel_info reports before the TypeScript interpreter has loaded (it reports the same after). */
function staticInfo(): InterpreterInfo {
  let tsVersion = '5';
  try {
    tsVersion = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
  } catch {
    // typescript missing: the interpreter will say so when it loads
  }
  return {
    implementation: 'enginelab',
    implementationVersion: '0.1.0',
    languageInfo: { name: 'typescript', version: tsVersion, mimetype: 'text/typescript', file_extension: '.ts', codemirror_mode: { name: 'javascript', typescript: true }, pygments_lexer: 'typescript' },
    banner: `enginelab: TypeScript ${tsVersion} on Node ${process.version}, with the engine loaded`,
    helpLinks: [
      { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
      { text: 'Node.js API', url: 'https://nodejs.org/docs/latest-v20.x/api/' },
    ],
  };
}

async function kernelCommand(argv: readonly string[]): Promise<undefined> {
  // The sparse-MLA WebAssembly kernels use FMA through relaxed SIMD, which Node 20 gates behind
  // a flag (on by default from Node 22); without it they fall back to plain SIMD at half speed.
  (await import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
  const args = parseArgs(argv, { values: ['-f', '--connection-file'] }, 'kernel');
  const file = args.values.get('-f') ?? args.values.get('--connection-file') ?? args.positional[0];
  if (file === undefined) throw new UsageError('kernel: -f CONNECTION_FILE is required');
  const [{ readConnectionFile }, { serveKernel }, { LazyInterpreter }] = await Promise.all([import('./transport/connection'), import('./core/serve-kernel'), import('./core/lazy-interpreter')]);
  const connection = readConnectionFile(file);
  const globalsModule = JSON.stringify(fileURLToPath(new URL('./cell/cell-globals.ts', import.meta.url)).replace(/\.ts$/, ''));
  const displayModule = JSON.stringify(fileURLToPath(new URL('./display/index.ts', import.meta.url)).replace(/\.ts$/, ''));
  const sweepModule = JSON.stringify(fileURLToPath(new URL('./sweep/cell-sweep.ts', import.meta.url)).replace(/\.ts$/, ''));
  const { CELL_HELPER_NAMES, ENGINE_TOP_LEVEL_NAMES } = await import('./cell/cell-surface');
  const types: Record<string, string> = Object.fromEntries(CELL_HELPER_NAMES.map((n) => [n, `import(${globalsModule}).CellGlobals['${n}']`]));
  // TypeScript and the engine load after the first kernel_info_reply (LazyInterpreter). The
  // interpreter loads the engine itself (values and types); SIGINT and async errors are handled
  // once, by serveKernel, which routes them to the running cell.
  // Cells load modules through require (CommonJS), so display modules must come through it as
  // well: one instance of each module (and of apache-arrow's classes) for cells and kernel alike.
  const cellRequire = createRequire(import.meta.url);
  // One ordered formatter list (kernel/display) for cells' last values and display(), passed to
  // the pure format(); loaded on first need.
  let formatValue: ((value: unknown) => DisplayBundle) | undefined;
  const displayFormat = (): ((value: unknown) => DisplayBundle) => {
    if (formatValue === undefined) {
      const { format } = cellRequire('./display/format') as typeof import('./display/format');
      const formatters = (cellRequire('./display/index') as typeof import('./display/index')).richFormatters();
      formatValue = (value) => format(value, formatters);
    }
    return formatValue;
  };
  const interpreter = new LazyInterpreter(async () => {
    const { createTsInterpreter } = await import('./ts-interpreter/index');
    const real = createTsInterpreter({ handleSigint: false, catchAsyncErrors: false, format: displayFormat(), engineGlobals: ENGINE_TOP_LEVEL_NAMES });
    // Native AVX2 sparse-MLA kernels for the engine instance that cells use (the CommonJS one);
    // missing or stale builds leave the WebAssembly kernels in place with one line on stderr.
    (cellRequire('./native/install-native-runner') as typeof import('./native/install-native-runner'))
      .installNativeSparseMla(cellRequire('../engine/index') as typeof import('../engine/index'));
    const defineGlobals = real.defineGlobals.bind(real);
    real.defineGlobals = (values) => defineGlobals(values, types);
    return real;
  }, staticInfo());
  await serveKernel({
    connection,
    interpreter,
    // Rich displays (plot, table, live, progress, …), from kernel/display.
    loadGlobals: async (ctx) => {
      const rich = cellRequire('./display/index') as typeof import('./display/index');
      const globals = rich.richDisplayGlobals(ctx);
      for (const n of Object.keys(globals)) types[n] ??= `import(${displayModule}).RichDisplayGlobals['${n}']`;
      // sweep(spec): worker threads, a journal and the result table (kernel/sweep/cell-sweep.ts).
      const sweeps = (cellRequire('./sweep/cell-sweep') as typeof import('./sweep/cell-sweep')).sweepGlobals(ctx);
      for (const n of Object.keys(sweeps)) types[n] ??= `import(${sweepModule}).SweepGlobals['${n}']`;
      return { ...globals, ...sweeps };
    },
    loadFormatter: async () => displayFormat(),
    defineGlobals: (values) => interpreter.defineGlobals(values),
    warmUp: async () => {
      const real = await interpreter.get();
      (real as { prepare?: () => void }).prepare?.();
    },
  });
  return undefined;
}

async function installCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['--user', '--sys-prefix'], values: ['--prefix', '--name'] }, 'install');
  if (args.positional.length > 0) throw new UsageError(`install: unexpected argument ${args.positional[0]}`);
  const chosen = [args.flags.has('--user'), args.flags.has('--sys-prefix'), args.values.has('--prefix')].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('install: choose one of --user, --sys-prefix, --prefix DIR');
  const { installKernelspec } = await import('./cli/install-kernelspec');
  const prefix = args.values.get('--prefix');
  const target = prefix !== undefined ? { kind: 'prefix' as const, dir: prefix } : args.flags.has('--sys-prefix') ? { kind: 'sys-prefix' as const } : { kind: 'user' as const };
  const dir = installKernelspec({ target, name: args.values.get('--name') ?? 'enginelab' });
  process.stdout.write(`Installed kernelspec ${args.values.get('--name') ?? 'enginelab'} in ${dir}\n`);
  return 0;
}

async function runCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['--html', '--allow-errors', '--summary'], values: ['--out', '--timeout'] }, 'run');
  if (args.positional.length !== 1) throw new UsageError('run: give exactly one NOTEBOOK.ipynb or directory');
  const { listNotebooks, runNotebook, formatSummary, formatRunLine, formatHtmlPaths, cellTimeoutMs, checkOutputPaths } = await import('./cli/run-notebook');
  const timeoutMs = cellTimeoutMs(args.values.get('--timeout'));
  const notebooks = listNotebooks(args.positional[0]!);
  checkOutputPaths(notebooks, args.values.get('--out') ?? 'out');
  const runs = [];
  for (const nb of notebooks) {
    if (process.stderr.isTTY) process.stderr.write(`running ${nb} …\n`);
    const run = await runNotebook(nb, {
      outDir: args.values.get('--out') ?? 'out',
      html: args.flags.has('--html'),
      allowErrors: args.flags.has('--allow-errors'),
      ...(timeoutMs === undefined ? {} : { cellTimeoutMs: timeoutMs }),
    });
    runs.push(run);
    // With --summary the table owns stdout; the line per notebook still shows, on stderr.
    (args.flags.has('--summary') ? process.stderr : process.stdout).write(formatRunLine(run) + '\n');
  }
  if (args.flags.has('--summary')) process.stdout.write(formatSummary(runs) + '\n');
  const html = formatHtmlPaths(runs);
  if (html) process.stdout.write(html + '\n');
  const failed = runs.some((r) => r.failure !== undefined || (!args.flags.has('--allow-errors') && r.numErrors > 0));
  return failed ? 1 : 0;
}

export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'kernel':
        return await kernelCommand(rest);
      case 'install':
        return await installCommand(rest);
      case 'run':
        return await runCommand(rest);
      case 'simulate':
        return await (await import('./cli/simulate')).simulateCommand(rest);
      case 'sweep':
        return await (await import('./cli/sweep')).sweepCommand(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`enginelab: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`enginelab: ${(e as Error).message}\n`);
    return 1;
  }
}
