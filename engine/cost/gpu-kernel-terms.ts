/**
 * Kernel-class time formulas of the calibrated cost model (fitted on an H100 by
 * `fixtures/calibration/h100/measure.py`; constants in `cost-constants.ts`). Each class is a fixed
 * time (launch inside a graph plus the kernel's minimum duration) plus a smooth maximum of its memory
 * time (bytes over bandwidth × efficiency) and compute time (FLOPs over peak × efficiency):
 * `(m^s + c^s)^(1/s)`, which is `max(m, c)` far from the ridge point and up to `2^(1/s)·max` at it.
 * Other GPUs use the same efficiencies with their own datasheet peaks (derived, not measured).
 */
import type { HardwarePreset } from '../presets/hardware-presets';
import type { CostConstants } from './cost-constants';

export function smoothMax(a: number, b: number, sharpness: number): number {
  const hi = Math.max(a, b);
  if (hi === 0) return 0;
  return hi * Math.pow(Math.pow(a / hi, sharpness) + Math.pow(b / hi, sharpness), 1 / sharpness);
}

export type GemmDtype = 'bf16' | 'fp8';

/** The GEMM dtype a weight of `bytesPerWeight` runs in (fp4 priced as fp8 bandwidth-scaled: no H100 fp4). */
export function gemmDtype(bytesPerWeight: number): GemmDtype {
  return bytesPerWeight >= 2 ? 'bf16' : 'fp8';
}

/** One `M × K` by `K × N` GEMM: weights `N·K·bytesPerWeight`, activations in and out. */
export function gemmSeconds(c: CostConstants, hw: HardwarePreset, m: number, n: number, k: number, bytesPerWeight: number): number {
  if (m <= 0) return 0;
  const bf16 = gemmDtype(bytesPerWeight) === 'bf16';
  const actBytes = bf16 ? 2 : 1;
  const bytes = n * k * bytesPerWeight + m * k * actBytes + m * n * 2;
  const rows = Math.max(m, bf16 ? c.gemmMinRows : c.fp8GemmMinRows);
  const flops = 2 * rows * n * k;
  const mem = bytes / (hw.memoryBandwidth * (bf16 ? c.memoryBandwidthEfficiency : c.fp8GemmMemoryEfficiency));
  const comp = flops / ((bf16 ? hw.peakFlops.bf16 : hw.peakFlops.fp8) * (bf16 ? c.gemmComputeEfficiency : c.fp8GemmComputeEfficiency));
  return (bf16 ? c.gemmFixedSeconds : c.fp8GemmFixedSeconds) + smoothMax(mem, comp, bf16 ? c.gemmSharpness : c.fp8GemmSharpness);
}

/** An elementwise / normalisation kernel moving `bytes` (read + written). */
export function elementwiseSeconds(c: CostConstants, hw: HardwarePreset, bytes: number): number {
  return c.elementwiseFixedSeconds + bytes / (hw.memoryBandwidth * c.elementwiseBandwidthEfficiency);
}

export type AttentionKind = 'gqa' | 'mla';

/** Splits of the split-KV decode kernel (FlashDecoding-style): cover the SMs twice, ≥ 64 keys a split, ≤ 32. */
export function decodeKvSplits(numSms: number, batch: number, kvHeads: number, ctx: number): number {
  const want = Math.max(1, Math.ceil((2 * numSms) / Math.max(1, batch * kvHeads)));
  return Math.max(1, Math.min(32, want, Math.ceil(ctx / 64)));
}

/**
 * Decode attention (split-KV kernel and its reduce, one layer) over `batch` rows of up to `ctx` keys:
 * the smooth maximum of the KV read (`kvBytes` at the fitted share of HBM bandwidth) and the program
 * chain: `batch × kvHeads × splits` programs run in waves of `programsPerSm × SMs`, each walking
 * `ctx / splits` keys at a fitted time per key (QK over the heads of a group, online softmax, PV).
 * The chain term is what bounds small grids and long contexts; the read bounds large ones.
 * Every split writes its partial output and log-sum-exp in fp32 for each query head
 * (`qHeads × (dV + 1) × 4` bytes) and the reduce reads them back: at small batches the splits are
 * many and MLA's 512-wide latent makes that traffic as large as the KV read itself.
 */
export function decodeAttentionSeconds(c: CostConstants, hw: HardwarePreset, kind: AttentionKind, fp8: boolean, kvBytes: number, _flops: number, batch = 1, ctx = 0, kvHeads = 1, qHeads = 0, dV = 0): number {
  const mla = kind === 'mla';
  const eff = mla ? (fp8 ? c.mlaKvReadEfficiencyFp8 : c.mlaKvReadEfficiency) : (fp8 ? c.gqaKvReadEfficiencyFp8 : c.gqaKvReadEfficiency);
  let mem = kvBytes / (hw.memoryBandwidth * eff);  // the partials below move at the same share
  let chain = 0;
  if (ctx > 0) {
    const splits = decodeKvSplits(hw.numSms, batch, kvHeads, ctx);
    if (splits > 1) mem += (2 * batch * qHeads * splits * (dV + 1) * 4) / (hw.memoryBandwidth * eff);
    const waves = Math.ceil((batch * kvHeads * splits) / Math.max(1, Math.round((mla ? c.mlaDecodeProgramsPerSm : c.gqaDecodeProgramsPerSm) * hw.numSms)));
    const perKey = mla ? (fp8 ? c.mlaDecodeSecondsPerSplitKeyFp8 : c.mlaDecodeSecondsPerSplitKey) : (fp8 ? c.gqaDecodeSecondsPerSplitKeyFp8 : c.gqaDecodeSecondsPerSplitKey);
    chain = waves * (ctx / splits) * perKey;
  }
  return (mla ? c.mlaDecodeFixedSeconds : c.gqaDecodeFixedSeconds) + smoothMax(mem, chain, mla ? c.mlaDecodeSharpness : c.decodeAttentionSharpness);
}

/**
 * Prefill attention (causal flash attention, one layer) of `flops` over requests whose longest has
 * `maxTokens` queries: short sequences leave the tensor cores idle between tiles, modelled as an
 * efficiency `eff · L / (L + halfTokens)`.
 */
export function prefillAttentionSeconds(c: CostConstants, hw: HardwarePreset, flops: number, bytes: number, maxTokens: number): number {
  if (flops <= 0) return 0;
  const eff = c.attentionComputeEfficiency * maxTokens / (maxTokens + c.prefillAttentionHalfTokens);
  return c.prefillAttentionFixedSeconds + smoothMax(flops / (hw.peakFlops.bf16 * eff), bytes / (hw.memoryBandwidth * c.elementwiseBandwidthEfficiency), 4);
}

/**
 * Routed experts of one MoE layer (grouped gate/up GEMM, SiLU·mul, quantisation, grouped down GEMM):
 * the weights of every touched expert stream once; FLOPs are those of the routed (token, expert) pairs.
 */
export function moeExpertsSeconds(c: CostConstants, hw: HardwarePreset, expertsTouched: number, expertParams: number, expertWeightBytes: number, pairs: number, flops: number, actBytes: number): number {
  if (pairs <= 0) return 0;
  const mem = (expertsTouched * expertParams * expertWeightBytes + actBytes) / (hw.memoryBandwidth * c.moeBandwidthEfficiency);
  const peak = expertWeightBytes >= 2 ? hw.peakFlops.bf16 : expertWeightBytes >= 1 ? hw.peakFlops.fp8 : hw.peakFlops.fp4;
  return c.moeFixedSeconds + smoothMax(mem, flops / (peak * c.moeComputeEfficiency), 2);
}

/** Eager step: host issue time and GPU time overlap by `eagerLaunchOverlap` (1 = launches hide behind the GPU). */
export function eagerStepSeconds(c: CostConstants, gpuSeconds: number, numKernels: number): number {
  const host = numKernels * c.eagerPerKernelSeconds;
  return Math.max(gpuSeconds, host) + (1 - Math.min(1, c.eagerLaunchOverlap)) * Math.min(gpuSeconds, host);
}
