/**
 * `await runLive(engine, { steps | until, every, view, render, progress })`: steps a synchronous
 * engine in slices and yields to the event loop between them, so live displays, progress bars,
 * heartbeats and interrupts get through while it runs. `engine.run()` itself never yields.
 * The final state is always shown before the promise resolves.
 */
import type { CellIO } from '../interpreter';
import type { LiveDisplay } from './live';
import { Progress } from './progress';
import type { LiveClock } from './live';
import { realClock } from './live';

export interface Steppable {
  step(): unknown;
}

export interface RunLiveOptions<E extends Steppable, T> {
  /** Run exactly this many steps (or fewer if `until` says stop first). */
  readonly steps?: number;
  /** Stop when this returns true (checked before each step). */
  readonly until?: (engine: E, numSteps: number) => boolean;
  /** Steps per slice between yields (default 32); a slice also ends after `sliceMs` (default 20 ms). */
  readonly every?: number;
  readonly sliceMs?: number;
  /** Live display to refresh after each slice with `render(engine)`. */
  readonly view?: LiveDisplay<T>;
  readonly render?: (engine: E, numSteps: number) => T;
  /** Show a progress bar (needs `steps`); `true` or a label. */
  readonly progress?: boolean | string;
  /** Called with every step's return value (e.g. collect StepRecords). */
  readonly onStep?: (record: unknown, numSteps: number) => void;
  readonly signal?: AbortSignal;
}

export interface RunLiveResult {
  readonly numSteps: number;
  readonly lastRecord: unknown;
}

export interface RunLiveDeps {
  readonly io: CellIO;
  readonly terminal?: NodeJS.WritableStream;
  readonly maxUpdatesPerSecond?: number;
  readonly clock?: LiveClock;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runLive<E extends Steppable, T>(deps: RunLiveDeps, engine: E, options: RunLiveOptions<E, T> = {}): Promise<RunLiveResult> {
  if (typeof engine !== 'object' || engine === null || typeof (engine as Steppable).step !== 'function') throw new TypeError('engine must have a step() method');
  const { steps, until, view, render, onStep, signal } = options;
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 0)) throw new TypeError(`options.steps must be a non-negative integer, got ${String(steps)}`);
  if (steps === undefined && until === undefined) throw new TypeError('options.steps or options.until is required (a run must end)');
  const every = options.every ?? 32;
  if (!Number.isInteger(every) || every < 1) throw new TypeError(`options.every must be a positive integer, got ${String(every)}`);
  const sliceMs = options.sliceMs ?? 20;
  if (view !== undefined && render === undefined) throw new TypeError('options.render is required with options.view');
  const clock = deps.clock ?? realClock;
  const label = typeof options.progress === 'string' ? options.progress : 'steps';
  const bar = options.progress && steps !== undefined
    ? new Progress(deps.io, { total: steps, label, maxUpdatesPerSecond: deps.maxUpdatesPerSecond, terminal: deps.terminal }, clock)
    : undefined;
  let n = 0;
  let last: unknown;
  const done = () => (steps !== undefined && n >= steps) || (until !== undefined && until(engine, n));
  try {
    while (!done()) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('runLive aborted');
      const t0 = clock.now();
      for (let k = 0; k < every && !done(); k++) {
        last = engine.step();
        n++;
        onStep?.(last, n);
        if (clock.now() - t0 >= sliceMs) break;
      }
      if (view) view.update(render!(engine, n));
      bar?.set(n);
      await yieldToLoop();
    }
    // The last slice already gave the final state to the view; wait until it is out.
    if (view) await view.flush();
  } finally {
    if (bar) {
      bar.set(n);
      await bar.done();
    }
  }
  return { numSteps: n, lastRecord: last };
}
