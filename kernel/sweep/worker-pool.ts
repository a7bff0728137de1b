/**
 * Runs sweep configs on worker threads (the bundled worker body, sweep-worker-bundle.ts), one
 * config per thread at a time, the next handed to whichever thread finishes first. Rows arrive in completion order;
 * callers sort by index. A thread that dies (out of memory, a crash outside runSweepConfig) turns
 * its config into an error row and is replaced, so one bad config never stops the others.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sweepWorkerEntry } from './sweep-worker-bundle';
import type { SweepConfig, SweepRow } from '../../engine/index';

/** One worker per core: the default of `--workers`. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

export interface PoolOptions {
  readonly workers: number;
  /** Told of every finished config, in completion order. */
  readonly onRow: (row: SweepRow) => void;
}

/** Runs every config; resolves when all rows were reported. */
export function runOnWorkers(configs: readonly SweepConfig[], options: PoolOptions): Promise<void> {
  const queue = [...configs];
  let remaining = configs.length;
  if (remaining === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let settled = false;
    const live = new Set<Worker>();
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of live) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const report = (row: SweepRow): void => {
      try {
        options.onRow(row);
      } catch (e) {
        finish(e as Error); // the journal could not be written: stop, nothing is lost that was written
        return;
      }
      if (--remaining === 0) finish();
    };
    const start = (): void => {
      const worker = new Worker(sweepWorkerEntry());
      live.add(worker);
      let current: SweepConfig | undefined;
      let ready = false;
      const next = (): void => {
        current = queue.shift();
        if (current === undefined) {
          live.delete(worker);
          void worker.terminate();
        } else worker.postMessage(current);
      };
      worker.on('message', (m: SweepRow | { ready: true }) => {
        if ('ready' in m) {
          ready = true;
          return next();
        }
        current = undefined;
        report(m);
        if (!settled) next();
      });
      const died = (why: string): void => {
        if (!live.delete(worker) || settled) return;
        // A thread that cannot even load the engine would fail again: stop the sweep instead.
        if (!ready) return finish(new Error(`sweep worker failed to start: ${why}`));
        if (current !== undefined) {
          const c = current;
          current = undefined;
          report({ index: c.index, key: c.key, status: 'error', error: `WorkerError: the worker thread died running this config (${why})`, columns: c.columns, metrics: {} });
        }
        if (!settled && queue.length > 0) start();
      };
      worker.on('error', (e) => died(e.message));
      worker.on('exit', (code) => died(`exit code ${code}`));
    };
    const n = Math.max(1, Math.min(options.workers, configs.length));
    for (let i = 0; i < n; i++) start();
  });
}
