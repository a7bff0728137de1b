/**
 * Runs a kernel process over zeromq: socket thread + KernelCore + an interpreter, with the
 * process-level guards that keep it serving — a SIGINT listener (interrupts the running cell
 * instead of killing the process), and handlers that turn uncaught exceptions and unhandled
 * promise rejections from cells (timers, un-awaited promises, writes to closed streams) into
 * stderr output of the current cell. The composition root (main.ts) supplies the interpreter
 * and the cell globals, which load lazily: kernel_info is answered before any of it.
 */
import { randomUUID } from 'node:crypto';
import { createCellGlobals } from '../cell/cell-globals';
import type { DisplayBundle } from '../display/mime';
import type { CellIO, Interpreter } from '../interpreter';
import { kernelInfoContent } from '../protocol/kernel-info';
import { interruptFlag } from '../ts-interpreter/interrupt-flag';
import { KernelCore } from './kernel-core';
import { kernelMemoryHygiene } from './memory-hygiene';
import type { ConnectionInfo } from '../transport/connection';
import { SocketThreadTransport } from '../transport/socket-thread-transport';
import { logToStderr } from '../transport/transport';

export interface ServeKernelOptions {
  readonly connection: ConnectionInfo;
  readonly interpreter: Interpreter;
  /** Extra globals for every cell (e.g. rich display helpers), loaded on first need. */
  readonly loadGlobals?: (ctx: { readonly currentIO: () => CellIO }) => Promise<Record<string, unknown>>;
  /** value → MIME bundle for `display()`, loaded on first need. */
  readonly loadFormatter: () => Promise<(value: unknown) => DisplayBundle>;
  /** Installs the globals; defaults to `interpreter.defineGlobals` (main.ts adds TypeScript types). */
  readonly defineGlobals?: (values: Record<string, unknown>) => void;
  /**
   * Heavy loading (e.g. TypeScript, the engine). It is handed `loadShared` (the globals and the
   * formatter, which load the display modules and the engine) to run when it sees fit; the
   * first request that needs the interpreter waits until warmUp resolves, not for `loadShared`.
   * Without warmUp, `loadShared` runs before the first such request.
   */
  readonly warmUp?: (loadShared: () => Promise<void>) => Promise<void>;
  readonly exit?: (code: number) => void;
}

function describe(e: unknown): string {
  return typeof e === 'object' && e !== null && 'stack' in e ? String((e as Error).stack) : String(e);
}

export async function serveKernel(options: ServeKernelOptions): Promise<KernelCore> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const define = options.defineGlobals ?? ((v: Record<string, unknown>) => options.interpreter.defineGlobals(v));
  // The socket thread raises the flag that the interpreter's loop guards read, and answers
  // control requests itself, with the core's session and kernel_info content.
  const session = randomUUID();
  const transport = new SocketThreadTransport(options.connection, logToStderr, interruptFlag, { session, kernelInfo: kernelInfoContent(options.interpreter.info(), SocketThreadTransport.servesDebugger) });
  const core: KernelCore = new KernelCore({
    interpreter: options.interpreter,
    transport,
    session,
    prepare: async () => {
      const loadShared = async (): Promise<void> => {
        const [globals, format] = await Promise.all([options.loadGlobals?.({ currentIO: () => core.currentIO() }) ?? {}, options.loadFormatter()]);
        define({ ...globals, ...createCellGlobals({ currentIO: () => core.currentIO(), format, comms: core.comms }) });
      };
      if (options.warmUp) await options.warmUp(loadShared);
      else await loadShared();
    },
    onShutdown: () => exit(0),
    afterRequest: kernelMemoryHygiene(),
  });
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
  await core.start();
  if (process.env.ENGINELAB_TRACE_STARTUP) logToStderr(`startup sockets ready ${performance.now().toFixed(0)} ms`);
  return core;
}
