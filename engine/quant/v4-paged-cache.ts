/**
 * The V4 `fp8_ds_mla` entry stored *split* inside a page (sparse-mla.md §7.1): the 576 data bytes
 * of entry p sit at P + p·576, its 8 scale bytes in a footer at P + E·576 + p·8, and the rest of
 * the page (up to pageStride) is padding. Slots address entries through a block table; slot −1
 * (upstream "no candidate") dequantises to an all-zero row.
 */
import { EngineError } from '../base/errors';
import { checkCacheBytes, checkSlot, pagedCacheLayout, type PagedCacheLayout } from './paged-layout';
import { dequantizeEntryV4Into, V4_DATA_BYTES, V4_ENTRY_BYTES, V4_HEAD_DIM, V4_SCALE_BYTES } from './v4-entry';

/** A V4 cache layout: `entriesPerPage` 64 (SWA, C4A) or 2 (C128A); stride defaults to the 576-aligned size. */
export function v4CacheLayout(opts: { entriesPerPage: number; numPages: number; pageStride?: number }): PagedCacheLayout {
  return pagedCacheLayout({ ...opts, entryBytes: V4_ENTRY_BYTES });
}

/** Byte offsets of a slot's data and scale octet inside the cache. */
export function v4EntryOffsets(slot: number, layout: PagedCacheLayout): { dataOffset: number; scaleOffset: number } {
  checkSlot(slot, layout);
  const page = Math.floor(slot / layout.entriesPerPage);
  const p = slot % layout.entriesPerPage;
  const base = page * layout.pageStride;
  return {
    dataOffset: base + p * V4_DATA_BYTES,
    scaleOffset: base + layout.entriesPerPage * V4_DATA_BYTES + p * V4_SCALE_BYTES,
  };
}

/** Writes a 584-byte logical entry into `cache` at `slot` (in place; returns the same cache). */
export function writeEntryV4(cache: Uint8Array, slot: number, entry: Uint8Array, layout: PagedCacheLayout): Uint8Array {
  checkCacheBytes(cache, layout);
  if (!(entry instanceof Uint8Array) || entry.length !== V4_ENTRY_BYTES) {
    throw new EngineError(`entry must be a Uint8Array of ${V4_ENTRY_BYTES} bytes`, 'entry');
  }
  const { dataOffset, scaleOffset } = v4EntryOffsets(slot, layout);
  cache.set(entry.subarray(0, V4_DATA_BYTES), dataOffset);
  cache.set(entry.subarray(V4_DATA_BYTES), scaleOffset);
  return cache;
}

/** Reads the 584 logical bytes (576 data ‖ 8 scale bytes) of `slot`. */
export function readEntryV4(cache: Uint8Array, slot: number, layout: PagedCacheLayout): Uint8Array {
  checkCacheBytes(cache, layout);
  const { dataOffset, scaleOffset } = v4EntryOffsets(slot, layout);
  const out = new Uint8Array(V4_ENTRY_BYTES);
  out.set(cache.subarray(dataOffset, dataOffset + V4_DATA_BYTES), 0);
  out.set(cache.subarray(scaleOffset, scaleOffset + V4_SCALE_BYTES), V4_DATA_BYTES);
  return out;
}

/**
 * Dequantises the entries of `slots` into rows of 512 values ([slots.length, 512]).
 * Slot −1 gives a zero row; any other slot outside the cache is an error naming `slots`.
 */
export function dequantizeSlotsV4(cache: Uint8Array, slots: ArrayLike<number>, layout: PagedCacheLayout): Float32Array {
  checkCacheBytes(cache, layout);
  const out = new Float32Array(slots.length * V4_HEAD_DIM);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if (slot === -1) continue; // zero row, as dequantize_global_slots_k_cache writes
    checkSlot(slot, layout, 'slots');
    const { dataOffset, scaleOffset } = v4EntryOffsets(slot, layout);
    dequantizeEntryV4Into(cache, dataOffset, cache, scaleOffset, out, i * V4_HEAD_DIM);
  }
  return out;
}

/** Dequantises every slot of the cache: row `slot` of the result is that entry ([numSlots, 512]). */
export function dequantizeCacheV4(cache: Uint8Array, layout: PagedCacheLayout): Float32Array {
  const n = layout.numPages * layout.entriesPerPage;
  const slots = new Int32Array(n);
  for (let i = 0; i < n; i++) slots[i] = i;
  return dequantizeSlotsV4(cache, slots, layout);
}
