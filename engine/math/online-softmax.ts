/**
 * The online-softmax state of sparse-mla.md §2.3–§2.4, per head: running max m (init −∞),
 * running denominator l (init 0) and accumulator a ∈ R^D (init 0). A chunk update rescales the
 * old state by α = exp(m − m') and adds p_c = exp(z_c − m') for each valid candidate; the
 * "define … = 0" cases (α when m = −∞, p_c when m' = −∞) are taken explicitly, never through
 * NaN. Finalisation gives (o = a/l, lse = m + ln l), or (0, −∞) for an empty subset.
 * Arithmetic is float64 (this is the reference; fp32 kernels agree within the stated tolerance).
 */
import { EngineError } from '../base/errors';

/** State of one token's online softmax over all heads: m, l are [H]; acc is [H, D] row-major. */
export interface OnlineSoftmaxState {
  readonly numHeads: number;
  readonly headDim: number;
  readonly m: Float64Array;
  readonly l: Float64Array;
  readonly acc: Float64Array;
}

/** Result of finalising without the sink: out_no_sink [H, D] and lse_no_sink [H]. */
export interface SoftmaxFinal {
  readonly out: Float64Array;
  readonly lse: Float64Array;
}

function checkDims(numHeads: number, headDim: number): void {
  if (!Number.isInteger(numHeads) || numHeads <= 0) throw new EngineError(`numHeads must be a positive integer, got ${numHeads}`, 'numHeads');
  if (!Number.isInteger(headDim) || headDim <= 0) throw new EngineError(`headDim must be a positive integer, got ${headDim}`, 'headDim');
}

/** A fresh state: m = −∞, l = 0, acc = 0. */
export function createOnlineSoftmaxState(numHeads: number, headDim: number): OnlineSoftmaxState {
  checkDims(numHeads, headDim);
  return {
    numHeads,
    headDim,
    m: new Float64Array(numHeads).fill(-Infinity),
    l: new Float64Array(numHeads),
    acc: new Float64Array(numHeads * headDim),
  };
}

/** A deep copy (for snapshots after each chunk). */
export function cloneOnlineSoftmaxState(s: OnlineSoftmaxState): OnlineSoftmaxState {
  return { numHeads: s.numHeads, headDim: s.headDim, m: s.m.slice(), l: s.l.slice(), acc: s.acc.slice() };
}

/**
 * One chunk update for heads [headStart, headEnd): `scores` is [H, n] (z of head h, candidate c
 * at h·n + c), `values` is [n, D] (the candidate rows), `valid` is [n] (nonzero = valid). Invalid
 * candidates' scores and rows are never read, so garbage there cannot leak.
 */
export function onlineSoftmaxUpdate(
  state: OnlineSoftmaxState,
  scores: ArrayLike<number>,
  values: ArrayLike<number>,
  valid: ArrayLike<number>,
  headStart = 0,
  headEnd = state.numHeads,
): void {
  const n = valid.length;
  const D = state.headDim;
  if (scores.length !== state.numHeads * n) {
    throw new EngineError(`scores must have numHeads·n = ${state.numHeads * n} values, got ${scores.length}`, 'scores');
  }
  if (values.length !== n * D) throw new EngineError(`values must have n·headDim = ${n * D} values, got ${values.length}`, 'values');
  if (!(Number.isInteger(headStart) && Number.isInteger(headEnd) && headStart >= 0 && headStart <= headEnd && headEnd <= state.numHeads)) {
    throw new EngineError(`head range [${headStart}, ${headEnd}) is not inside [0, ${state.numHeads})`, 'headStart');
  }
  const acc = state.acc; // locals keep the hot loops monomorphic and free of property loads
  for (let h = headStart; h < headEnd; h++) {
    let chunkMax = -Infinity;
    for (let c = 0; c < n; c++) if (valid[c]) chunkMax = Math.max(chunkMax, scores[h * n + c]!);
    const mOld = state.m[h]!;
    const mNew = Math.max(mOld, chunkMax);
    if (mNew === -Infinity) continue; // nothing valid so far: the state stays (−∞, 0, 0)
    const alpha = mOld === -Infinity ? 0 : Math.exp(mOld - mNew);
    const aOff = h * D;
    let l = alpha * state.l[h]!;
    if (alpha !== 1) for (let d = 0; d < D; d++) acc[aOff + d] = alpha * acc[aOff + d]!;
    for (let c = 0; c < n; c++) {
      if (!valid[c]) continue;
      const p = Math.exp(scores[h * n + c]! - mNew);
      l += p;
      const vOff = c * D;
      for (let d = 0; d < D; d++) acc[aOff + d] = acc[aOff + d]! + p * values[vOff + d]!;
    }
    state.l[h] = l;
    state.m[h] = mNew;
  }
}

/** Finalisation without the sink: o = a/l and lse = m + ln l if l > 0, else o = 0 and lse = −∞. */
export function finalizeOnlineSoftmax(state: OnlineSoftmaxState): SoftmaxFinal {
  const { numHeads: H, headDim: D } = state;
  const out = new Float64Array(H * D);
  const lse = new Float64Array(H).fill(-Infinity);
  for (let h = 0; h < H; h++) {
    const l = state.l[h]!;
    if (!(l > 0)) continue;
    lse[h] = state.m[h]! + Math.log(l);
    for (let d = 0; d < D; d++) out[h * D + d] = state.acc[h * D + d]! / l;
  }
  return { out, lse };
}
