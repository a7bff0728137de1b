/**
 * Every constant of the step-cost model, named, and overridable
 * (`withCostOverrides(DEFAULT_COST_CONSTANTS, { piecewisePerLayerSeconds: 60e-6 })`). The kernel-class
 * constants are fitted to H100 measurements committed under fixtures/calibration/h100/ (the fitted
 * values arrive through the generated module beside calibrated-constants.ts); the rest are sourced or
 * assumed. `COST_CONSTANT_PROVENANCE` (cost-provenance.ts) tags each one.
 */
import { EngineError } from '../base/errors';
import { H100_FITTED_CONSTANTS } from './calibration/h100-measurements.generated';

export interface CostConstants {
  // --- Kernel classes (gpu-kernel-terms.ts), fitted on an H100: calibrated-constants.ts, cost-provenance.ts ---
  /** bf16 GEMM: fraction of peak HBM bandwidth the weight stream reaches (small M). */
  readonly memoryBandwidthEfficiency: number;
  /** bf16 GEMM: fraction of dense peak FLOP/s at large M. */
  readonly gemmComputeEfficiency: number;
  /** bf16 GEMM: fixed time per GEMM inside a graph, seconds. */
  readonly gemmFixedSeconds: number;
  /** bf16 GEMM: rows a tile computes even when M is smaller (tensor-core tile height). */
  readonly gemmMinRows: number;
  /** bf16 GEMM: sharpness `s` of the memory/compute combination `(m^s + c^s)^(1/s)` near the ridge. */
  readonly gemmSharpness: number;
  readonly fp8GemmMemoryEfficiency: number;
  readonly fp8GemmComputeEfficiency: number;
  readonly fp8GemmFixedSeconds: number;
  readonly fp8GemmMinRows: number;
  readonly fp8GemmSharpness: number;
  /** Prefill (flash) attention: fraction of bf16 peak FLOP/s at long sequences. */
  readonly attentionComputeEfficiency: number;
  /** Prefill attention: sequence length at which the efficiency is half its long-sequence value. */
  readonly prefillAttentionHalfTokens: number;
  readonly prefillAttentionFixedSeconds: number;
  /** Decode attention: fixed time per layer (split-KV kernel + reduce), GQA and MLA, seconds. */
  readonly gqaDecodeFixedSeconds: number;
  readonly mlaDecodeFixedSeconds: number;
  /** Decode attention: fraction of peak HBM bandwidth the KV read reaches, by layout and cache dtype. */
  readonly gqaKvReadEfficiency: number;
  readonly gqaKvReadEfficiencyFp8: number;
  readonly mlaKvReadEfficiency: number;
  readonly mlaKvReadEfficiencyFp8: number;
  /** Decode attention: split-KV programs resident per SM (one wave = this × SMs programs). */
  readonly gqaDecodeProgramsPerSm: number;
  readonly mlaDecodeProgramsPerSm: number;
  /** Decode attention: time per key one split-KV program walks (bounds small batches), seconds. */
  readonly gqaDecodeSecondsPerSplitKey: number;
  readonly mlaDecodeSecondsPerSplitKey: number;
  /** ... with an fp8 cache, whose programs also dequantise every key they walk. */
  readonly gqaDecodeSecondsPerSplitKeyFp8: number;
  readonly mlaDecodeSecondsPerSplitKeyFp8: number;
  /** Decode attention: sharpness of the combination of memory, compute and chain times. */
  readonly decodeAttentionSharpness: number;
  readonly mlaDecodeSharpness: number;
  /** Norms, RoPE, SiLU·mul, KV writes, quantisation, embedding: fixed time per kernel, seconds. */
  readonly elementwiseFixedSeconds: number;
  /** ... and the fraction of peak HBM bandwidth their bytes move at. */
  readonly elementwiseBandwidthEfficiency: number;
  /** Routed experts (grouped GEMMs + SiLU·mul + quantisation) fixed time per layer, seconds. */
  readonly moeFixedSeconds: number;
  readonly moeBandwidthEfficiency: number;
  readonly moeComputeEfficiency: number;
  /** Router top-k, token sorting/alignment and the weighted combine per MoE layer, seconds. */
  readonly moeRoutingSeconds: number;
  // --- Collectives ---
  /** Fixed latency of one NCCL all-reduce on NVLink, seconds. Assumption (small-message NCCL ≈ 5–15 µs). */
  readonly allReduceLatencySeconds: number;
  /** Fraction of the per-direction link bandwidth a ring all-reduce achieves. Assumption. */
  readonly allReduceBandwidthEfficiency: number;
  /** All-reduces per transformer layer under TP (after attention and after the FFN/MoE): vLLM's layer structure. */
  readonly allReducesPerLayer: number;
  /** Bytes per activation element on the wire (bf16 hidden states). */
  readonly activationBytes: number;
  // --- Graph-mode launch overhead ---
  /** One FULL-graph replay, seconds. Assumption (cudaGraphLaunch ≈ 10–30 µs). */
  readonly fullGraphLaunchSeconds: number;
  /**
   * PIECEWISE: extra time per layer for eager attention between graph pieces (Python wrapper,
   * metadata, kernel launches, piece launch), seconds. Calibrated so that PIECEWISE → FULL gives the
   * ≈ 10–14 % TPOT gain measured in vLLM PRs #42885 and #20059.
   */
  readonly piecewisePerLayerSeconds: number;
  /** NONE (eager): host time to issue one kernel launch from Python, seconds. */
  readonly eagerPerKernelSeconds: number;
  /** NONE (eager): how far host issue time hides behind GPU time (1 = fully: max; 0 = additive). */
  readonly eagerLaunchOverlap: number;
  /**
   * MLA prefill path over cached context (`query-len-split.ts`): fixed GPU time per layer when any
   * request with context takes it — the context gather and fp8 dequantisation, the `kv_b_proj`
   * up-projection GEMM, attention over the context with its LSE, attention over the new tokens and
   * the LSE merge, each its own kernel (vLLM `_compute_prefill_context`), seconds. Assumption (five
   * launches of ≈ 5–10 µs each); the data-dependent part is priced by the roofline.
   */
  readonly mlaPrefillContextLayerSeconds: number;
  // --- Sampling and verification ---
  /** Sampler + rejection sampler per step, fixed part, seconds. Order of magnitude: vllm-ascend PR #5259 (8–20 µs kernel at batch 256) plus launches. */
  readonly samplerBaseSeconds: number;
  /** Sampler time per sampled position, seconds. Assumption. */
  readonly samplerPerTokenSeconds: number;
  // --- Drafter (MTP) ---
  /** Launch overhead per drafter pass: the drafter uses PIECEWISE graphs only (§9.1), so one eager attention per MTP layer plus piece launches. */
  readonly drafterPassOverheadSeconds: number;
  // --- Host time (engine-core process + worker input preparation) ---
  /** `schedule()` fixed cost, seconds. simllm PR #204 (order of magnitude). */
  readonly scheduleBaseSeconds: number;
  /**
   * `schedule()` per running request, seconds. simllm PR #204 (hardware-and-models.md §4.1) gives
   * ~541 µs per whole engine step amortised over a 128-request workload; minus `update_from_output`
   * at batch 128 (0.142 ms, vLLM PR #46112) and `scheduleBaseSeconds` that leaves
   * (541 − 142 − 150) / 128 ≈ 2 µs per request. The same study's "~12.7 µs/request at the cap"
   * cannot be reconciled with its own per-step total (128 × 12.7 µs > 541 µs) and the run was
   * flagged void, so the per-step total is the anchor used.
   */
  readonly schedulePerRequestSeconds: number;
  /**
   * Worker input preparation fixed cost (block tables, attention metadata build), seconds. Set so
   * that, with the pre-calibration 260 µs per-layer floor, the #24799 → #32951 change at concurrency 1 (DeepSeek-V3.2, MTP
   * k = 1) lowers TPOT by ~2 % in the model (measured: 3 %, 9.19 → 8.90 ms, PR #32951).
   */
  readonly prepareBaseSeconds: number;
  /**
   * Input preparation per scheduled request, seconds. No direct measurement; vLLM builds inputs
   * with vectorised array ops over a persistent batch, so the per-request part is small. Set (with
   * `preparePerTokenSeconds` and `outputPerTokenSeconds`) so that the model's whole-run gain of
   * async over sync scheduling at maximum throughput (DeepSeek-R1, 8×B200, concurrency 256, MTP 3,
   * current vLLM) is ≈ 6 %, near the few-percent overlap gains measured at max throughput
   * (hardware-and-models.md §4.3: TRT-LLM overlap scheduler +4 % E2E; vLLM EAGLE + async −3.4 %
   * TPOT, PR #25872). The earlier 6 µs/request (with 12.7 µs/request scheduling) made that gain
   * ≈ 21 %, far above any measured overlap gain.
   */
  readonly preparePerRequestSeconds: number;
  /** Input preparation per scheduled token, seconds. Calibrated with `preparePerRequestSeconds`. */
  readonly preparePerTokenSeconds: number;
  /** `update_from_output` fixed cost, seconds. Assumption. */
  readonly updateBaseSeconds: number;
  /** `update_from_output` per request, seconds: 0.287 ms at batch 256 ≈ 1.1 µs/request, vLLM PR #46112. */
  readonly updatePerRequestSeconds: number;
  /**
   * Output processing per emitted token (per-token stop checks, appending), seconds. Calibrated with
   * `preparePerRequestSeconds`; keeps `update_from_output` at batch 256 with ~2.9 tokens/request
   * (≈ 0.48 ms) the same order as the measured 0.287 ms without speculation (PR #46112).
   */
  readonly outputPerTokenSeconds: number;
  /**
   * Re-adding a request absent from the previous step (`all_token_ids` resent, worker rebuilds its
   * row): fixed part per request, seconds. Assumption (the §11.7 `unscheduledReaddCost`).
   */
  readonly readdPerRequestSeconds: number;
  /** Re-add cost per token of the resent token list, seconds. Assumption. */
  readonly readdPerTokenSeconds: number;
  /** Device→host sync on accepted counts under #24799 (event wait + copy), seconds. Assumption. */
  readonly hostSyncSeconds: number;
}

/** The constants no single-GPU measurement reaches: sourced or assumed (cost-provenance.ts says which and why). */
export const UNMEASURED_COST_CONSTANTS = {
  allReduceLatencySeconds: 10e-6,
  allReduceBandwidthEfficiency: 0.7,
  allReducesPerLayer: 2,
  activationBytes: 2,
  piecewisePerLayerSeconds: 50e-6,
  mlaPrefillContextLayerSeconds: 40e-6,
  drafterPassOverheadSeconds: 120e-6,
  scheduleBaseSeconds: 150e-6,
  schedulePerRequestSeconds: 2e-6,
  prepareBaseSeconds: 650e-6,
  preparePerRequestSeconds: 0.5e-6,
  preparePerTokenSeconds: 0.1e-6,
  updateBaseSeconds: 50e-6,
  updatePerRequestSeconds: 1.1e-6,
  outputPerTokenSeconds: 0.2e-6,
  readdPerRequestSeconds: 60e-6,
  readdPerTokenSeconds: 0.05e-6,
  hostSyncSeconds: 40e-6,
} as const satisfies Partial<CostConstants>;

/** The constants fitted to the committed H100 measurements (calibrated-constants.ts), then the rest. */
export const DEFAULT_COST_CONSTANTS: CostConstants = { ...H100_FITTED_CONSTANTS, ...UNMEASURED_COST_CONSTANTS };

/** A copy of `base` with named constants replaced; an unknown name or a negative value throws. */
export function withCostOverrides(base: CostConstants, overrides: Partial<Record<keyof CostConstants, number>>): CostConstants {
  const out: Record<string, number> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in base)) {
      throw new EngineError(`cost constant: unknown name '${key}'; known: ${Object.keys(base).join(', ')}`, key);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new EngineError(`cost constant ${key}: expected a finite number ≥ 0, got ${value}`, key);
    }
    out[key] = value;
  }
  return out as unknown as CostConstants;
}
