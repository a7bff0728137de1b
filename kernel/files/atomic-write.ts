/**
 * Atomic file writes: data goes to a temporary file in the target's directory, is flushed,
 * then renamed over the target, so a reader never sees a half-written file and a crash
 * mid-write loses nothing. Existing files are never replaced unless `overwrite` is set.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync, existsSync, linkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export class FileExistsError extends Error {
  override name = 'FileExistsError';
  constructor(readonly path: string) {
    super(`${path} exists; pass { overwrite: true } to replace it`);
  }
}

export interface AtomicWriteOptions {
  /** Replace an existing file (default false: refuse with FileExistsError). */
  readonly overwrite?: boolean;
}

export function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const overwrite = options.overwrite ?? false;
  if (!overwrite && existsSync(path)) throw new FileExistsError(path);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    if (overwrite) {
      renameSync(tmp, path);
    } else {
      // link() fails if the target appeared meanwhile, so a racing writer is never clobbered.
      linkSync(tmp, path);
      unlinkSync(tmp);
    }
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(path);
    throw e;
  }
}
