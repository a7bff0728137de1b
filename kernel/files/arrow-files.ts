/**
 * Tables on disk: `dump` writes a table atomically (temp file, fsync, rename/link; never replaces
 * an existing file unless `overwrite`), `load` reads one back. The file name picks the format:
 * `.arrow`, `.ipc`, `.feather` (Arrow IPC file), `.arrows` (IPC stream), `.csv`, `.parquet`
 * (through nodejs-polars, table-formats.ts). nodejs-polars' `readIPC(path)` reads a path only when
 * it ends in `.ipc` (any other string is taken as inline data), so dump to `x.ipc` for polars, or
 * pass it the bytes. Accepts engine tables, or anything the engine's converters produce.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Table } from 'apache-arrow';
import { fromArrowIPC, toArrowIPC, EngineError } from '../../engine/index';
import { FileWriteError, writeFileAtomic } from './atomic-write';
import { formatOfPath, tableFromCsv, tableFromParquet, tableToCsv, tableToParquet } from './table-formats';

export interface DumpOptions {
  /** Replace an existing file (default false: refuse with FileExistsError). */
  readonly overwrite?: boolean;
  /** Create missing parent directories (default true). */
  readonly mkdir?: boolean;
}

export interface DumpResult {
  readonly path: string;
  readonly numBytes: number;
  readonly numRows: number;
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw new EngineError('path must be a non-empty string', 'path');
  return resolve(path);
}

/** Writes `table` to `path` in the format its extension names (see the module comment). */
export function dump(table: Table, path: string, options: DumpOptions = {}): DumpResult {
  if (!(table instanceof Table)) {
    throw new EngineError('table must be an apache-arrow Table (use stepTraceTable, requestTable, … to make one)', 'table');
  }
  const target = checkPath(path);
  const format = formatOfPath(target);
  const bytes = format === 'csv' ? tableToCsv(table) : format === 'parquet' ? tableToParquet(table) : toArrowIPC(table, format === 'arrow-stream' ? 'stream' : 'file');
  if (options.mkdir ?? true) {
    try {
      mkdirSync(dirname(target), { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FileWriteError(target, code, `cannot create the directory ${dirname(target)} (${code ?? (e as Error).message})`);
    }
  }
  writeFileAtomic(target, bytes, { overwrite: options.overwrite ?? false });
  return { path: target, numBytes: bytes.byteLength, numRows: table.numRows };
}

/** Reads a table from `path`: Arrow IPC (file or stream), CSV or Parquet, by extension. */
export function load(path: string): Table {
  const target = checkPath(path);
  const format = formatOfPath(target);
  let bytes: Buffer;
  try {
    if (!statSync(target).isFile()) throw new EngineError(`path ${target} is not a file`, 'path');
    bytes = readFileSync(target);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError(`cannot read path ${target}: ${(e as Error).message}`, 'path');
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'csv') return tableFromCsv(data, target);
  if (format === 'parquet') return tableFromParquet(data, target);
  return fromArrowIPC(data);
}
