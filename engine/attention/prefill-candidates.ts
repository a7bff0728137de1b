/**
 * Prefill candidate lists over the gathered workspace (sparse-mla.md §4.3). Per request b of a
 * chunk: gather_len = query_len + min(prefix_len, W−1) raw SWA rows starting at
 * gather_start = seq_len − gather_len; workspace rows 0 … ⌊seq_len/r⌋−1 hold compressed entries and
 * rows N … N+gather_len−1 the raw positions, N = max_b ⌊seq_len_b/r⌋, Mw = N + max_b gather_len_b;
 * flat row = b·Mw + x. A query's row lists topk_len compressed rows then swa_len SWA rows.
 */
import { EngineError } from '../base/errors';
import { roundUp } from '../quant/paged-layout';
import type { CandidateLists } from './candidate-list';
import { V4_SLIDING_WINDOW } from './v4-candidates';

/** What one prefill chunk's workspace and candidate rows look like. */
export interface PrefillCandidatePlan {
  readonly candidates: CandidateLists;
  /** Request index and absolute position of each query row. */
  readonly requestOfToken: Int32Array;
  readonly positions: Int32Array;
  readonly gatherLens: Int32Array;
  readonly gatherStarts: Int32Array;
  /** First SWA row of each request's workspace block (N). */
  readonly numCompressedRows: number;
  /** Rows per request in the workspace (Mw). */
  readonly rowsPerRequest: number;
}

/**
 * Builds combined lists for a prefill chunk. `ratio` 1 (SWA-only), 4 (C4A; `indexerTopk(b, pos)`
 * gives the request-local top-k, −1 padded) or 128 (C128A; local 0, 1, … are used). `topK` is
 * TOP_K: 512 for C4A, the C128A buffer width for C128A, ignored (0) for SWA-only.
 */
export function prefillCombinedCandidates(opts: {
  seqLens: readonly number[];
  queryLens: readonly number[];
  ratio: 1 | 4 | 128;
  topK?: number;
  window?: number;
  indexerTopk?: (request: number, pos: number) => ArrayLike<number>;
}): PrefillCandidatePlan {
  const { seqLens, queryLens, ratio } = opts;
  const W = opts.window ?? V4_SLIDING_WINDOW;
  if (seqLens.length !== queryLens.length) throw new EngineError(`queryLens has ${queryLens.length} entries, seqLens ${seqLens.length}`, 'queryLens');
  if (ratio !== 1 && ratio !== 4 && ratio !== 128) throw new EngineError(`ratio must be 1, 4 or 128, got ${String(ratio)}`, 'ratio');
  const topK = ratio === 1 ? 0 : opts.topK ?? 0;
  if (ratio !== 1 && (!Number.isInteger(topK) || topK <= 0)) throw new EngineError(`topK must be a positive integer for ratio ${ratio}`, 'topK');
  if (ratio === 4 && !opts.indexerTopk) throw new EngineError('indexerTopk is required for a C4A (ratio 4) layer', 'indexerTopk');
  seqLens.forEach((s, b) => {
    if (!Number.isInteger(s) || s <= 0) throw new EngineError(`seqLens[${b}] must be a positive integer`, 'seqLens');
    const q = queryLens[b]!;
    if (!Number.isInteger(q) || q <= 0 || q > s) throw new EngineError(`queryLens[${b}] must be in 1 … seqLens[${b}]`, 'queryLens');
  });
  const B = seqLens.length;
  const gatherLens = new Int32Array(B);
  const gatherStarts = new Int32Array(B);
  let N = 0;
  let maxGather = 0;
  for (let b = 0; b < B; b++) {
    const prefix = seqLens[b]! - queryLens[b]!;
    gatherLens[b] = queryLens[b]! + Math.min(prefix, W - 1);
    gatherStarts[b] = seqLens[b]! - gatherLens[b]!;
    if (ratio > 1) N = Math.max(N, Math.floor(seqLens[b]! / ratio));
    maxGather = Math.max(maxGather, gatherLens[b]!);
  }
  const Mw = N + maxGather;
  const width = roundUp(topK + W, 128);
  const numTokens = queryLens.reduce((a, b) => a + b, 0);
  const slots = new Int32Array(numTokens * width).fill(-1);
  const lens = new Int32Array(numTokens);
  const requestOfToken = new Int32Array(numTokens);
  const positions = new Int32Array(numTokens);
  let t = 0;
  for (let b = 0; b < B; b++) {
    for (let qi = 0; qi < queryLens[b]!; qi++, t++) {
      const pos = seqLens[b]! - queryLens[b]! + qi;
      requestOfToken[t] = b;
      positions[t] = pos;
      const topkLen = ratio === 1 ? 0 : Math.min(Math.floor((pos + 1) / ratio), topK);
      const local = ratio === 4 ? opts.indexerTopk!(b, pos) : undefined;
      if (local && local.length < topkLen) throw new EngineError(`indexerTopk(${b}, ${pos}) has ${local.length} entries, needs ${topkLen}`, 'indexerTopk');
      for (let i = 0; i < topkLen; i++) {
        const l = local ? local[i]! : i;
        slots[t * width + i] = l < 0 ? -1 : b * Mw + l; // −1 inside the prefix stays −1 (skipped)
      }
      const swaLen = Math.min(pos + 1, W);
      const firstRow = b * Mw + N + (pos - swaLen + 1 - gatherStarts[b]!);
      for (let i = 0; i < swaLen; i++) slots[t * width + topkLen + i] = firstRow + i;
      lens[t] = topkLen + swaLen;
    }
  }
  return { candidates: { slots, lens, width }, requestOfToken, positions, gatherLens, gatherStarts, numCompressedRows: N, rowsPerRequest: Mw };
}

/**
 * What a flat workspace row holds: a compressed entry of a request, a raw SWA position, or
 * nothing (padding rows of shorter requests).
 */
export function prefillWorkspaceRow(
  plan: PrefillCandidatePlan,
  seqLens: readonly number[],
  ratio: 1 | 4 | 128,
  flatRow: number,
): { request: number; kind: 'compressed'; entry: number } | { request: number; kind: 'swa'; position: number } | { request: number; kind: 'empty' } {
  const b = Math.floor(flatRow / plan.rowsPerRequest);
  if (!Number.isInteger(flatRow) || flatRow < 0 || b >= seqLens.length) throw new EngineError(`flatRow ${flatRow} is outside the workspace`, 'flatRow');
  const x = flatRow - b * plan.rowsPerRequest;
  if (x < plan.numCompressedRows) {
    return ratio > 1 && x < Math.floor(seqLens[b]! / ratio) ? { request: b, kind: 'compressed', entry: x } : { request: b, kind: 'empty' };
  }
  const g = x - plan.numCompressedRows;
  return g < plan.gatherLens[b]! ? { request: b, kind: 'swa', position: plan.gatherStarts[b]! + g } : { request: b, kind: 'empty' };
}
