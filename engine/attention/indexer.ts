/**
 * The lightning indexer of C4A layers (sparse-mla.md §5): per query token and compressed entry j,
 * I[t, j] = Σ_h w[t,h] · max(0, sk[j] · Σ_d qI8[t,h,d] · kI8[j,d]), where qI8/kI8 are FP8 values,
 * sk the key's power-of-two scale and w the head weight with the query scale and both
 * normalisations folded in (w = w_raw·sq·headDim^−1/2·numHeads^−1/2). Columns outside a token's
 * causal range [rangeStart, rangeEnd) are −∞ when `cleanLogits` (the oracle convention).
 *
 * Top-k tie rule (a convention, not what GPUs do): value descending, then lower column. GPU radix
 * selects (and torch.topk on CUDA) may return any tied index at the threshold and in any order,
 * so compare selections as sorted multisets of logit values (`selectedLogitValues`).
 */
import { EngineError } from '../base/errors';
import { E4M3_DECODE_TABLE } from '../quant/fp8-e4m3';
import { quantizePow2Vector } from '../quant/indexer-cache';

export const INDEXER_NUM_HEADS = 64;
export const INDEXER_DIM = 128;
export const INDEXER_RATIO = 4;

function checkFinite(a: ArrayLike<number>, n: number, name: string): void {
  if (a.length !== n) throw new EngineError(`${name} has ${a.length} values, expected ${n}`, name);
  for (let i = 0; i < n; i++) if (!Number.isFinite(a[i]!)) throw new EngineError(`${name}[${i}] is ${a[i]}; inputs must be finite`, name);
}

/** Index queries quantised per (token, head): FP8 values [T, H, Dk] and power-of-two scales sq [T, H]. */
export function quantizeIndexerQueries(qI: ArrayLike<number>, numTokens: number, numHeads: number, headDim = INDEXER_DIM): { values: Float32Array; scales: Float32Array } {
  checkFinite(qI, numTokens * numHeads * headDim, 'qI');
  const values = new Float32Array(qI.length);
  const scales = new Float32Array(numTokens * numHeads);
  const row = new Float64Array(headDim);
  for (let r = 0; r < numTokens * numHeads; r++) {
    for (let d = 0; d < headDim; d++) row[d] = qI[r * headDim + d]!;
    const { codes, scale } = quantizePow2Vector(row, 'qI');
    for (let d = 0; d < headDim; d++) values[r * headDim + d] = E4M3_DECODE_TABLE[codes[d]!]!;
    scales[r] = scale;
  }
  return { values, scales };
}

/** w[t,h] = w_raw[t,h] · sq[t,h] · headDim^−1/2 · numHeads^−1/2 ([T, H]). */
export function foldIndexerWeights(wRaw: ArrayLike<number>, qScales: ArrayLike<number>, numHeads: number, headDim = INDEXER_DIM): Float64Array {
  if (wRaw.length % numHeads !== 0) throw new EngineError(`wRaw has ${wRaw.length} values, not a multiple of numHeads ${numHeads}`, 'wRaw');
  checkFinite(wRaw, wRaw.length, 'wRaw');
  checkFinite(qScales, wRaw.length, 'qScales');
  const k = headDim ** -0.5 * numHeads ** -0.5;
  const out = new Float64Array(wRaw.length);
  for (let i = 0; i < out.length; i++) out[i] = wRaw[i]! * qScales[i]! * k;
  return out;
}

/** Indexer logits [T, numKeys]. */
export function indexerLogits(args: {
  /** FP8 query values [T, H, Dk]. */
  readonly q: ArrayLike<number>;
  /** Folded weights [T, H]. */
  readonly weights: ArrayLike<number>;
  /** FP8 key values [numKeys, Dk]. */
  readonly keys: ArrayLike<number>;
  /** Key scales sk [numKeys] (> 0). */
  readonly keyScales: ArrayLike<number>;
  readonly numHeads: number;
  readonly headDim?: number;
  /** Causal range per token: columns [rangeStart[t], rangeEnd[t]). */
  readonly rangeStart: ArrayLike<number>;
  readonly rangeEnd: ArrayLike<number>;
  /** true: −∞ outside the range; false: those columns are left as they are in `out` (unwritten). */
  readonly cleanLogits?: boolean;
  readonly out?: Float64Array;
}): Float64Array {
  const H = args.numHeads;
  const Dk = args.headDim ?? INDEXER_DIM;
  const T = args.rangeStart.length;
  const N = args.keyScales.length;
  if (args.rangeEnd.length !== T) throw new EngineError(`rangeEnd has ${args.rangeEnd.length} entries, rangeStart ${T}`, 'rangeEnd');
  checkFinite(args.q, T * H * Dk, 'q');
  checkFinite(args.weights, T * H, 'weights');
  checkFinite(args.keys, N * Dk, 'keys');
  checkFinite(args.keyScales, N, 'keyScales');
  for (let j = 0; j < N; j++) if (!(args.keyScales[j]! > 0)) throw new EngineError(`keyScales[${j}] must be positive`, 'keyScales');
  const out = args.out ?? new Float64Array(T * N);
  if (out.length !== T * N) throw new EngineError(`out has ${out.length} values, expected ${T * N}`, 'out');
  const clean = args.cleanLogits ?? true;
  for (let t = 0; t < T; t++) {
    const s = args.rangeStart[t]!;
    const e = args.rangeEnd[t]!;
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s || e > N) {
      throw new EngineError(`range [${s}, ${e}) of token ${t} is not inside [0, ${N})`, 'rangeStart');
    }
    for (let j = 0; j < N; j++) {
      if (j < s || j >= e) {
        if (clean) out[t * N + j] = -Infinity;
        continue;
      }
      let acc = 0;
      for (let h = 0; h < H; h++) {
        let dot = 0;
        const qo = (t * H + h) * Dk;
        for (let d = 0; d < Dk; d++) dot += args.q[qo + d]! * args.keys[j * Dk + d]!;
        acc += args.weights[t * H + h]! * Math.max(0, args.keyScales[j]! * dot);
      }
      out[t * N + j] = acc;
    }
  }
  return out;
}

/** Decode ranges: [0, ⌊(pos+1)/4⌋) per token. */
export function indexerDecodeRanges(positions: ArrayLike<number>, ratio = INDEXER_RATIO): { rangeStart: Int32Array; rangeEnd: Int32Array } {
  const rangeStart = new Int32Array(positions.length);
  const rangeEnd = new Int32Array(positions.length);
  for (let t = 0; t < positions.length; t++) {
    const p = positions[t]!;
    if (!Number.isInteger(p) || p < 0) throw new EngineError(`positions[${t}] must be a non-negative integer`, 'positions');
    rangeEnd[t] = Math.floor((p + 1) / ratio);
  }
  return { rangeStart, rangeEnd };
}

/** Prefill ranges over concatenated keys: ks = the request's first key column, ke = ks + ⌊(pos+1)/4⌋. */
export function indexerPrefillRanges(keyStarts: ArrayLike<number>, positions: ArrayLike<number>, ratio = INDEXER_RATIO): { rangeStart: Int32Array; rangeEnd: Int32Array } {
  if (keyStarts.length !== positions.length) throw new EngineError(`keyStarts has ${keyStarts.length} entries, positions ${positions.length}`, 'keyStarts');
  const { rangeEnd } = indexerDecodeRanges(positions, ratio);
  const rangeStart = Int32Array.from(keyStarts);
  for (let t = 0; t < rangeEnd.length; t++) rangeEnd[t] = rangeEnd[t]! + rangeStart[t]!;
  return { rangeStart, rangeEnd };
}

/**
 * Top-k per token over its range, request-local (column − rangeStart), −1 padded to width k.
 * Short ranges (≤ k columns) emit 0, 1, …, n−1 in order (the CUDA short-row path); longer ranges
 * emit the k best by value descending, ties to the lower column. −∞ is never selected.
 */
export function indexerTopK(logits: Float64Array | Float32Array, numKeys: number, rangeStart: ArrayLike<number>, rangeEnd: ArrayLike<number>, k: number): Int32Array {
  if (!Number.isInteger(k) || k <= 0) throw new EngineError(`k must be a positive integer, got ${k}`, 'k');
  const T = rangeStart.length;
  if (logits.length !== T * numKeys) throw new EngineError(`logits has ${logits.length} values, expected ${T}·${numKeys}`, 'logits');
  const out = new Int32Array(T * k).fill(-1);
  for (let t = 0; t < T; t++) {
    const s = rangeStart[t]!;
    const e = rangeEnd[t]!;
    if (s < 0 || e < s || e > numKeys) throw new EngineError(`range [${s}, ${e}) of token ${t} is not inside [0, ${numKeys})`, 'rangeStart');
    const cols: number[] = [];
    for (let j = s; j < e; j++) {
      const v = logits[t * numKeys + j]!;
      if (Number.isNaN(v)) throw new EngineError(`logits[${t}][${j}] is NaN`, 'logits');
      if (v !== -Infinity) cols.push(j);
    }
    if (e - s > k) cols.sort((a, b) => logits[t * numKeys + b]! - logits[t * numKeys + a]! || a - b);
    const n = Math.min(k, cols.length);
    for (let i = 0; i < n; i++) out[t * k + i] = cols[i]! - s;
  }
  return out;
}

/** The logit values of a selection, sorted descending (the comparison vLLM's tests use). */
export function selectedLogitValues(logits: ArrayLike<number>, rowOffset: number, rangeStart: number, selection: ArrayLike<number>): number[] {
  const vals: number[] = [];
  for (let i = 0; i < selection.length; i++) if (selection[i]! >= 0) vals.push(logits[rowOffset + rangeStart + selection[i]!]!);
  return vals.sort((a, b) => b - a);
}
