/**
 * The kernel-class terms of the cost model as fits: for each class, the measured points, how they
 * split into fitted and held-back halves, which constants the class owns, and the prediction
 * `gpu-kernel-terms.ts` makes for one point. `calibrated-constants.ts` runs them in order.
 */
import type { HardwarePreset } from '../../presets/hardware-presets';
import type { CostConstants } from '../cost-constants';
import { decodeAttentionSeconds, elementwiseSeconds, gemmSeconds, moeExpertsSeconds, prefillAttentionSeconds } from '../gpu-kernel-terms';
import { splitHalves, type Half } from './held-back-split';
import type { CalibrationMeasurements } from './measurements';

export type ConstantName = keyof CostConstants;

export interface TermFit {
  readonly term: string;
  /** Constants this fit sets, with starting values. */
  readonly initial: Partial<Record<ConstantName, number>>;
  readonly labels: readonly string[];
  readonly measuredSeconds: readonly number[];
  readonly halves: readonly Half[];
  predict(c: CostConstants, i: number): number;
}

/** The reference H100 the fit divides by: its datasheet peaks (hardware-presets.ts). */
export function kernelFits(m: CalibrationMeasurements, hw: HardwarePreset): TermFit[] {
  const fits: TermFit[] = [];
  for (const dtype of ['bf16', 'fp8'] as const) {
    const pts = m.gemm.filter((p) => p.dtype === dtype);
    const wb = dtype === 'bf16' ? 2 : 1;
    const pre = dtype === 'bf16' ? { memoryBandwidthEfficiency: 0.85, gemmComputeEfficiency: 0.7, gemmFixedSeconds: 3e-6, gemmMinRows: 32, gemmSharpness: 3 }
      : { fp8GemmMemoryEfficiency: 0.85, fp8GemmComputeEfficiency: 0.6, fp8GemmFixedSeconds: 3e-6, fp8GemmMinRows: 32, fp8GemmSharpness: 3 };
    fits.push({
      term: `gemm ${dtype}`, initial: pre,
      labels: pts.map((p) => `${p.model} ${p.layer} M=${p.M}`),
      measuredSeconds: pts.map((p) => p.us * 1e-6),
      halves: splitHalves(pts, (p) => `${p.model}/${p.layer}`, (p) => p.M),
      predict: (c, i) => gemmSeconds(c, hw, pts[i]!.M, pts[i]!.N, pts[i]!.K, wb),
    });
  }
  const ew = m.elementwise;
  fits.push({
    term: 'elementwise', initial: { elementwiseFixedSeconds: 2e-6, elementwiseBandwidthEfficiency: 0.8 },
    labels: ew.map((p) => `${p.kernel} h=${p.hidden} T=${p.tokens}`),
    measuredSeconds: ew.map((p) => p.us * 1e-6),
    halves: splitHalves(ew, (p) => `${p.kernel}/${p.hidden}`, (p) => p.tokens),
    predict: (c, i) => elementwiseSeconds(c, hw, ew[i]!.bytes),
  });
  for (const kind of ['gqa', 'mla'] as const) {
    const pts = m.decodeAttention.filter((p) => p.kind === kind);
    const names = kind === 'gqa'
      ? { gqaDecodeFixedSeconds: 5e-6, gqaKvReadEfficiency: 0.8, gqaKvReadEfficiencyFp8: 0.7, gqaDecodeProgramsPerSm: 2, gqaDecodeSecondsPerSplitKey: 50e-9, gqaDecodeSecondsPerSplitKeyFp8: 50e-9, decodeAttentionSharpness: 3 }
      : { mlaDecodeFixedSeconds: 5e-6, mlaKvReadEfficiency: 0.8, mlaKvReadEfficiencyFp8: 0.7, mlaDecodeProgramsPerSm: 2, mlaDecodeSecondsPerSplitKey: 80e-9, mlaDecodeSecondsPerSplitKeyFp8: 80e-9, mlaDecodeSharpness: 3 };
    fits.push({
      term: `decode attention ${kind}`, initial: names,
      labels: pts.map((p) => `${p.config} ${p.dtype} B=${p.batch} ctx=${p.ctx}`),
      measuredSeconds: pts.map((p) => p.us * 1e-6),
      halves: splitHalves(pts, (p) => `${p.config}/${p.dtype}/${p.ctx}`, (p) => p.batch),
      predict: (c, i) => {
        const p = pts[i]!;
        const dqk = kind === 'mla' ? 576 : 128;
        const dv = kind === 'mla' ? 512 : 128;
        const qo = p.batch * p.qHeads * (dqk + dv) * 2;
        return decodeAttentionSeconds(c, hw, kind, p.dtype === 'fp8', p.kvBytes + qo, 2 * p.batch * p.qHeads * p.ctx * (dqk + dv), p.batch, p.ctx, p.kvHeads, p.qHeads, dv);
      },
    });
  }
  const pf = m.prefillAttention;
  fits.push({
    term: 'prefill attention', initial: { attentionComputeEfficiency: 0.5, prefillAttentionHalfTokens: 300, prefillAttentionFixedSeconds: 5e-6 },
    labels: pf.map((p) => `${p.config} L=${p.tokens}`),
    measuredSeconds: pf.map((p) => p.us * 1e-6),
    halves: splitHalves(pf, (p) => p.config, (p) => p.tokens),
    predict: (c, i) => {
      const p = pf[i]!;
      const bytes = p.tokens * (p.qHeads * (p.dQk + p.dV) + p.kvHeads * (p.dQk + p.dV)) * 2;
      return prefillAttentionSeconds(c, hw, p.flops, bytes, p.tokens);
    },
  });
  const moe = m.moe;
  fits.push({
    term: 'moe experts', initial: { moeFixedSeconds: 20e-6, moeBandwidthEfficiency: 0.7, moeComputeEfficiency: 0.3 },
    labels: moe.map((p) => `${p.model} T=${p.tokens}`),
    measuredSeconds: moe.map((p) => p.usExperts * 1e-6),
    halves: splitHalves(moe, (p) => p.model, (p) => p.tokens),
    predict: (c, i) => {
      const p = moe[i]!;
      const pairs = p.tokens * p.topk;
      const act = p.tokens * p.hidden * 3 + pairs * (2 * p.inter * 2 * 2 + p.inter * 3 + p.hidden * 2);
      return moeExpertsSeconds(c, hw, p.expertsTouched, 3 * p.hidden * p.inter, 1, pairs, 2 * pairs * 3 * p.hidden * p.inter, act);
    },
  });
  // Routing etc.: the layer minus the experts minus the router GEMM (bf16, N = experts).
  fits.push({
    term: 'moe routing', initial: { moeRoutingSeconds: 30e-6 },
    labels: moe.map((p) => `${p.model} T=${p.tokens}`),
    measuredSeconds: moe.map((p) => Math.max(1e-7, (p.usLayer - p.usExperts) * 1e-6)),
    halves: splitHalves(moe, (p) => p.model, (p) => p.tokens),
    predict: (c, i) => c.moeRoutingSeconds + gemmSeconds(c, hw, moe[i]!.tokens, moe[i]!.experts, moe[i]!.hidden, 2),
  });
  const sp = m.sampling.filter((p) => p.method === 'top_k_top_p');
  fits.push({
    term: 'sampler (top-k/top-p, eager)', initial: { samplerBaseSeconds: 100e-6, samplerPerTokenSeconds: 2e-6 },
    labels: sp.map((p) => `top-k/top-p B=${p.batch}`),
    measuredSeconds: sp.map((p) => p.usEager * 1e-6),
    halves: splitHalves(sp, () => 'sampler', (p) => p.batch),
    predict: (c, i) => c.samplerBaseSeconds + c.samplerPerTokenSeconds * sp[i]!.batch * (sp[i]!.vocab / 128_256),
  });
  return fits;
}
