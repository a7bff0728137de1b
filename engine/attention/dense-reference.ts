/**
 * The slow, obvious dense reference (sparse-mla.md §2.7): one softmax per token and head over
 * every KV row of every subset, weighted by how many times the row occurs among the token's
 * valid candidates (multiset semantics), plus the sink logit in the denominator. No chunking, no
 * online rescaling, no merge — so it checks all three.
 */
import { checkAttentionCall, type AttentionCall } from './check-attention-call';

/** Output [T, H, D] with the sink, and the no-sink LSE of the whole multiset [T, H]. */
export interface DenseReferenceResult {
  readonly out: Float64Array;
  readonly lse: Float64Array;
}

export function denseSinkAttentionReference(args: AttentionCall): DenseReferenceResult {
  const { q, subsets, sink, numHeads: H, headDim: D, scale } = args;
  const T = checkAttentionCall(args);
  const rowsOf = subsets.map((s) => s.kv.length / D);
  const out = new Float64Array(T * H * D);
  const lse = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    // Multiplicity of every row of every subset among this token's valid candidates.
    const counts = subsets.map((s, j) => {
      const cnt = new Float64Array(rowsOf[j]!);
      const c = s.candidates;
      for (let i = 0; i < Math.min(c.lens[t]!, c.width); i++) {
        const slot = c.slots[t * c.width + i]!;
        if (slot >= 0) cnt[slot]!++;
      }
      return cnt;
    });
    for (let h = 0; h < H; h++) {
      const logits = subsets.map((s, j) => {
        const z = new Float64Array(rowsOf[j]!).fill(-Infinity);
        for (let r = 0; r < rowsOf[j]!; r++) {
          if (counts[j]![r]! === 0) continue;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[(t * H + h) * D + d]! * s.kv[r * D + d]!;
          z[r] = scale * dot;
        }
        return z;
      });
      let M = sink[h]!;
      for (const z of logits) for (const v of z) M = Math.max(M, v);
      if (M === -Infinity) {
        lse[t * H + h] = -Infinity;
        continue;
      }
      let den = sink[h]! === -Infinity ? 0 : Math.exp(sink[h]! - M);
      let denNoSink = 0;
      const acc = new Float64Array(D);
      subsets.forEach((s, j) => {
        for (let r = 0; r < rowsOf[j]!; r++) {
          if (counts[j]![r]! === 0) continue;
          const w = counts[j]![r]! * Math.exp(logits[j]![r]! - M);
          den += w;
          denNoSink += w;
          for (let d = 0; d < D; d++) acc[d] = acc[d]! + w * s.kv[r * D + d]!;
        }
      });
      lse[t * H + h] = denNoSink > 0 ? M + Math.log(denNoSink) : -Infinity;
      for (let d = 0; d < D; d++) out[(t * H + h) * D + d] = acc[d]! / den;
    }
  }
  return { out, lse };
}
