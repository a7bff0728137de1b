/**
 * `collectSweep(dir)`: merges the journals of a sharded sweep (`dir/shard-<i>/results.jsonl`, as
 * `enginelab sweep --shard i/N --out dir` writes them; a plain `dir/results.jsonl` counts too)
 * into one table over the whole spec, written as `dir/results.arrow` and `dir/results.parquet`,
 * and lists the configs no journal holds — with the shard that should have run each, so a failed
 * array task is named by its index.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { EngineError, expandSweep, parseSweepSpec, sweepTable, type SweepRow } from '../../engine/index';
import { JOURNAL_FILE, readJournal } from './sweep-journal';
import { hasManifest, readManifest, writeTables } from './sweep-dir';

/** The directory of shard `index` under a sweep's `--out`. */
export function shardDir(outDir: string, index: number): string {
  return join(outDir, `shard-${index}`);
}

export interface MissingConfig {
  readonly index: number;
  readonly key: string;
  /** The shard that owns it (index mod count), when the journals were sharded. */
  readonly shard: number | null;
}

export interface CollectResult {
  readonly table: Table;
  readonly missing: readonly MissingConfig[];
  /** Shard indices that own at least one missing config (the tasks to rerun). */
  readonly incompleteShards: readonly number[];
  readonly numConfigs: number;
  readonly numFailed: number;
  /** The journals read. */
  readonly journals: readonly string[];
  readonly arrow: string;
  readonly parquet: string;
}

export function collectSweep(dir: string): CollectResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new EngineError(`${dir}: no such directory`, 'dir');
  const shardDirs = readdirSync(dir).filter((n) => /^shard-\d+$/.test(n)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6))).map((n) => join(dir, n));
  const dirs = [...(existsSync(join(dir, JOURNAL_FILE)) ? [dir] : []), ...shardDirs];
  const withManifest = dirs.filter(hasManifest);
  const manifestDir = hasManifest(dir) ? dir : withManifest[0];
  if (manifestDir === undefined) throw new EngineError(`${dir}: no sweep.json here or in any shard-<i> directory (was it written by enginelab sweep?)`, 'dir');
  const manifest = readManifest(manifestDir);
  const specText = JSON.stringify(manifest.spec);
  for (const d of withManifest) {
    if (JSON.stringify(readManifest(d).spec) !== specText) throw new EngineError(`${d}: its sweep.json holds another spec than ${manifestDir}'s; collect one sweep at a time`, 'dir');
  }
  const parsed = parseSweepSpec(manifest.spec);
  const configs = expandSweep(parsed);
  const rows: SweepRow[] = [];
  const journals: string[] = [];
  for (const d of dirs) {
    const path = join(d, JOURNAL_FILE);
    if (!existsSync(path)) continue;
    journals.push(path);
    rows.push(...readJournal(path).rows);
  }
  const { table, missing, numFailed } = sweepTable(configs, rows, parsed.name);
  const count = withManifest.map((d) => readManifest(d).shard?.count).find((c) => c !== undefined) ?? null;
  const miss = missing.map((c) => ({ index: c.index, key: c.key, shard: count === null ? null : c.index % count }));
  const paths = writeTables(dir, table);
  return {
    table, missing: miss, incompleteShards: [...new Set(miss.flatMap((m) => (m.shard === null ? [] : [m.shard])))].sort((a, b) => a - b),
    numConfigs: configs.length, numFailed, journals, ...paths,
  };
}
