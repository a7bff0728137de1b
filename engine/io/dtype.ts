/**
 * Element types shared by the tensor readers and writers, named as safetensors names them.
 * A `Tensor` keeps the stored bits: F16/BF16 as `Uint16Array` bit patterns and F8_E4M3 as
 * `Uint8Array` codes, so a read → write round trip is bit-exact (NaN payloads and −0 included).
 * `tensorToFloat64` decodes any tensor to numbers for arithmetic, comparison and plots.
 */
import { EngineError } from '../base/errors';

export const DTYPES = ['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'I64', 'I32', 'I16', 'I8', 'U64', 'U32', 'U16', 'U8', 'BOOL'] as const;
export type DType = (typeof DTYPES)[number];

/** The storage array for each dtype (bit patterns for the formats JavaScript has no type for). */
export interface StorageOf {
  F64: Float64Array; F32: Float32Array; F16: Uint16Array; BF16: Uint16Array; F8_E4M3: Uint8Array; F8_E5M2: Uint8Array; F8_E8M0: Uint8Array;
  I64: BigInt64Array; I32: Int32Array; I16: Int16Array; I8: Int8Array;
  U64: BigUint64Array; U32: Uint32Array; U16: Uint16Array; U8: Uint8Array; BOOL: Uint8Array;
}
export type TensorData = StorageOf[DType];

export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  /** Dimensions in C (row-major) order; `[]` is a scalar with one element. */
  readonly shape: readonly number[];
  /** Elements in C order; `data.length` equals the product of `shape`. */
  readonly data: StorageOf[D];
}

type Ctor = { new (buf: ArrayBuffer, off?: number, len?: number): TensorData; new (n: number): TensorData; readonly BYTES_PER_ELEMENT: number };
const CTORS: Record<DType, Ctor> = {
  F64: Float64Array, F32: Float32Array, F16: Uint16Array, BF16: Uint16Array, F8_E4M3: Uint8Array, F8_E5M2: Uint8Array, F8_E8M0: Uint8Array,
  I64: BigInt64Array, I32: Int32Array, I16: Int16Array, I8: Int8Array,
  U64: BigUint64Array, U32: Uint32Array, U16: Uint16Array, U8: Uint8Array, BOOL: Uint8Array,
} as unknown as Record<DType, Ctor>;

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function itemSize(dtype: DType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

/** True on little-endian hosts (every platform Node ships for today; checked, not assumed). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte item in place. */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * Copies `bytes` (stored with the given endianness) into a fresh, aligned storage array.
 * Callers have already checked that `bytes.length` is `count · itemSize(dtype)`.
 */
export function storageFromBytes<D extends DType>(dtype: D, bytes: Uint8Array, littleEndian = true): StorageOf[D] {
  const copy = new Uint8Array(bytes); // fresh buffer: aligned, and detached from the file's bytes
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, itemSize(dtype));
  return new CTORS[dtype](copy.buffer, 0, copy.length / itemSize(dtype)) as StorageOf[D];
}

/** The stored bytes of `data` with the requested endianness (a copy). */
export function storageToBytes(dtype: DType, data: TensorData, littleEndian = true): Uint8Array {
  const out = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(out, itemSize(dtype));
  return out;
}

export function allocStorage<D extends DType>(dtype: D, n: number): StorageOf[D] {
  return new CTORS[dtype](n) as StorageOf[D];
}

/** Product of a shape; `undefined` if it is not a safe integer (hostile headers). */
export function numElements(shape: readonly number[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}

/** IEEE binary16 bits → number (exact). */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
/** bfloat16 bits → number: the upper half of an fp32 (exact). */
export function bf16ToNumber(h: number): number {
  u32Scratch[0] = (h & 0xffff) << 16;
  return f32Scratch[0]!;
}

/** FP8 E4M3FN code → number (sparse-mla.md §6.1: bias 7, no infinities, 0x7F/0xFF are NaN). */
export function e4m3ToNumber(c: number): number {
  const s = c & 0x80 ? -1 : 1;
  const e = (c >> 3) & 0xf;
  const m = c & 7;
  if (e === 15 && m === 7) return NaN;
  if (e === 0) return s * (m / 8) * 2 ** -6;
  return s * (1 + m / 8) * 2 ** (e - 7);
}

/** FP8 E5M2 code → number: the high byte of an IEEE binary16 (bias 15, with infinities and NaNs). */
export function e5m2ToNumber(c: number): number {
  return f16ToNumber((c & 0xff) << 8);
}

/** UE8M0 (`float8_e8m0fnu`) byte → 2^(b−127); 0xFF is NaN (sparse-mla.md §6.2). */
export function e8m0ToNumber(b: number): number {
  return b === 0xff ? NaN : 2 ** (b - 127);
}

/** Element `i` of a tensor as a number (I64/U64 beyond 2^53 lose precision, as documented). */
export function elementAsNumber(t: Tensor, i: number): number {
  const v = t.data[i]!;
  switch (t.dtype) {
    case 'F16': return f16ToNumber(v as number);
    case 'BF16': return bf16ToNumber(v as number);
    case 'F8_E4M3': return e4m3ToNumber(v as number);
    case 'F8_E5M2': return e5m2ToNumber(v as number);
    case 'F8_E8M0': return e8m0ToNumber(v as number);
    default: return Number(v);
  }
}

/** All elements decoded to float64 (exact for every float dtype here; integers beyond 2^53 round). */
export function tensorToFloat64(t: Tensor): Float64Array {
  const n = t.data.length;
  const out = new Float64Array(n);
  if (t.dtype === 'BF16') {
    const src = t.data as Uint16Array;
    const u32 = new Uint32Array(n);
    for (let i = 0; i < n; i++) u32[i] = src[i]! << 16;
    out.set(new Float32Array(u32.buffer));
  } else if (t.dtype === 'F16' || t.dtype === 'F8_E4M3' || t.dtype === 'F8_E5M2' || t.dtype === 'F8_E8M0') {
    const table = t.dtype === 'F16' ? F16_TABLE() : t.dtype === 'F8_E4M3' ? E4M3_TABLE : t.dtype === 'F8_E5M2' ? E5M2_TABLE : E8M0_TABLE;
    const src = t.data as Uint16Array | Uint8Array;
    for (let i = 0; i < n; i++) out[i] = table[src[i]!]!;
  } else if (t.dtype === 'I64' || t.dtype === 'U64') {
    for (let i = 0; i < n; i++) out[i] = Number(t.data[i]!);
  } else {
    out.set(t.data as ArrayLike<number>);
  }
  return out;
}

const E4M3_TABLE = Float64Array.from({ length: 256 }, (_, c) => e4m3ToNumber(c));
const E5M2_TABLE = Float64Array.from({ length: 256 }, (_, c) => e5m2ToNumber(c));
const E8M0_TABLE = Float64Array.from({ length: 256 }, (_, c) => e8m0ToNumber(c));
let f16Table: Float64Array | undefined;
function F16_TABLE(): Float64Array {
  return (f16Table ??= Float64Array.from({ length: 65536 }, (_, h) => f16ToNumber(h)));
}

/** Builds a tensor after checking that `data` fits `dtype` and `shape` (caller mistakes throw). */
export function makeTensor<D extends DType>(dtype: D, shape: readonly number[], data: StorageOf[D]): Tensor<D> {
  if (!isDType(dtype)) throw new EngineError(`unknown dtype ${String(dtype)}; expected one of ${DTYPES.join(', ')}`, 'dtype');
  const n = numElements(shape);
  if (n === undefined) throw new EngineError(`shape [${shape.join(', ')}] must be non-negative safe integers`, 'shape');
  if (!(data instanceof CTORS[dtype])) throw new EngineError(`data for ${dtype} must be a ${CTORS[dtype].name}`, 'data');
  if (data.length !== n) throw new EngineError(`data has ${data.length} elements but shape [${shape.join(', ')}] needs ${n}`, 'data');
  return { dtype, shape: [...shape], data };
}
