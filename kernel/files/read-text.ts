/**
 * Reading a user-named text file (a dataset, a result JSON, request rows) for the engine's pure
 * readers: a missing path, a directory, an oversized or non-UTF-8 file is one clear error naming
 * the path and what the file was for.
 */
import { readFileSync, statSync } from 'node:fs';

/** Largest file read into memory (bytes): far above any benchmark result or dataset we replay. */
export const MAX_TEXT_FILE_BYTES = 1 << 30;

export class InputFileError extends Error {
  override name = 'InputFileError';
}

export function readTextFile(path: string, what: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputFileError(`${what} ${path}: is a directory, expected a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (size > MAX_TEXT_FILE_BYTES) throw new InputFileError(`${what} ${path}: ${size} bytes is over the ${MAX_TEXT_FILE_BYTES}-byte limit`);
  const bytes = readFileSync(path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputFileError(`${what} ${path}: not UTF-8 text`);
  }
}
