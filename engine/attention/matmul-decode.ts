/**
 * The optional "matmul decode" path of the SM12x fallback (sparse-mla.md §8.2), modelled for exact
 * replay of its precision: the [compressed ‖ SWA] rows in bf16, scores = bf16(q·kᵀ) with fp32
 * accumulation, × scale in fp32, invalid candidates masked to −∞, a sink column appended, an fp32
 * softmax, the weights cast to bf16, and out = bf16(weights·kv). It is less precise than the fp32
 * paths (vLLM tests it at 2e-2). Dot products are accumulated in float64 and then rounded to fp32
 * and bf16; a GPU's fp32 summation order can flip a bf16 rounding in rare near-tie cases.
 * Quirk kept on purpose: a row with no valid candidate and σ = −∞ yields NaN, as upstream does
 * (real heads always have a finite sink; padded heads are skipped there).
 */
import { roundBf16 } from '../quant/bf16';
import { checkAttentionCall, type AttentionCall } from './check-attention-call';

const f32 = Math.fround;

/** Output [T, H, D] as the matmul path stores it (every value a bf16 value). */
export function matmulDecodeAttention(args: AttentionCall): Float32Array {
  const { q, subsets, sink, numHeads: H, headDim: D, scale } = args;
  const T = checkAttentionCall(args);
  const out = new Float32Array(T * H * D);
  for (let t = 0; t < T; t++) {
    // Gather the concatenated candidate rows of this token in bf16, with the valid mask.
    const rows: Float32Array[] = [];
    const valid: boolean[] = [];
    for (const s of subsets) {
      const c = s.candidates;
      for (let i = 0; i < c.width; i++) {
        const slot = c.slots[t * c.width + i]!;
        const ok = i < c.lens[t]! && slot >= 0;
        valid.push(ok);
        const row = new Float32Array(D);
        if (ok) for (let d = 0; d < D; d++) row[d] = roundBf16(s.kv[slot * D + d]!);
        rows.push(row);
      }
    }
    for (let h = 0; h < H; h++) {
      const qh = new Float32Array(D);
      for (let d = 0; d < D; d++) qh[d] = roundBf16(q[(t * H + h) * D + d]!);
      const z = rows.map((row, i) => {
        if (!valid[i]) return -Infinity;
        let dot = 0;
        for (let d = 0; d < D; d++) dot += qh[d]! * row[d]!;
        return f32(roundBf16(f32(dot)) * scale);
      });
      const sinkLogit = sink[h]!;
      let M = sinkLogit;
      for (const v of z) M = Math.max(M, v);
      const e = z.map((v) => (v === -Infinity ? 0 : f32(Math.exp(f32(v - M)))));
      let den = 0;
      for (const v of e) den = f32(den + v);
      den = f32(den + (sinkLogit === -Infinity ? 0 : f32(Math.exp(f32(sinkLogit - M)))));
      const w = e.map((v) => roundBf16(f32(v / den))); // M = −∞ with no sink gives 0/0 = NaN, as upstream
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let i = 0; i < rows.length; i++) if (valid[i] || Number.isNaN(w[i]!)) acc += w[i]! * rows[i]![d]!;
        out[(t * H + h) * D + d] = roundBf16(f32(acc));
      }
    }
  }
  return out;
}
