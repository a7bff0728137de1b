/**
 * One V4-style attention layer over a batch of token rows: (1) each row's latent KV (448 NoPE +
 * 64 RoPE, RMSNorm, GPT-J RoPE, bf16) is quantised into the token cache at the slot its block
 * table gives; (2) rows that complete a compression window write compressed (and indexer)
 * entries; (3) per row, candidates are built with C's V4 candidate functions (SWA window, the
 * indexer's top-k for C4A, every visible entry for C128A) and attention runs through C's
 * sparse-MLA code with the layer's sink. Writes precede reads, so a row sees every earlier row of
 * its request in the same batch, and stale entries of rejected drafts are overwritten before use.
 */
import { c128aBufferWidth, c128aDecodeCandidates, c4aDecodeCandidates, stackCandidateRows, swaDecodeCandidates, V4_SOFTMAX_SCALE, type CandidateRow } from '../attention/v4-candidates';
import { foldIndexerWeights, indexerLogits, indexerTopK, quantizeIndexerQueries } from '../attention/indexer';
import { subsetFromV4Cache } from '../attention/cache-subset';
import { sparseMlaAttention, type AttentionSubset } from '../attention/sparse-attention';
import { sparseMlaAttentionFast } from '../attention/fast/sparse-mla-fast';
import { roundBf16 } from '../quant/bf16';
import { gatherIndexerKeys } from '../quant/indexer-cache';
import { localToGlobalSlot } from '../quant/paged-layout';
import { quantizeEntryV4, V4_NOPE_DIM, V4_ROPE_DIM } from '../quant/v4-entry';
import { writeEntryV4 } from '../quant/v4-paged-cache';
import { writeCompressedEntry, type CompressedWrite } from './compressor';
import { applyGptjRope, matVec, matVec64, rmsNorm } from './linalg';
import { markSlot, type LayerCaches } from './model-caches';
import { TINY_V4_PAGE_SIZE, type TinyV4Config } from './tiny-v4-config';
import { HEAD_DIM, INDEX_HEAD_DIM, type LayerWeights } from './weights';

/** One token of the batch as a layer sees it. */
export interface TokenRow {
  readonly pos: number;
  readonly blockTable: readonly number[];
  /** Residual stream [hidden]; updated in place by the layer. */
  hidden: Float32Array;
}

/** Everything the layer computed for one row (kept for inspection). */
export interface RowAttentionTrace {
  readonly slot: number;
  /** The 584 logical bytes written at `slot`. */
  readonly entry: Uint8Array;
  readonly compressedWrite: CompressedWrite | null;
  /** Queries after RoPE [numHeads·512]. */
  readonly q: Float32Array;
  /** Subsets in attention order: 'compressed' (ratio > 1) then 'swa'; global slots with upstream −1 padding. */
  readonly subsets: readonly { readonly name: 'compressed' | 'swa'; readonly slots: Int32Array; readonly len: number; readonly out: Float64Array | null; readonly lse: Float64Array }[];
  /** C4A: the indexer's request-local top-k (−1 padded), the logits of every visible entry, and n_vis. */
  readonly indexer: { readonly localTopk: Int32Array; readonly logits: Float64Array; readonly numVisible: number } | null;
  /** Merged output with the sink [numHeads·512]. */
  readonly out: Float64Array;
}

function ropeTheta(config: TinyV4Config, ratio: number): number {
  return ratio > 1 ? config.compressRopeTheta : config.ropeTheta;
}

/**
 * Which sparse-MLA implementation runs: C's float64 reference (default; every subset's (out, lse)
 * is kept) or D's fp32 WebAssembly SIMD fast path (≈ 15× faster; per-subset outputs are not
 * produced, only their LSEs and the merged output).
 */
export type AttentionPath = 'reference' | 'fast';

/** Runs the layer on `rows` (grouped by nothing: each row carries its own block table). */
export function attentionLayer(
  rows: readonly TokenRow[],
  caches: LayerCaches,
  w: LayerWeights,
  config: TinyV4Config,
  maxModelLen: number,
  path: AttentionPath = 'reference',
): RowAttentionTrace[] {
  const { numHeads: H, qLoraRank: Q, hiddenSize: Hd, oLoraRank: O } = config;
  const ratio = caches.ratio;
  const theta = ropeTheta(config, ratio);
  const T = rows.length;
  const q = new Float32Array(T * H * HEAD_DIM);
  const qLat: Float32Array[] = [];
  const normed: Float32Array[] = [];
  const slots: number[] = [];
  const entries: Uint8Array[] = [];
  // (1) token KV into the token cache.
  rows.forEach((row, t) => {
    const a = rmsNorm(row.hidden, w.attnNorm, config.rmsNormEps);
    normed.push(a);
    const ql = rmsNorm(matVec(w.wqA, a, Q, Hd), w.qNorm, config.rmsNormEps);
    qLat.push(ql);
    const qt = matVec(w.wqB, ql, H * HEAD_DIM, Q);
    for (let h = 0; h < H; h++) applyGptjRope(qt, h * HEAD_DIM + V4_NOPE_DIM, V4_ROPE_DIM, row.pos, theta);
    q.set(qt, t * H * HEAD_DIM);
    const kv = rmsNorm(matVec(w.wkv, a, HEAD_DIM, Hd), w.kvNorm, config.rmsNormEps);
    applyGptjRope(kv, V4_NOPE_DIM, V4_ROPE_DIM, row.pos, theta);
    for (let d = 0; d < HEAD_DIM; d++) kv[d] = roundBf16(kv[d]!);
    const entry = quantizeEntryV4(kv);
    const slot = localToGlobalSlot(row.blockTable, row.pos, TINY_V4_PAGE_SIZE);
    writeEntryV4(caches.token.bytes, slot, entry, caches.token.layout);
    markSlot(caches.token, slot);
    slots.push(slot);
    entries.push(entry);
  });
  // (2) compressed entries completed by this batch's rows.
  const compWrites = rows.map((row) => (ratio > 1 && (row.pos + 1) % ratio === 0 ? writeCompressedEntry(caches, w, config, row.blockTable, row.pos) : null));
  // (3) candidates.
  const swaRows: CandidateRow[] = rows.map((row) => swaDecodeCandidates({ pos: row.pos, blockTable: row.blockTable, window: config.slidingWindow, pageSize: TINY_V4_PAGE_SIZE }));
  const indexerRes: RowAttentionTrace['indexer'][] = rows.map(() => null);
  let compRows: CandidateRow[] | null = null;
  if (ratio === 4) compRows = rows.map((row, t) => {
    const r = c4aRow(row, qLat[t]!, normed[t]!, caches, w, config);
    indexerRes[t] = r.indexer;
    return r.row;
  });
  else if (ratio === 128) {
    const width = c128aBufferWidth(maxModelLen);
    compRows = rows.map((row) => c128aDecodeCandidates({ pos: row.pos, blockTable: row.blockTable, width }));
  }
  const subsets: AttentionSubset[] = [];
  const names: ('compressed' | 'swa')[] = [];
  const rawLists: CandidateRow[][] = [];
  if (compRows !== null) {
    subsets.push(subsetFromV4Cache(caches.compressed!.bytes, caches.compressed!.layout, stackCandidateRows(compRows)));
    names.push('compressed');
    rawLists.push(compRows);
  }
  subsets.push(subsetFromV4Cache(caches.token.bytes, caches.token.layout, stackCandidateRows(swaRows)));
  names.push('swa');
  rawLists.push(swaRows);
  const args = { q, numHeads: H, headDim: HEAD_DIM, scale: V4_SOFTMAX_SCALE, subsets, sink: w.sink };
  let mergedOut: Float64Array;
  let subsetOut: (Float64Array | null)[];
  let subsetLse: Float64Array[];
  if (path === 'fast') {
    const f = sparseMlaAttentionFast(args);
    mergedOut = Float64Array.from(f.out);
    subsetOut = subsets.map(() => null);
    subsetLse = f.lse;
  } else {
    const r = sparseMlaAttention(args);
    mergedOut = r.out;
    subsetOut = r.subsets.map((x) => x.out);
    subsetLse = r.subsets.map((x) => x.lse);
  }
  // (4) output projection into the residual stream.
  return rows.map((row, t) => {
    const o = mergedOut.subarray(t * H * HEAD_DIM, (t + 1) * H * HEAD_DIM);
    const low = new Float32Array(H * O);
    for (let h = 0; h < H; h++) low.set(matVec64(w.woA.subarray(h * O * HEAD_DIM, (h + 1) * O * HEAD_DIM), o, O, HEAD_DIM, h * HEAD_DIM), h * O);
    const proj = matVec(w.woB, low, Hd, H * O);
    for (let i = 0; i < Hd; i++) row.hidden[i] = row.hidden[i]! + proj[i]!;
    return {
      slot: slots[t]!,
      entry: entries[t]!,
      compressedWrite: compWrites[t]!,
      q: q.slice(t * H * HEAD_DIM, (t + 1) * H * HEAD_DIM),
      subsets: names.map((name, j) => ({
        name,
        slots: rawLists[j]![t]!.slots,
        len: rawLists[j]![t]!.len,
        out: subsetOut[j]?.slice(t * H * HEAD_DIM, (t + 1) * H * HEAD_DIM) ?? null,
        lse: subsetLse[j]!.slice(t * H, (t + 1) * H),
      })),
      indexer: indexerRes[t]!,
      out: mergedOut.slice(t * H * HEAD_DIM, (t + 1) * H * HEAD_DIM),
    };
  });
}

/** The lightning indexer for one C4A row: logits over the request's visible entries, top-k, global slots. */
function c4aRow(row: TokenRow, qLat: Float32Array, normed: Float32Array, caches: LayerCaches, w: LayerWeights, config: TinyV4Config): { row: CandidateRow; indexer: NonNullable<RowAttentionTrace['indexer']> } {
  const HI = config.indexNumHeads;
  const numVisible = Math.floor((row.pos + 1) / 4);
  const E = caches.indexer!.layout.entriesPerPage;
  const keySlots = new Int32Array(numVisible);
  for (let j = 0; j < numVisible; j++) keySlots[j] = localToGlobalSlot(row.blockTable, j, E);
  const qI = matVec(w.idxWq!, qLat, HI * INDEX_HEAD_DIM, config.qLoraRank);
  for (let h = 0; h < HI; h++) {
    applyGptjRope(qI, h * INDEX_HEAD_DIM + 64, 64, row.pos, config.compressRopeTheta);
    for (let d = 64; d < INDEX_HEAD_DIM; d++) qI[h * INDEX_HEAD_DIM + d] = roundBf16(qI[h * INDEX_HEAD_DIM + d]!);
  }
  const qq = quantizeIndexerQueries(qI, 1, HI, INDEX_HEAD_DIM);
  const wRaw = matVec(w.idxWw!, normed, HI, config.hiddenSize);
  const weights = foldIndexerWeights(wRaw, qq.scales, HI, INDEX_HEAD_DIM);
  const keys = gatherIndexerKeys(caches.indexer!.bytes, keySlots, caches.indexer!.layout);
  const logits = indexerLogits({ q: qq.values, weights, keys: keys.values, keyScales: numVisible === 0 ? new Float32Array(0) : keys.scales, numHeads: HI, headDim: INDEX_HEAD_DIM, rangeStart: [0], rangeEnd: [numVisible] });
  const localTopk = numVisible === 0 ? new Int32Array(config.indexTopK).fill(-1) : indexerTopK(logits, numVisible, [0], [numVisible], config.indexTopK);
  return {
    row: c4aDecodeCandidates({ localTopk, blockTable: row.blockTable, entriesPerPage: E }),
    indexer: { localTopk, logits, numVisible },
  };
}
