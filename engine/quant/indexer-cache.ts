/**
 * The indexer K cache (V3.2 and V4 C4A, sparse-mla.md §7.5): 132 bytes per entry, page-segregated.
 * In a page of E entries, bytes [0, E·128) hold each entry's 128 FP8 codes back to back and bytes
 * [E·128, E·132) one fp32 LE scale per entry; the page stride may be padded (8,640 for E = 64).
 * Keys are quantised with one power-of-two scale per entry (§5.2). Slot −1 dequantises to zeros.
 */
import { EngineError } from '../base/errors';
import { E4M3_DECODE_TABLE, encodeE4m3, E4M3_MAX } from './fp8-e4m3';
import { checkCacheBytes, checkSlot, pagedCacheLayout, type PagedCacheLayout } from './paged-layout';
import { pow2ScaleExponent } from './ue8m0';

export const INDEXER_HEAD_DIM = 128;
export const INDEXER_ENTRY_BYTES = 132;

/** A quantised indexer key: 128 e4m3 codes and its power-of-two fp32 scale. */
export interface IndexerKeyFp8 {
  readonly codes: Uint8Array;
  readonly scale: number;
}

/** Indexer cache layout (E = 64 by default; stride defaults to the 576-aligned size). */
export function indexerCacheLayout(opts: { numPages: number; entriesPerPage?: number; pageStride?: number }): PagedCacheLayout {
  return pagedCacheLayout({ entriesPerPage: opts.entriesPerPage ?? 64, entryBytes: INDEXER_ENTRY_BYTES, numPages: opts.numPages, ...(opts.pageStride !== undefined ? { pageStride: opts.pageStride } : {}) });
}

/**
 * Quantises one vector with one power-of-two scale over all its values:
 * s = 2^⌈log2(max(amax, 1e‑4)/448)⌉, codes = e4m3(clamp(x/s, ±448)). Used for keys (128 dims)
 * and, per head, for index queries.
 */
export function quantizePow2Vector(x: ArrayLike<number>, name = 'x'): IndexerKeyFp8 {
  let amax = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new EngineError(`${name}[${i}] is ${v}; NaN/Inf inputs are not specified`, name);
    amax = Math.max(amax, Math.abs(Math.fround(v)));
  }
  const e = pow2ScaleExponent(amax);
  const inv = 2 ** -e;
  const codes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) codes[i] = encodeE4m3(Math.max(-E4M3_MAX, Math.min(E4M3_MAX, Math.fround(x[i]!) * inv)));
  return { codes, scale: 2 ** e };
}

/** Quantises one 128-dim indexer key. */
export function quantizeIndexerKey(x: ArrayLike<number>): IndexerKeyFp8 {
  if (x.length !== INDEXER_HEAD_DIM) throw new EngineError(`x must have ${INDEXER_HEAD_DIM} values, got ${x.length}`, 'x');
  return quantizePow2Vector(x);
}

function offsets(slot: number, layout: PagedCacheLayout): { codeOffset: number; scaleOffset: number } {
  checkSlot(slot, layout);
  const base = Math.floor(slot / layout.entriesPerPage) * layout.pageStride;
  const p = slot % layout.entriesPerPage;
  return { codeOffset: base + p * INDEXER_HEAD_DIM, scaleOffset: base + layout.entriesPerPage * INDEXER_HEAD_DIM + 4 * p };
}

/** Byte offsets of a slot's codes and scale. */
export function indexerEntryOffsets(slot: number, layout: PagedCacheLayout): { codeOffset: number; scaleOffset: number } {
  return offsets(slot, layout);
}

/** Writes a quantised key at `slot` (in place; returns the cache). */
export function writeIndexerKey(cache: Uint8Array, slot: number, key: IndexerKeyFp8, layout: PagedCacheLayout): Uint8Array {
  checkCacheBytes(cache, layout);
  if (key.codes.length !== INDEXER_HEAD_DIM) throw new EngineError(`key.codes must have ${INDEXER_HEAD_DIM} bytes`, 'key');
  if (!(key.scale > 0) || !Number.isFinite(key.scale)) throw new EngineError(`key.scale must be positive, got ${key.scale}`, 'key');
  const { codeOffset, scaleOffset } = offsets(slot, layout);
  cache.set(key.codes, codeOffset);
  new DataView(cache.buffer, cache.byteOffset).setFloat32(scaleOffset, key.scale, true);
  return cache;
}

/** Reads the codes and scale of `slot`. */
export function readIndexerKey(cache: Uint8Array, slot: number, layout: PagedCacheLayout): IndexerKeyFp8 {
  checkCacheBytes(cache, layout);
  const { codeOffset, scaleOffset } = offsets(slot, layout);
  return {
    codes: cache.slice(codeOffset, codeOffset + INDEXER_HEAD_DIM),
    scale: new DataView(cache.buffer, cache.byteOffset).getFloat32(scaleOffset, true),
  };
}

/** The 132 logical bytes of `slot` (128 codes ‖ fp32 LE scale), for hashing and dissection. */
export function readIndexerEntryBytes(cache: Uint8Array, slot: number, layout: PagedCacheLayout): Uint8Array {
  checkCacheBytes(cache, layout);
  const { codeOffset, scaleOffset } = offsets(slot, layout);
  const out = new Uint8Array(INDEXER_ENTRY_BYTES);
  out.set(cache.subarray(codeOffset, codeOffset + INDEXER_HEAD_DIM), 0);
  out.set(cache.subarray(scaleOffset, scaleOffset + 4), INDEXER_HEAD_DIM);
  return out;
}

/**
 * Gathers `slots` as FP8 values (decoded codes, [n, 128]) and their scales ([n]); −1 gives zero
 * codes and scale 0. Out-of-cache slots throw.
 */
export function gatherIndexerKeys(cache: Uint8Array, slots: ArrayLike<number>, layout: PagedCacheLayout): { values: Float32Array; scales: Float32Array } {
  checkCacheBytes(cache, layout);
  const values = new Float32Array(slots.length * INDEXER_HEAD_DIM);
  const scales = new Float32Array(slots.length);
  const view = new DataView(cache.buffer, cache.byteOffset);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (slot === -1) continue;
    checkSlot(slot, layout, 'slots');
    const { codeOffset, scaleOffset } = offsets(slot, layout);
    for (let d = 0; d < INDEXER_HEAD_DIM; d++) values[i * INDEXER_HEAD_DIM + d] = E4M3_DECODE_TABLE[cache[codeOffset + d]!]!;
    scales[i] = view.getFloat32(scaleOffset, true);
  }
  return { values, scales };
}

/** Dequantised keys (codes × scale, [n, 128]); −1 gives a zero row. */
export function dequantizeIndexerSlots(cache: Uint8Array, slots: ArrayLike<number>, layout: PagedCacheLayout): Float32Array {
  const { values, scales } = gatherIndexerKeys(cache, slots, layout);
  for (let i = 0; i < slots.length; i++) {
    for (let d = 0; d < INDEXER_HEAD_DIM; d++) values[i * INDEXER_HEAD_DIM + d] = values[i * INDEXER_HEAD_DIM + d]! * scales[i]!;
  }
  return values;
}
