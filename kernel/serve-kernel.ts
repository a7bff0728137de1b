/**
 * Runs a kernel process over zeromq: socket thread + KernelCore + an interpreter, with the
 * process-level guards that keep it serving — a SIGINT listener (interrupts the running cell
 * instead of killing the process), and handlers that turn uncaught exceptions and unhandled
 * promise rejections from cells (timers, un-awaited promises, writes to closed streams) into
 * stderr output of the current cell. The composition root (main.ts) supplies the interpreter
 * and the cell globals, which may load lazily after the kernel already answers kernel_info.
 */
import { createCellGlobals } from './cell-globals';
import type { DisplayBundle } from './display/mime';
import type { Interpreter } from './interpreter';
import { KernelCore } from './kernel-core';
import type { ConnectionInfo } from './transport/connection';
import { SocketThreadTransport } from './transport/socket-thread-transport';
import { logToStderr } from './transport/transport';

export interface ServeKernelOptions {
  readonly connection: ConnectionInfo;
  readonly interpreter: Interpreter;
  /** Extra globals for every cell (the engine API), loaded after the sockets are up. */
  readonly loadGlobals: () => Promise<Record<string, unknown>>;
  /** value → MIME bundle for `display()`. */
  readonly loadFormatter: () => Promise<(value: unknown) => DisplayBundle>;
  readonly exit?: (code: number) => void;
}

function describe(e: unknown): string {
  return typeof e === 'object' && e !== null && 'stack' in e ? String((e as Error).stack) : String(e);
}

export async function serveKernel(options: ServeKernelOptions): Promise<KernelCore> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const transport = new SocketThreadTransport(options.connection);
  let formatter: ((value: unknown) => DisplayBundle) | undefined;
  let markReady!: (p: Promise<void>) => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const core = new KernelCore({
    interpreter: options.interpreter,
    transport,
    ready,
    onShutdown: () => exit(0),
  });
  markReady(
    (async () => {
      const [globals, format] = await Promise.all([options.loadGlobals(), options.loadFormatter()]);
      formatter = format;
      options.interpreter.defineGlobals({ ...globals, ...createCellGlobals({ currentIO: () => core.currentIO(), format: (v) => formatter!(v), comms: core.comms }) });
    })(),
  );
  const report = (what: string, e: unknown) => {
    logToStderr(`${what}: ${describe(e)}`);
    try {
      core.currentIO().stream('stderr', `${what}: ${describe(e)}\n`);
    } catch {
      // nowhere to report
    }
  };
  process.on('SIGINT', () => core.interrupt());
  process.on('uncaughtException', (e) => report('Uncaught exception', e));
  process.on('unhandledRejection', (e) => report('Unhandled promise rejection', e));
  ready.catch((e) => logToStderr(`loading cell globals failed: ${describe(e)}`));
  await core.start();
  return core;
}
