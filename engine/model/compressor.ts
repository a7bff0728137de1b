/**
 * The compressor of C4A/C128A layers (sparse-mla.md §3.3) and the indexer's key stream. When a
 * token at p completes window j = p div r ((p+1) mod r = 0), entry j pools raw positions
 * p − (1+ov)·r + 1 … p (ov = 1 for r = 4, 0 for r = 128; clipped at 0): per channel a softmax over
 * the window's tokens of score = gain·x + ape[pos mod r], then the weighted sum, RMSNorm, GPT-J
 * RoPE at j·r with the compressed base, bf16 rounding, and the fp8_ds_mla quantiser.
 * Simplification (documented): the pooled rows are the layer's own dequantised token-cache
 * entries, not a separate projection of the hidden states — so a compressed entry depends only on
 * cache contents, and is the same whether its tokens arrived in one chunk, several chunks or from
 * a prefix-cache hit. The indexer key is a 512→128 projection of the dequantised compressed entry
 * with RoPE on its last 64 dims at j·4, bf16-rounded, then FP8 with one power-of-two scale (§5.1).
 */
import { localToGlobalSlot } from '../quant/paged-layout';
import { roundBf16 } from '../quant/bf16';
import { quantizeIndexerKey, writeIndexerKey, type IndexerKeyFp8 } from '../quant/indexer-cache';
import { dequantizeEntryV4, quantizeEntryV4, V4_NOPE_DIM, V4_ROPE_DIM } from '../quant/v4-entry';
import { dequantizeSlotsV4, writeEntryV4 } from '../quant/v4-paged-cache';
import { applyGptjRope, matVec, rmsNorm } from './linalg';
import { markSlot, type LayerCaches } from './model-caches';
import { TINY_V4_PAGE_SIZE, type TinyV4Config } from './tiny-v4-config';
import { HEAD_DIM, INDEX_HEAD_DIM, type LayerWeights } from './weights';

/** What one compressor write produced (for inspection). */
export interface CompressedWrite {
  readonly pos: number;
  /** Request-local compressed index j. */
  readonly index: number;
  readonly slot: number;
  readonly bytes: Uint8Array;
  /** Indexer key (C4A only). */
  readonly indexerKey: IndexerKeyFp8 | null;
}

/** Computes and writes compressed entry j = pos div r of one request (caller checks (pos+1) mod r = 0). */
export function writeCompressedEntry(
  caches: LayerCaches,
  w: LayerWeights,
  config: TinyV4Config,
  blockTable: readonly number[],
  pos: number,
): CompressedWrite {
  const r = caches.ratio;
  const j = Math.floor(pos / r);
  const first = Math.max(0, pos - (r === 4 ? 2 : 1) * r + 1);
  const n = pos - first + 1;
  const slots = new Int32Array(n);
  for (let i = 0; i < n; i++) slots[i] = localToGlobalSlot(blockTable, first + i, TINY_V4_PAGE_SIZE);
  const rows = dequantizeSlotsV4(caches.token.bytes, slots, caches.token.layout);
  const gain = w.compGain!;
  const ape = w.compApe!;
  const pooled = new Float32Array(HEAD_DIM);
  const score = new Float64Array(n);
  for (let d = 0; d < HEAD_DIM; d++) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) {
      const p = first + i;
      score[i] = gain[d]! * rows[i * HEAD_DIM + d]! + ape[(p % r) * HEAD_DIM + d]!;
      if (score[i]! > m) m = score[i]!;
    }
    let den = 0;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(score[i]! - m);
      den += e;
      acc += e * rows[i * HEAD_DIM + d]!;
    }
    pooled[d] = acc / den;
  }
  const normed = rmsNorm(pooled, w.compNorm!, config.rmsNormEps);
  applyGptjRope(normed, V4_NOPE_DIM, V4_ROPE_DIM, j * r, config.compressRopeTheta);
  for (let d = 0; d < HEAD_DIM; d++) normed[d] = roundBf16(normed[d]!);
  const bytes = quantizeEntryV4(normed);
  const comp = caches.compressed!;
  const E = comp.layout.entriesPerPage;
  const slot = localToGlobalSlot(blockTable, j, E);
  writeEntryV4(comp.bytes, slot, bytes, comp.layout);
  markSlot(comp, slot);
  let indexerKey: IndexerKeyFp8 | null = null;
  if (r === 4) {
    const deq = dequantizeEntryV4(bytes);
    const k = matVec(w.idxWk!, deq, INDEX_HEAD_DIM, HEAD_DIM);
    applyGptjRope(k, INDEX_HEAD_DIM - 64, 64, j * r, config.compressRopeTheta);
    for (let d = INDEX_HEAD_DIM - 64; d < INDEX_HEAD_DIM; d++) k[d] = roundBf16(k[d]!);
    indexerKey = quantizeIndexerKey(k);
    const ic = caches.indexer!;
    writeIndexerKey(ic.bytes, slot, indexerKey, ic.layout);
    markSlot(ic, slot);
  }
  return { pos, index: j, slot, bytes, indexerKey };
}
