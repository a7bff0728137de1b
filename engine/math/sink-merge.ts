/**
 * The attention sink and the stable merge of subsets (sparse-mla.md §2.5–§2.6). The sink σ_h is
 * one extra logit per head whose value is the zero vector: it enlarges the denominator only and
 * never changes a subset's LSE. Two equivalent forms are provided: merging finalised subsets
 * (o_j, lse_j) and the fused kernels' raw form over states (m_j, l_j, a_j); σ = −∞ means no sink.
 */
import { EngineError } from '../base/errors';
import type { OnlineSoftmaxState, SoftmaxFinal } from './online-softmax';

function checkSink(sink: ArrayLike<number>, numHeads: number): void {
  if (sink.length !== numHeads) throw new EngineError(`sink has ${sink.length} heads, expected numHeads = ${numHeads}`, 'sink');
  for (let h = 0; h < numHeads; h++) {
    const s = sink[h]!;
    if (Number.isNaN(s) || s === Infinity) throw new EngineError(`sink[${h}] is ${s}; use a finite value or −∞ (no sink)`, 'sink');
  }
}

/**
 * out = Σ_j w_j·o_j / (w_sink + Σ_j w_j) with w_j = exp(lse_j − M_safe), w_sink = exp(σ − M_safe),
 * M = max(σ, lse_0, …) (M_safe = 0 when M is not finite); output 0 when the denominator is 0.
 * Every subset is [H, D] out and [H] lse of one token. Works for any number of subsets (≥ 0).
 */
export function mergeSubsetsWithSink(subsets: readonly SoftmaxFinal[], sink: ArrayLike<number>, numHeads: number, headDim: number): Float64Array {
  checkSink(sink, numHeads);
  subsets.forEach((s, j) => {
    if (s.lse.length !== numHeads) throw new EngineError(`subsets[${j}].lse has ${s.lse.length} heads, expected ${numHeads}`, 'subsets');
    if (s.out.length !== numHeads * headDim) throw new EngineError(`subsets[${j}].out has ${s.out.length} values, expected ${numHeads * headDim}`, 'subsets');
  });
  const out = new Float64Array(numHeads * headDim);
  const w = new Float64Array(subsets.length);
  for (let h = 0; h < numHeads; h++) {
    let M = sink[h]!;
    for (const s of subsets) M = Math.max(M, s.lse[h]!);
    const mSafe = Number.isFinite(M) ? M : 0;
    let den = sink[h]! === -Infinity ? 0 : Math.exp(sink[h]! - mSafe);
    subsets.forEach((s, j) => {
      w[j] = s.lse[h]! === -Infinity ? 0 : Math.exp(s.lse[h]! - mSafe);
      den += w[j]!;
    });
    if (!(den > 0)) continue;
    for (let d = 0; d < headDim; d++) {
      let num = 0;
      for (let j = 0; j < subsets.length; j++) if (w[j]! !== 0) num += w[j]! * subsets[j]!.out[h * headDim + d]!;
      out[h * headDim + d] = num / den;
    }
  }
  return out;
}

/** The per-head merge weights of `mergeSubsetsWithSink` (for teaching): M, each w_j and w_sink. */
export function sinkMergeWeights(lses: readonly number[], sink: number): { M: number; weights: number[]; sinkWeight: number } {
  let M = sink;
  for (const l of lses) M = Math.max(M, l);
  const mSafe = Number.isFinite(M) ? M : 0;
  return {
    M,
    weights: lses.map((l) => (l === -Infinity ? 0 : Math.exp(l - mSafe))),
    sinkWeight: sink === -Infinity ? 0 : Math.exp(sink - mSafe),
  };
}

/**
 * The raw-state form: M = max over {m_j : l_j > 0} ∪ {σ : σ > −∞}, e_j = exp(m_j − M),
 * out = Σ a_j e_j / (Σ l_j e_j + exp(σ − M)); 0 when the set is empty or the denominator is 0.
 */
export function mergeStatesWithSink(states: readonly OnlineSoftmaxState[], sink: ArrayLike<number>): Float64Array {
  if (states.length === 0) throw new EngineError('states must hold at least one state', 'states');
  const H = states[0]!.numHeads;
  const D = states[0]!.headDim;
  states.forEach((s, j) => {
    if (s.numHeads !== H || s.headDim !== D) throw new EngineError(`states[${j}] is [${s.numHeads}, ${s.headDim}], expected [${H}, ${D}]`, 'states');
  });
  checkSink(sink, H);
  const out = new Float64Array(H * D);
  const e = new Float64Array(states.length);
  for (let h = 0; h < H; h++) {
    const hasSink = sink[h]! > -Infinity;
    let M = hasSink ? sink[h]! : -Infinity;
    for (const s of states) if (s.l[h]! > 0) M = Math.max(M, s.m[h]!);
    if (M === -Infinity) continue;
    let den = hasSink ? Math.exp(sink[h]! - M) : 0;
    states.forEach((s, j) => {
      e[j] = s.l[h]! > 0 ? Math.exp(s.m[h]! - M) : 0;
      den += s.l[h]! * e[j]!;
    });
    if (!(den > 0)) continue;
    for (let d = 0; d < D; d++) {
      let num = 0;
      for (let j = 0; j < states.length; j++) if (e[j]! !== 0) num += states[j]!.acc[h * D + d]! * e[j]!;
      out[h * D + d] = num / den;
    }
  }
  return out;
}

/** Applies the sink to one finalised subset: out = o / (1 + exp(σ − lse)) (0 when lse = −∞). */
export function applySink(final: SoftmaxFinal, sink: ArrayLike<number>, numHeads: number, headDim: number): Float64Array {
  return mergeSubsetsWithSink([final], sink, numHeads, headDim);
}
