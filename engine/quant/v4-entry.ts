/**
 * The V4 `fp8_ds_mla` entry (sparse-mla.md §7.1–§7.2): 584 logical bytes per 512-vector —
 * bytes 0..447 are FP8 E4M3 codes of NoPE dims 0..447 in 7 tiles of 64, bytes 448..575 the 64
 * RoPE dims as bf16 little-endian, bytes 576..582 the 7 UE8M0 tile scales, byte 583 a zero pad.
 * This file packs and decodes the logical entry; v4-paged-cache.ts places it split in a page.
 */
import { EngineError } from '../base/errors';
import { bf16Bits, bf16FromBits, roundBf16 } from './bf16';
import { E4M3_DECODE_TABLE, encodeE4m3, E4M3_MAX } from './fp8-e4m3';
import { pow2ScaleExponent, pow2ScaleExponentFlashMla, UE8M0_BIAS } from './ue8m0';

export const V4_HEAD_DIM = 512;
export const V4_NOPE_DIM = 448;
export const V4_ROPE_DIM = 64;
export const V4_TILE = 64;
export const V4_NUM_TILES = 7;
/** Data part of an entry: 448 FP8 bytes + 128 bf16 bytes. */
export const V4_DATA_BYTES = 576;
/** Scale octet: 7 UE8M0 bytes + 1 pad. */
export const V4_SCALE_BYTES = 8;
export const V4_ENTRY_BYTES = 584;

function checkVector(x: ArrayLike<number>, n: number, name: string): void {
  if (x.length !== n) throw new EngineError(`${name} must have ${n} values, got ${x.length}`, name);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!)) throw new EngineError(`${name}[${i}] is ${x[i]}; NaN/Inf inputs are not specified`, name);
  }
}

/** Which tile-scale rule a writer uses: vLLM's (clamp amax) or FlashMLA's test quantiser (clamp the ratio). */
export type V4ScaleRule = 'vllm' | 'flashmla';

/**
 * Quantises one 512-vector into its 584 logical bytes with vLLM's writer rule: round to bf16,
 * per NoPE tile the power-of-two scale (§6.3) and e4m3 codes of x·2^−e, RoPE dims as bf16, pad 0.
 */
export function quantizeEntryV4(x: ArrayLike<number>, options: { readonly scaleRule?: V4ScaleRule } = {}): Uint8Array {
  checkVector(x, V4_HEAD_DIM, 'x');
  const rule = options.scaleRule ?? 'vllm';
  if (rule !== 'vllm' && rule !== 'flashmla') throw new EngineError(`scaleRule must be 'vllm' or 'flashmla', got ${String(rule)}`, 'scaleRule');
  const exponentOf = rule === 'vllm' ? pow2ScaleExponent : pow2ScaleExponentFlashMla;
  const out = new Uint8Array(V4_ENTRY_BYTES);
  for (let t = 0; t < V4_NUM_TILES; t++) {
    let amax = 0;
    for (let d = t * V4_TILE; d < (t + 1) * V4_TILE; d++) amax = Math.max(amax, Math.abs(roundBf16(x[d]!)));
    const e = exponentOf(amax);
    const inv = 2 ** -e; // exact power of two, so x·2^−e is exact
    for (let d = t * V4_TILE; d < (t + 1) * V4_TILE; d++) {
      const v = roundBf16(x[d]!) * inv;
      out[d] = encodeE4m3(Math.max(-E4M3_MAX, Math.min(E4M3_MAX, v)));
    }
    out[V4_DATA_BYTES + t] = Math.min(255, Math.max(0, e + UE8M0_BIAS));
  }
  for (let j = 0; j < V4_ROPE_DIM; j++) {
    const b = bf16Bits(x[V4_NOPE_DIM + j]!);
    out[V4_NOPE_DIM + 2 * j] = b & 0xff; // little-endian: low byte first
    out[V4_NOPE_DIM + 2 * j + 1] = b >>> 8;
  }
  out[V4_ENTRY_BYTES - 1] = 0;
  return out;
}

/**
 * Dequantises 584 logical bytes (or the 576 data bytes plus the 8 scale bytes given separately)
 * into `out` at `outOffset`: d < 448 → e4m3(byte d)·2^(scale[d div 64] − 127), else the bf16 value.
 */
export function dequantizeEntryV4Into(
  data: Uint8Array,
  dataOffset: number,
  scales: Uint8Array,
  scaleOffset: number,
  out: Float32Array,
  outOffset: number,
): void {
  for (let t = 0; t < V4_NUM_TILES; t++) {
    const scale = 2 ** (scales[scaleOffset + t]! - UE8M0_BIAS);
    for (let d = t * V4_TILE; d < (t + 1) * V4_TILE; d++) {
      out[outOffset + d] = E4M3_DECODE_TABLE[data[dataOffset + d]!]! * scale;
    }
  }
  for (let j = 0; j < V4_ROPE_DIM; j++) {
    const lo = data[dataOffset + V4_NOPE_DIM + 2 * j]!;
    const hi = data[dataOffset + V4_NOPE_DIM + 2 * j + 1]!;
    out[outOffset + V4_NOPE_DIM + j] = bf16FromBits(lo | (hi << 8));
  }
}

/** Dequantises one 584-byte logical entry to its 512 values. */
export function dequantizeEntryV4(entry: Uint8Array): Float32Array {
  if (!(entry instanceof Uint8Array) || entry.length !== V4_ENTRY_BYTES) {
    throw new EngineError(`entry must be a Uint8Array of ${V4_ENTRY_BYTES} bytes`, 'entry');
  }
  const out = new Float32Array(V4_HEAD_DIM);
  dequantizeEntryV4Into(entry, 0, entry, V4_DATA_BYTES, out, 0);
  return out;
}

/** One byte range of a V4 entry, for dissection tables. */
export interface EntryFieldV4 {
  readonly offset: number;
  readonly numBytes: number;
  readonly meaning: string;
  readonly bytesHex: string;
  readonly decoded: number | null;
}

/**
 * Lists the fields of a logical entry: each FP8 byte (with its tile's scale applied), each bf16
 * RoPE value, each scale byte and the pad, in byte order.
 */
export function dissectEntryV4(entry: Uint8Array): EntryFieldV4[] {
  const values = dequantizeEntryV4(entry);
  const hex = (a: number, n: number): string =>
    Array.from(entry.subarray(a, a + n), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
  const rows: EntryFieldV4[] = [];
  for (let d = 0; d < V4_NOPE_DIM; d++) {
    rows.push({ offset: d, numBytes: 1, meaning: `fp8 e4m3 NoPE dim ${d} (tile ${d >> 6})`, bytesHex: hex(d, 1), decoded: values[d]! });
  }
  for (let j = 0; j < V4_ROPE_DIM; j++) {
    const off = V4_NOPE_DIM + 2 * j;
    rows.push({ offset: off, numBytes: 2, meaning: `bf16 LE RoPE dim ${V4_NOPE_DIM + j}`, bytesHex: hex(off, 2), decoded: values[V4_NOPE_DIM + j]! });
  }
  for (let t = 0; t < V4_NUM_TILES; t++) {
    const off = V4_DATA_BYTES + t;
    rows.push({ offset: off, numBytes: 1, meaning: `ue8m0 scale of tile ${t} (dims ${64 * t}…${64 * t + 63})`, bytesHex: hex(off, 1), decoded: 2 ** (entry[off]! - UE8M0_BIAS) });
  }
  rows.push({ offset: V4_ENTRY_BYTES - 1, numBytes: 1, meaning: 'pad', bytesHex: hex(V4_ENTRY_BYTES - 1, 1), decoded: null });
  return rows;
}
