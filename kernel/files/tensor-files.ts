/**
 * Disk access for engine/io's byte-level formats: tensor files (safetensors, .npy), vLLM
 * sparse-MLA dump JSONL and engine snapshot files. Readers sniff the magic bytes (falling back
 * to the extension) and hand the bytes to the pure readers; writers serialise with the pure
 * writers and store through `writeFileAtomic` (temporary file, fsync, rename), so a reader never
 * sees half a file, and an existing file is replaced only with `{ overwrite: true }`.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import {
  EngineError, decodeSnapshotFile, encodeSnapshotFile, readNpy, readSafetensors, readSparseMlaDump, writeNpy,
  writeSafetensors, writeSparseMlaDump,
} from '../../engine/index';
import type { SparseMlaDumpRecord, Tensor } from '../../engine/index';
import { writeFileAtomic } from './atomic-write';

/** Largest file the readers load (Node's Buffer limit is 4 GiB; most notebooks want far less). */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 31;

export interface ReadOptions {
  readonly maxBytes?: number;
}

export interface WriteOptions {
  /** Replace an existing file (default false: refuse with FileExistsError). */
  readonly overwrite?: boolean;
}

export interface TensorFileContents {
  readonly format: 'safetensors' | 'npy';
  /** For .npy, one tensor named after the file (without extension). */
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly metadata: Readonly<Record<string, string>>;
  /** .npy only: whether the file was stored in Fortran order, and its format version. */
  readonly fortranOrder?: boolean;
  readonly npyVersion?: 1 | 2 | 3;
}

function readBytes(path: string, options: ReadOptions): Uint8Array {
  if (typeof path !== 'string' || path.length === 0) throw new EngineError('path must be a non-empty string', 'path');
  const max = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new EngineError(`${path} is not a regular file`, 'path');
    size = st.size;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'path');
  }
  if (size > max) throw new EngineError(`${path} is ${size} bytes, more than maxBytes ${max}`, 'path');
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Reads a safetensors or .npy file (format from its magic bytes, else its extension). */
export function readTensorFile(path: string, options: ReadOptions = {}): TensorFileContents {
  const bytes = readBytes(path, options);
  const isNpy = NPY_MAGIC.every((b, i) => bytes[i] === b) || (bytes.length < 6 && extname(path) === '.npy');
  if (isNpy) {
    const f = readNpy(bytes);
    return { format: 'npy', tensors: new Map([[basename(path, extname(path)), f.tensor]]), metadata: {}, fortranOrder: f.fortranOrder, npyVersion: f.version };
  }
  const f = readSafetensors(bytes);
  return { format: 'safetensors', tensors: f.tensors, metadata: f.metadata };
}

export interface WriteTensorOptions extends WriteOptions {
  /** safetensors only: the `__metadata__` map. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** .npy only. */
  readonly fortranOrder?: boolean;
  readonly npyVersion?: 1 | 2 | 3;
}

/**
 * Writes tensors atomically: `.safetensors` takes any number of named tensors, `.npy` exactly
 * one (a Tensor, or a map/record holding one). Other extensions are refused.
 */
export function writeTensorFile(
  path: string,
  tensors: Tensor | ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: WriteTensorOptions = {},
): void {
  if (typeof path !== 'string' || path.length === 0) throw new EngineError('path must be a non-empty string', 'path');
  const ext = extname(path);
  const isTensor = (x: unknown): x is Tensor => !!x && typeof x === 'object' && 'dtype' in x && 'data' in x && 'shape' in x;
  let bytes: Uint8Array;
  if (ext === '.npy') {
    const list = isTensor(tensors) ? [tensors] : tensors instanceof Map ? [...tensors.values()] : Object.values(tensors);
    if (list.length !== 1) throw new EngineError(`.npy holds exactly one tensor, got ${list.length}`, 'tensors');
    bytes = writeNpy(list[0]!, { fortranOrder: options.fortranOrder ?? false, ...(options.npyVersion ? { version: options.npyVersion } : {}) });
  } else if (ext === '.safetensors') {
    const named = isTensor(tensors) ? { [basename(path, ext)]: tensors } : tensors;
    bytes = writeSafetensors(named, { metadata: options.metadata ?? {} });
  } else {
    throw new EngineError(`${path}: extension must be .safetensors or .npy`, 'path');
  }
  writeFileAtomic(path, bytes, { overwrite: options.overwrite ?? false });
}

/** Reads a vLLM sparse-MLA dump (JSONL). */
export function readDumpFile(path: string, options: ReadOptions = {}): SparseMlaDumpRecord[] {
  return readSparseMlaDump(readBytes(path, options));
}

/** Writes dump records as vLLM does (sorted-key JSON lines), atomically. */
export function writeDumpFile(path: string, records: readonly SparseMlaDumpRecord[], options: WriteOptions = {}): void {
  writeFileAtomic(path, writeSparseMlaDump(records), { overwrite: options.overwrite ?? false });
}

/** Saves an engine snapshot (or any snapshot-file value) atomically. */
export function saveSnapshotFile(path: string, snapshot: unknown, options: WriteOptions = {}): void {
  writeFileAtomic(path, encodeSnapshotFile(snapshot), { overwrite: options.overwrite ?? false });
}

/** Loads a snapshot file; corruption or truncation throws `TensorFormatError`. */
export function loadSnapshotFile<T = unknown>(path: string, options: ReadOptions = {}): T {
  return decodeSnapshotFile(readBytes(path, options)).value as T;
}
