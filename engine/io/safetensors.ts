/**
 * safetensors over bytes: `[u64 LE header length N][N bytes of UTF-8 JSON header][data]`.
 * The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative
 * to the data section) plus an optional `__metadata__` string→string map.
 *
 * The reader enforces what the reference implementation validates: header length within the
 * file and at most 100,000,000 bytes, a JSON object header, known dtypes, byte spans equal to
 * `numel · itemsize`, and spans that tile the data section exactly (sorted by offset, no gap, no
 * overlap, nothing left over). Every allocation is bounded by the file's own size, so a hostile
 * header cannot request a huge buffer. The writer orders tensors by descending item size, then
 * name, and pads the header with spaces to a multiple of 8, so each tensor's data is aligned.
 */
import { EngineError } from '../base/errors';
import { DTYPES, isDType, itemSize, makeTensor, numElements, storageFromBytes, storageToBytes } from './dtype';
import type { DType, Tensor } from './dtype';
import { TensorFormatError, check, describeValue, setOwnValue } from './format-error';

/** The reference implementation's limit on the header size. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  /** Tensors in file (data-offset) order. */
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

const F = 'safetensors' as const;

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  check(bytes.length >= 8, F, 'file', `${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + view.getUint32(0, true);
  check(n <= SAFETENSORS_MAX_HEADER_BYTES, F, 'header length', `${n} bytes exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`);
  check(8 + n <= bytes.length, F, 'header length', `${n} bytes runs past the end of the ${bytes.length}-byte file`);
  check(n >= 2, F, 'header length', `${n} bytes cannot hold a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new TensorFormatError(F, 'header', 'is not valid UTF-8');
  }
  check(text.startsWith('{'), F, 'header', 'must start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new TensorFormatError(F, 'header', `is not valid JSON (${(e as Error).message})`);
  }
  check(typeof header === 'object' && header !== null && !Array.isArray(header), F, 'header', 'must be a JSON object');
  return { header: header as Record<string, unknown>, dataStart: 8 + n };
}

interface Entry { name: string; dtype: DType; shape: number[]; begin: number; end: number }

function parseEntry(name: string, v: unknown, dataLen: number): Entry {
  const part = `tensor "${name}"`;
  check(typeof v === 'object' && v !== null && !Array.isArray(v), F, part, 'entry must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) check(k === 'dtype' || k === 'shape' || k === 'data_offsets', F, part, `unknown key "${k}"`);
  check(isDType(o.dtype), F, `${part}.dtype`, () => `${describeValue(o.dtype)} is not one of ${DTYPES.join(', ')}`);
  check(Array.isArray(o.shape) && o.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0), F, `${part}.shape`,
    'must be an array of non-negative integers');
  const shape = (o.shape as number[]).map((d) => d + 0); // JSON "-0" → 0
  const numel = numElements(shape);
  check(numel !== undefined, F, `${part}.shape`, `[${shape.join(', ')}] has more elements than can be addressed`);
  const offs = o.data_offsets;
  check(Array.isArray(offs) && offs.length === 2 && offs.every((x) => Number.isSafeInteger(x) && (x as number) >= 0), F,
    `${part}.data_offsets`, 'must be two non-negative integers [begin, end]');
  const [begin, end] = (offs as number[]).map((x) => x + 0) as [number, number];
  check(begin <= end, F, `${part}.data_offsets`, `begin ${begin} is after end ${end}`);
  check(end <= dataLen, F, `${part}.data_offsets`, `end ${end} is beyond the ${dataLen}-byte data section`);
  const want = numel * itemSize(o.dtype);
  check(end - begin === want, F, `${part}.data_offsets`,
    `span of ${end - begin} bytes does not match ${o.dtype} shape [${shape.join(', ')}] (${want} bytes)`);
  return { name, dtype: o.dtype, shape, begin, end };
}

/** Parses a whole safetensors file; throws `TensorFormatError` naming the first problem found. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new EngineError('bytes must be a Uint8Array', 'bytes');
  const { header, dataStart } = parseHeader(bytes);
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      check(typeof v === 'object' && v !== null && !Array.isArray(v), F, '__metadata__', 'must be an object of strings');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        check(typeof s === 'string', F, `__metadata__.${k}`, 'must be a string');
        setOwnValue(metadata, k, s);
      }
      continue;
    }
    entries.push(parseEntry(name, v, dataLen));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    check(e.begin >= cursor, F, `tensor "${e.name}".data_offsets`, `[${e.begin}, ${e.end}] overlaps the previous tensor (which ends at ${cursor})`);
    check(e.begin === cursor, F, `tensor "${e.name}".data_offsets`, `leaves a ${e.begin - cursor}-byte gap before it (previous tensor ends at ${cursor})`);
    cursor = e.end;
  }
  check(cursor === dataLen, F, 'data', `${dataLen - cursor} trailing bytes after the last tensor (data section is ${dataLen} bytes, tensors cover ${cursor})`);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const data = storageFromBytes(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, makeTensor(e.dtype, e.shape, data));
  }
  return { tensors, metadata };
}

export interface WriteSafetensorsOptions {
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Serialises named tensors (a Map or a plain record) to safetensors bytes. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, Tensor>);
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (name === '__metadata__' || name.length === 0) throw new EngineError(`tensor name "${name}" is reserved or empty`, 'tensors');
    if (seen.has(name)) throw new EngineError(`duplicate tensor name "${name}"`, 'tensors');
    seen.add(name);
    makeTensor(t.dtype, t.shape, t.data); // validates dtype, shape and data length
  }
  const meta = options.metadata ?? {};
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string') throw new EngineError(`metadata value for "${k}" must be a string`, 'metadata');
  }
  list.sort(([an, a], [bn, b]) => itemSize(b.dtype) - itemSize(a.dtype) || (an < bn ? -1 : an > bn ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(meta).length > 0) header.__metadata__ = { ...meta };
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (const [name, t] of list) {
    const b = storageToBytes(t.dtype, t.data);
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + b.length] };
    offset += b.length;
    chunks.push(b);
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(headerBytes);
    headerBytes = p;
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
