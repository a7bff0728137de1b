/**
 * Arrow files on disk: `dump` writes a table as an Arrow IPC file atomically (temp file,
 * fsync, rename/link; never replaces an existing file unless `overwrite`), `load` reads one
 * back. Accepts engine tables, or anything the engine's converters produce.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Table } from 'apache-arrow';
import { fromArrowIPC, toArrowIPC, EngineError } from '../../engine/index';
import { FileWriteError, writeFileAtomic } from './atomic-write';

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

/** Writes `table` to `path` as an Arrow IPC file (format `file`, readable by pyarrow/polars). */
export function dump(table: Table, path: string, options: DumpOptions = {}): DumpResult {
  if (!(table instanceof Table)) {
    throw new EngineError('table must be an apache-arrow Table (use stepTraceTable, requestTable, … to make one)', 'table');
  }
  const target = checkPath(path);
  const bytes = toArrowIPC(table, 'file');
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

/** Reads an Arrow IPC file (or stream) from `path`. */
export function load(path: string): Table {
  const target = checkPath(path);
  let bytes: Buffer;
  try {
    if (!statSync(target).isFile()) throw new EngineError(`path ${target} is not a file`, 'path');
    bytes = readFileSync(target);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError(`cannot read path ${target}: ${(e as Error).message}`, 'path');
  }
  return fromArrowIPC(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
