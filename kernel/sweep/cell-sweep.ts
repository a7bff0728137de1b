/**
 * `sweep(spec, opts?)` in a cell: runs a sweep spec with `runSweep` on worker threads while the
 * cell shows a progress bar (configs done of configs, failures as detail), and returns the result
 * Arrow table. The journal and tables go to `opts.outDir` (default `sweeps/<spec name>` under the
 * kernel's working directory), so running the cell again resumes instead of starting over.
 */
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import type { CellIO } from '../interpreter';
import { Progress } from '../display/progress';
import { runSweep, type SweepSpecInput } from './run-sweep';
import type { ShardSelection } from './sweep-dir';

export interface CellSweepOptions {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Where the journal and results go (default `sweeps/<spec name>`). */
  readonly outDir?: string;
  readonly shard?: ShardSelection;
  /** The progress bar's label (default `sweep <name>`). */
  readonly label?: string;
}

function specName(spec: SweepSpecInput): string {
  const o = (typeof spec === 'string' ? JSON.parse(spec) : spec) as { name?: unknown };
  return typeof o?.name === 'string' && /^[\w.-]+$/.test(o.name) ? o.name : 'sweep';
}

export function sweepGlobals(ctx: { readonly currentIO: () => CellIO; readonly terminal?: NodeJS.WritableStream }) {
  return {
    /** Runs a sweep spec ({ serve, bench, env?, set?, axes }) and returns its result table (one row per config). */
    async sweep(spec: SweepSpecInput, opts: CellSweepOptions = {}): Promise<Table> {
      const name = specName(spec);
      const bar = new Progress(ctx.currentIO(), { label: opts.label ?? `sweep ${name}`, ...(ctx.terminal ? { terminal: ctx.terminal } : {}) });
      try {
        const r = await runSweep(spec, {
          outDir: opts.outDir ?? join('sweeps', name),
          ...(opts.workers === undefined ? {} : { workers: opts.workers }),
          ...(opts.shard === undefined ? {} : { shard: opts.shard }),
          onProgress: (p) => {
            bar.setTotal(p.total);
            bar.set(p.done, `${p.failed} failed${p.resumed > 0 ? `, ${p.resumed} resumed` : ''}`);
          },
        });
        return r.table;
      } finally {
        await bar.done();
      }
    },
  };
}

export type SweepGlobals = ReturnType<typeof sweepGlobals>;
