/**
 * Atomic file writes: data goes to a temporary file in the target's directory, is flushed,
 * then renamed over the target, so a reader never sees a half-written file and a crash
 * mid-write loses nothing. Existing files are never replaced unless `overwrite` is set.
 *
 * Temporary files are named `.<target>.<pid>-<random>.tmp`. A failed write removes its own;
 * one left by a killed process (kill -9 cannot be caught) is swept by the next write into the
 * same directory: a temp file whose process is gone, or older than a day, is deleted. Errors
 * name the user's path and say what is wrong in words (missing directory, permission denied,
 * disk full), never the internal temp file.
 */
import { closeSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export class FileExistsError extends Error {
  override name = 'FileExistsError';
  constructor(readonly path: string) {
    super(`${path} exists; pass { overwrite: true } to replace it`);
  }
}

/** A write that failed; `path` is the file the caller asked for, `code` Node's errno code. */
export class FileWriteError extends Error {
  override name = 'FileWriteError';
  constructor(readonly path: string, readonly code: string | undefined, problem: string) {
    super(`cannot write ${path}: ${problem}`);
  }
}

export interface AtomicWriteOptions {
  /** Replace an existing file (default false: refuse with FileExistsError). */
  readonly overwrite?: boolean;
}

/** Temp files of this module: `.<name>.<pid>-<12 hex>.tmp`, and the pid-less form of earlier versions. */
const TEMP_NAME = /^\..+\.(?:(\d+)-)?[0-9a-f]{12}\.tmp$/;
const STALE_MS = 24 * 3600 * 1000;
/** Old-style temp files carry no pid; one untouched for this long has no writer left. */
const STALE_PIDLESS_MS = 10 * 60 * 1000;
const inProgress = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Deletes temp files in `dir` that no running write owns; returns how many. Never throws. */
export function sweepStaleTempFiles(dir: string, now = Date.now()): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let numRemoved = 0;
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const p = join(dir, name);
    if (inProgress.has(p)) continue;
    try {
      const age = now - statSync(p).mtimeMs;
      const pid = m[1] === undefined ? undefined : Number(m[1]);
      const stale = pid === undefined ? age > STALE_PIDLESS_MS : pid === process.pid || !isAlive(pid) || age > STALE_MS;
      if (stale) {
        unlinkSync(p);
        numRemoved++;
      }
    } catch {
      // raced with its owner or another sweeper: nothing to do
    }
  }
  return numRemoved;
}

function describeErrno(e: unknown, path: string): FileWriteError {
  const err = e as NodeJS.ErrnoException;
  const dir = dirname(path);
  const code = err.code;
  const problem = code === 'ENOENT' ? `the directory ${dir} does not exist`
    : code === 'EACCES' || code === 'EPERM' ? `permission denied (cannot create files in ${dir})`
      : code === 'EROFS' ? `${dir} is on a read-only file system`
        : code === 'ENOSPC' ? 'no space left on the device'
          : code === 'EDQUOT' ? 'disk quota exceeded'
            : code === 'ENOTDIR' ? `a part of ${dir} is not a directory`
              : code === 'EISDIR' ? `${path} is a directory`
                : code === 'ENAMETOOLONG' ? 'the file name is too long'
                  : `${code ?? 'error'} (${err.message})`;
  return new FileWriteError(path, code, problem);
}

function unlinkQuietly(p: string): void {
  try { unlinkSync(p); } catch { /* already gone */ }
}

export function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const overwrite = options.overwrite ?? false;
  const dir = dirname(path);
  let existing;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !overwrite) throw new FileExistsError(path);
  if (existing?.isDirectory()) throw new FileWriteError(path, 'EISDIR', `${path} is a directory`);
  sweepStaleTempFiles(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (e) {
    throw describeErrno(e, path);
  }
  inProgress.add(tmp);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      unlinkQuietly(tmp);
      throw describeErrno(e, path);
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
      unlinkQuietly(tmp);
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(path);
      throw describeErrno(e, path);
    }
  } finally {
    inProgress.delete(tmp);
  }
}
