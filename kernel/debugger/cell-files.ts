/**
 * Where cells live on disk for the debugger. Every cell is compiled with the file name
 * `<tmp>/enginelab_<pid>/<murmur2(source)>.ts`, the name JupyterLab derives from the cell's text
 * and debugInfo's hash parameters, so a breakpoint the frontend sets on "its" cell path lands in
 * the script V8 runs. `dumpCell` writes the source there, so the file shows the cell's own lines.
 * Both the main thread (compiling cells) and the socket thread (the debug adapter) use this.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { murmur2 } from './murmur2';

/** The seed ipykernel uses; any constant works as long as debugInfo reports it. */
export const CELL_HASH_SEED = 0xc70f6907;
export const CELL_FILE_SUFFIX = '.ts';

export function cellDirectory(pid: number = process.pid): string {
  return join(tmpdir(), `enginelab_${pid}`);
}

/** debugInfo's tmpFilePrefix: the cell directory with a trailing separator. */
export function cellFilePrefix(pid?: number): string {
  return cellDirectory(pid) + sep;
}

/** The file name a cell with this exact source is compiled under. */
export function cellPath(code: string, pid?: number): string {
  return `${cellFilePrefix(pid)}${murmur2(code, CELL_HASH_SEED)}${CELL_FILE_SUFFIX}`;
}

export function isCellPath(path: string, pid?: number): boolean {
  const prefix = cellFilePrefix(pid);
  return path.startsWith(prefix) && /^\d+\.ts$/.test(path.slice(prefix.length));
}

/** Writes the cell's source to its file (dumpCell) and returns the path. */
export function dumpCell(code: string, pid?: number): string {
  const path = cellPath(code, pid);
  mkdirSync(cellDirectory(pid), { recursive: true });
  writeFileSync(path, code);
  return path;
}
