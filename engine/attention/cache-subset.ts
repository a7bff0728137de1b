/**
 * Builds an attention subset straight from a paged fp8_ds_mla V4 cache: only the entries that
 * some token validly references are dequantised (once each, however often they repeat), and the
 * candidate lists are rewritten to point at those compact rows. −1 stays −1; positions past len
 * keep their length semantics (their slots become −1 since they are never read). Slots outside
 * the cache are caught before any byte is read.
 */
import { EngineError } from '../base/errors';
import { numSlots, type PagedCacheLayout } from '../quant/paged-layout';
import { dequantizeSlotsV4 } from '../quant/v4-paged-cache';
import type { CandidateLists } from './candidate-list';
import type { AttentionSubset } from './sparse-attention';

export function subsetFromV4Cache(cache: Uint8Array, layout: PagedCacheLayout, candidates: CandidateLists): AttentionSubset & { readonly globalSlots: Int32Array } {
  const { slots, lens, width } = candidates;
  if (slots.length !== lens.length * width) throw new EngineError(`candidates.slots has ${slots.length} entries, expected ${lens.length}·${width}`, 'candidates');
  const total = numSlots(layout);
  const rowOf = new Map<number, number>();
  const remapped = new Int32Array(slots.length).fill(-1);
  for (let t = 0; t < lens.length; t++) {
    const n = Math.min(Math.max(0, lens[t]!), width);
    for (let i = 0; i < n; i++) {
      const s = slots[t * width + i]!;
      if (s === -1) continue;
      if (!Number.isInteger(s) || s < -1 || s >= total) throw new EngineError(`candidates.slots[${t}][${i}] = ${s} is outside the cache (0 … ${total - 1}, or −1)`, 'candidates');
      let r = rowOf.get(s);
      if (r === undefined) rowOf.set(s, (r = rowOf.size));
      remapped[t * width + i] = r;
    }
  }
  const globalSlots = Int32Array.from(rowOf.keys());
  return { kv: dequantizeSlotsV4(cache, globalSlots, layout), candidates: { slots: remapped, lens: Int32Array.from(lens), width }, globalSlots };
}
