/**
 * The V3.2 `fp8_ds_mla` entry (sparse-mla.md §7.3): 656 bytes contiguous per token — 512 FP8
 * codes of the latent, 4 fp32 LE scales (tiles of 128), 64 bf16 LE RoPE values — in pages of 64
 * tokens. vLLM's CUDA writer uses a non-power-of-two scale max(amax/448, FLT_MIN), so decoding
 * is not exact (unlike V4). Slot −1 dequantises to zeros.
 */
import { EngineError } from '../base/errors';
import { bf16Bits, bf16FromBits, roundBf16 } from './bf16';
import { E4M3_DECODE_TABLE, encodeE4m3, E4M3_MAX } from './fp8-e4m3';
import { checkCacheBytes, checkSlot, pagedCacheLayout, type PagedCacheLayout } from './paged-layout';

export const V32_LATENT_DIM = 512;
export const V32_ROPE_DIM = 64;
export const V32_HEAD_DIM = 576;
export const V32_TILE = 128;
export const V32_ENTRY_BYTES = 656;
export const V32_PAGE_SIZE = 64;
const SCALE_OFFSET = 512;
const ROPE_OFFSET = 528;
/** Smallest positive normal fp32 (FLT_MIN), the writer's scale floor. */
const FLT_MIN = 2 ** -126;

/** V3.2 layout: 64 tokens per page, contiguous entries (stride 64·656 unless given). */
export function v32CacheLayout(opts: { numPages: number; pageStride?: number }): PagedCacheLayout {
  return pagedCacheLayout({
    entriesPerPage: V32_PAGE_SIZE,
    entryBytes: V32_ENTRY_BYTES,
    numPages: opts.numPages,
    pageStride: opts.pageStride ?? V32_PAGE_SIZE * V32_ENTRY_BYTES,
  });
}

/** Quantises a 576-vector (bf16-rounded first) to 656 bytes with the vLLM CUDA writer rule. */
export function quantizeEntryV32(x: ArrayLike<number>): Uint8Array {
  if (x.length !== V32_HEAD_DIM) throw new EngineError(`x must have ${V32_HEAD_DIM} values, got ${x.length}`, 'x');
  const out = new Uint8Array(V32_ENTRY_BYTES);
  const view = new DataView(out.buffer);
  for (let t = 0; t < V32_LATENT_DIM / V32_TILE; t++) {
    let amax = 0;
    for (let d = t * V32_TILE; d < (t + 1) * V32_TILE; d++) {
      if (!Number.isFinite(x[d]!)) throw new EngineError(`x[${d}] is ${x[d]}; NaN/Inf inputs are not specified`, 'x');
      amax = Math.max(amax, Math.abs(roundBf16(x[d]!)));
    }
    const scale = Math.max(Math.fround(amax / E4M3_MAX), FLT_MIN); // fp32 division
    for (let d = t * V32_TILE; d < (t + 1) * V32_TILE; d++) {
      const v = Math.fround(roundBf16(x[d]!) / scale); // fp32 division, then saturating e4m3
      out[d] = encodeE4m3(Math.max(-E4M3_MAX, Math.min(E4M3_MAX, v)));
    }
    view.setFloat32(SCALE_OFFSET + 4 * t, scale, true);
  }
  for (let j = 0; j < V32_ROPE_DIM; j++) view.setUint16(ROPE_OFFSET + 2 * j, bf16Bits(x[V32_LATENT_DIM + j]!), true);
  return out;
}

/** Dequantises bytes [offset, offset+656) of `bytes` into `out` at `outOffset` (576 values). */
export function dequantizeEntryV32Into(bytes: Uint8Array, offset: number, out: Float32Array, outOffset: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, V32_ENTRY_BYTES);
  for (let t = 0; t < V32_LATENT_DIM / V32_TILE; t++) {
    const scale = view.getFloat32(SCALE_OFFSET + 4 * t, true);
    for (let d = t * V32_TILE; d < (t + 1) * V32_TILE; d++) {
      out[outOffset + d] = Math.fround(E4M3_DECODE_TABLE[bytes[offset + d]!]! * scale);
    }
  }
  for (let j = 0; j < V32_ROPE_DIM; j++) out[outOffset + V32_LATENT_DIM + j] = bf16FromBits(view.getUint16(ROPE_OFFSET + 2 * j, true));
}

/** Dequantises one 656-byte entry to 576 values. */
export function dequantizeEntryV32(entry: Uint8Array): Float32Array {
  if (!(entry instanceof Uint8Array) || entry.length !== V32_ENTRY_BYTES) {
    throw new EngineError(`entry must be a Uint8Array of ${V32_ENTRY_BYTES} bytes`, 'entry');
  }
  const out = new Float32Array(V32_HEAD_DIM);
  dequantizeEntryV32Into(entry, 0, out, 0);
  return out;
}

function entryOffset(slot: number, layout: PagedCacheLayout): number {
  checkSlot(slot, layout);
  return Math.floor(slot / layout.entriesPerPage) * layout.pageStride + (slot % layout.entriesPerPage) * V32_ENTRY_BYTES;
}

/** Writes a 656-byte entry at `slot` (in place; returns the cache). */
export function writeEntryV32(cache: Uint8Array, slot: number, entry: Uint8Array, layout: PagedCacheLayout): Uint8Array {
  checkCacheBytes(cache, layout);
  if (!(entry instanceof Uint8Array) || entry.length !== V32_ENTRY_BYTES) {
    throw new EngineError(`entry must be a Uint8Array of ${V32_ENTRY_BYTES} bytes`, 'entry');
  }
  cache.set(entry, entryOffset(slot, layout));
  return cache;
}

/** Reads the 656 bytes of `slot`. */
export function readEntryV32(cache: Uint8Array, slot: number, layout: PagedCacheLayout): Uint8Array {
  checkCacheBytes(cache, layout);
  const off = entryOffset(slot, layout);
  return cache.slice(off, off + V32_ENTRY_BYTES);
}

/** Dequantises `slots` to rows of 576 values; −1 gives a zero row, other out-of-cache slots throw. */
export function dequantizeSlotsV32(cache: Uint8Array, slots: ArrayLike<number>, layout: PagedCacheLayout): Float32Array {
  checkCacheBytes(cache, layout);
  const out = new Float32Array(slots.length * V32_HEAD_DIM);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (slot === -1) continue;
    checkSlot(slot, layout, 'slots');
    dequantizeEntryV32Into(cache, entryOffset(slot, layout), out, i * V32_HEAD_DIM);
  }
  return out;
}
