/**
 * `runSweep(spec, { workers, outDir, shard?, onProgress })`: expands the spec, skips the configs
 * whose key the directory's journal already holds (resume: no duplicate row, no lost row), runs
 * the rest on worker threads appending each row to the journal as it finishes, and writes
 * `results.arrow` and `results.parquet` sorted by config index. A failing config is a row with its
 * error; the others go on. With `shard`, only that shard's configs (round-robin) run, in outDir.
 */
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { expandSweep, parseSweepSpec, shardConfigs, sweepTable, type SweepConfig, type SweepRow } from '../../engine/index';
import { JOURNAL_FILE, JournalWriter, readJournal } from './sweep-journal';
import { lockSweepDir, writeManifest, writeTables, type ShardSelection } from './sweep-dir';
import { defaultWorkerCount, runOnWorkers } from './worker-pool';

export interface SweepProgress {
  /** Configs with a row (resumed ones included). */
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  /** Configs found in the journal at the start. */
  readonly resumed: number;
  /** The row that just finished (absent for the first report). */
  readonly row?: SweepRow;
}

export interface RunSweepOptions {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  readonly outDir: string;
  readonly shard?: ShardSelection;
  readonly onProgress?: (p: SweepProgress) => void;
}

export interface SweepResult {
  readonly table: Table;
  readonly outDir: string;
  readonly journal: string;
  readonly arrow: string;
  readonly parquet: string;
  /** Configs of this run (its shard's, with `shard`). */
  readonly numConfigs: number;
  readonly numResumed: number;
  readonly numRun: number;
  readonly numFailed: number;
}

/** The spec as JSON text or an object (what a SPEC.json holds). */
export type SweepSpecInput = string | Readonly<Record<string, unknown>>;

export function specObject(spec: SweepSpecInput): unknown {
  return typeof spec === 'string' ? (JSON.parse(spec) as unknown) : spec;
}

/** The configs a run covers: the whole sweep, or one shard of it. */
export function sweepConfigs(spec: SweepSpecInput, shard?: ShardSelection): { all: SweepConfig[]; mine: SweepConfig[]; name: string } {
  const parsed = parseSweepSpec(spec);
  const all = expandSweep(parsed);
  return { all, mine: shard === undefined ? all : shardConfigs(all, shard.index, shard.count), name: parsed.name };
}

export async function runSweep(spec: SweepSpecInput, options: RunSweepOptions): Promise<SweepResult> {
  const { all, mine, name } = sweepConfigs(spec, options.shard);
  const workers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${String(options.workers)}`);
  const outDir = options.outDir;
  const release = lockSweepDir(outDir);
  try {
    writeManifest(outDir, { spec: specObject(spec), shard: options.shard ?? null, numConfigs: all.length });
    const journalPath = join(outDir, JOURNAL_FILE);
    const journal = readJournal(journalPath);
    const mineKeys = new Set(mine.map((c) => c.key));
    const rows = new Map<string, SweepRow>();
    for (const r of journal.rows) if (mineKeys.has(r.key) && !rows.has(r.key)) rows.set(r.key, r);
    const todo = mine.filter((c) => !rows.has(c.key));
    const resumed = rows.size;
    let failed = [...rows.values()].filter((r) => r.status === 'error').length;
    options.onProgress?.({ done: resumed, total: mine.length, failed, resumed });
    const writer = JournalWriter.open(journalPath, journal);
    try {
      await runOnWorkers(todo, {
        workers,
        onRow: (row) => {
          if (rows.has(row.key)) return; // two configs with one key (identical inputs): one row
          writer.append(row);
          rows.set(row.key, row);
          if (row.status === 'error') failed++;
          options.onProgress?.({ done: rows.size, total: mine.length, failed, resumed, row });
        },
      });
    } finally {
      writer.close();
    }
    const { table, numFailed } = sweepTable(mine, rows.values(), name);
    const paths = writeTables(outDir, table);
    return { table, outDir, journal: journalPath, ...paths, numConfigs: mine.length, numResumed: resumed, numRun: todo.length, numFailed };
  } finally {
    release();
  }
}
