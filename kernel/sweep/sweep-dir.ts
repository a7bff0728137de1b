/**
 * A sweep's output directory: `sweep.json` (the spec as given, the shard it runs and the number
 * of configs, so `collectSweep` can re-expand it), the journal `results.jsonl`, the tables
 * `results.arrow` and `results.parquet`, and while a run is going `results.lock` (its pid), so two
 * runs never append to one journal. A lock whose process is gone is taken over.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { EngineError } from '../../engine/index';
import { dump } from '../files/arrow-files';
import { writeFileAtomic } from '../files/atomic-write';

export const MANIFEST_FILE = 'sweep.json';
export const ARROW_FILE = 'results.arrow';
export const PARQUET_FILE = 'results.parquet';
const LOCK_FILE = 'results.lock';

export interface ShardSelection {
  /** 0-based shard index. */
  readonly index: number;
  readonly count: number;
}

export interface SweepManifest {
  readonly spec: unknown;
  readonly shard: ShardSelection | null;
  /** Configs of the whole sweep (not only this shard's). */
  readonly numConfigs: number;
}

export function writeManifest(dir: string, m: SweepManifest): void {
  writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(m, null, 1) + '\n', { overwrite: true });
}

export function readManifest(dir: string): SweepManifest {
  const path = join(dir, MANIFEST_FILE);
  let m: SweepManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as SweepManifest;
  } catch (e) {
    throw new EngineError(`${path}: cannot read the sweep manifest (${(e as Error).message})`, 'dir');
  }
  if (typeof m !== 'object' || m === null || !('spec' in m)) throw new EngineError(`${path}: not a sweep manifest (no spec)`, 'dir');
  return m;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's run lock; returns its release. */
export function lockSweepDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new EngineError(`${dir}: another sweep (pid ${pid}) is writing this directory; wait for it or pass another --out`, 'outDir');
      }
      rmSync(path, { force: true }); // stale: its process is gone (e.g. killed)
    }
  }
  throw new EngineError(`${dir}: cannot take the sweep lock ${path}`, 'outDir');
}

/** Writes results.arrow and results.parquet (replacing earlier ones); returns their paths. */
export function writeTables(dir: string, table: Table): { arrow: string; parquet: string } {
  const arrow = join(dir, ARROW_FILE);
  const parquet = join(dir, PARQUET_FILE);
  dump(table, arrow, { overwrite: true });
  dump(table, parquet, { overwrite: true });
  return { arrow, parquet };
}

export function hasManifest(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE));
}
