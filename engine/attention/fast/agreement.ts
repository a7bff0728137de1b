/**
 * The check that the fast path and the readable reference agree: a seeded random problem with
 * −1 entries, duplicates (inside and across subsets), truncation, an empty subset and an
 * all-invalid token, run through `sparseMlaAttentionFast` and `sparseMlaAttention`; returns the
 * largest differences. Hosts can run it once at start-up before trusting the kernels.
 */
import { Rng } from '../../base/rng';
import { sparseMlaAttention, type AttentionSubset } from '../sparse-attention';
import { sparseMlaAttentionFast, type SparseMlaPath } from './sparse-mla-fast';

export interface FastAgreement {
  readonly path: SparseMlaPath;
  /** max |fast − reference| over the merged output. */
  readonly maxAbsOut: number;
  /** max |fast − reference| over finite subset LSEs (and whether −∞ positions agree). */
  readonly maxAbsLse: number;
  readonly lseInfinitiesAgree: boolean;
}

/** A random two-subset problem (exported for tests and benches). */
export function randomSparseMlaProblem(seed: number, numTokens: number, numHeads: number, headDim: number, widths: readonly [number, number]) {
  const rng = new Rng(seed);
  const bf16ish = (x: number) => Math.fround(x);
  const q = new Float32Array(numTokens * numHeads * headDim).map(() => bf16ish(rng.normal() * 2));
  const numRows = widths[0] + widths[1] + 7;
  const subsets: AttentionSubset[] = widths.map((w, j) => {
    const kv = new Float32Array(numRows * headDim).map(() => bf16ish(rng.normal()));
    const slots = new Int32Array(numTokens * w);
    const lens = new Int32Array(numTokens);
    for (let t = 0; t < numTokens; t++) {
      for (let i = 0; i < w; i++) slots[t * w + i] = rng.next() < 0.15 ? -1 : rng.int(numRows);
      if (w >= 3) slots[t * w + 2] = slots[t * w]!; // duplicate
      lens[t] = t % 4 === 1 ? rng.int(w + 1) : w; // truncation
      if (t % 5 === 3 && j === 0) lens[t] = 0; // empty compressed subset
      if (t % 7 === 6) for (let i = 0; i < w; i++) slots[t * w + i] = -1; // all-invalid token
    }
    return { kv, candidates: { slots, lens, width: w } };
  });
  const sink = Array.from({ length: numHeads }, (_, h) => (h % 4 === 3 ? -Infinity : rng.normal()));
  return { q, subsets, sink, numHeads, headDim, scale: 1 / Math.sqrt(headDim) };
}

export function checkFastAgainstReference(seed = 1, numTokens = 8, numHeads = 8, headDim = 64, widths: readonly [number, number] = [40, 16]): FastAgreement {
  const p = randomSparseMlaProblem(seed, numTokens, numHeads, headDim, widths);
  const fast = sparseMlaAttentionFast(p);
  const ref = sparseMlaAttention(p);
  let maxAbsOut = 0;
  for (let i = 0; i < ref.out.length; i++) maxAbsOut = Math.max(maxAbsOut, Math.abs(fast.out[i]! - ref.out[i]!));
  let maxAbsLse = 0;
  let lseInfinitiesAgree = true;
  ref.subsets.forEach((r, j) => {
    for (let i = 0; i < r.lse.length; i++) {
      const a = fast.lse[j]![i]!;
      const b = r.lse[i]!;
      if (!Number.isFinite(b) || !Number.isFinite(a)) lseInfinitiesAgree &&= a === b;
      else maxAbsLse = Math.max(maxAbsLse, Math.abs(a - b));
    }
  });
  return { path: fast.path, maxAbsOut, maxAbsLse, lseInfinitiesAgree };
}
