/**
 * Where each cost constant comes from: measured (on which GPU, by which committed script, which
 * kernel-class fit), sourced (which public figure), or assumed (with the range and why). A fitted
 * constant counts as measured only when the committed run holds points for its term; with none it
 * falls back to its starting value and says so.
 */
import type { CostConstants } from './cost-constants';
import { H100_MEASUREMENTS } from './calibration/h100-measurements.generated';

export type ProvenanceKind = 'measured' | 'sourced' | 'assumed';

export interface Provenance {
  readonly kind: ProvenanceKind;
  /** The fit (measured), the source (sourced) or the reasoning (assumed). */
  readonly detail: string;
  /** Plausible range for assumed constants. */
  readonly range?: readonly [number, number];
}

const SCRIPT = 'fixtures/calibration/h100/measure.py';

/** The kernel-class term each fitted constant belongs to, and which measured section feeds it. */
export const FITTED_TERMS: Readonly<Record<string, { readonly term: string; readonly section: keyof typeof H100_MEASUREMENTS }>> = {
  memoryBandwidthEfficiency: { term: 'gemm bf16', section: 'gemm' }, gemmComputeEfficiency: { term: 'gemm bf16', section: 'gemm' },
  gemmFixedSeconds: { term: 'gemm bf16', section: 'gemm' }, gemmMinRows: { term: 'gemm bf16', section: 'gemm' }, gemmSharpness: { term: 'gemm bf16', section: 'gemm' },
  fp8GemmMemoryEfficiency: { term: 'gemm fp8', section: 'gemm' }, fp8GemmComputeEfficiency: { term: 'gemm fp8', section: 'gemm' },
  fp8GemmFixedSeconds: { term: 'gemm fp8', section: 'gemm' }, fp8GemmMinRows: { term: 'gemm fp8', section: 'gemm' }, fp8GemmSharpness: { term: 'gemm fp8', section: 'gemm' },
  attentionComputeEfficiency: { term: 'prefill attention', section: 'prefillAttention' },
  prefillAttentionHalfTokens: { term: 'prefill attention', section: 'prefillAttention' },
  prefillAttentionFixedSeconds: { term: 'prefill attention', section: 'prefillAttention' },
  gqaDecodeFixedSeconds: { term: 'decode attention gqa', section: 'decodeAttention' }, gqaKvReadEfficiency: { term: 'decode attention gqa', section: 'decodeAttention' },
  gqaKvReadEfficiencyFp8: { term: 'decode attention gqa', section: 'decodeAttention' },
  mlaDecodeFixedSeconds: { term: 'decode attention mla', section: 'decodeAttention' }, mlaKvReadEfficiency: { term: 'decode attention mla', section: 'decodeAttention' },
  mlaKvReadEfficiencyFp8: { term: 'decode attention mla', section: 'decodeAttention' },
  gqaDecodeProgramsPerSm: { term: 'decode attention gqa', section: 'decodeAttention' }, gqaDecodeSecondsPerSplitKey: { term: 'decode attention gqa', section: 'decodeAttention' },
  decodeAttentionSharpness: { term: 'decode attention gqa', section: 'decodeAttention' }, mlaDecodeSharpness: { term: 'decode attention mla', section: 'decodeAttention' },
  mlaDecodeProgramsPerSm: { term: 'decode attention mla', section: 'decodeAttention' }, mlaDecodeSecondsPerSplitKey: { term: 'decode attention mla', section: 'decodeAttention' },
  gqaDecodeSecondsPerSplitKeyFp8: { term: 'decode attention gqa', section: 'decodeAttention' }, mlaDecodeSecondsPerSplitKeyFp8: { term: 'decode attention mla', section: 'decodeAttention' },
  elementwiseFixedSeconds: { term: 'elementwise', section: 'elementwise' }, elementwiseBandwidthEfficiency: { term: 'elementwise', section: 'elementwise' },
  moeFixedSeconds: { term: 'moe experts', section: 'moe' }, moeBandwidthEfficiency: { term: 'moe experts', section: 'moe' },
  moeComputeEfficiency: { term: 'moe experts', section: 'moe' }, moeRoutingSeconds: { term: 'moe routing', section: 'moe' },
  samplerBaseSeconds: { term: 'sampler (top-k/top-p, eager)', section: 'sampling' }, samplerPerTokenSeconds: { term: 'sampler (top-k/top-p, eager)', section: 'sampling' },
  fullGraphLaunchSeconds: { term: 'dense step (one CUDA graph)', section: 'denseStep' },
  eagerPerKernelSeconds: { term: 'dense step (eager)', section: 'denseStep' }, eagerLaunchOverlap: { term: 'dense step (eager)', section: 'denseStep' },
};

const UNMEASURED: Readonly<Record<string, Provenance>> = {
  allReduceLatencySeconds: { kind: 'assumed', detail: 'small-message NCCL all-reduce on NVLink; one GPU cannot measure it', range: [5e-6, 15e-6] },
  allReduceBandwidthEfficiency: { kind: 'assumed', detail: 'ring all-reduce busbw / link bandwidth; one GPU cannot measure it', range: [0.5, 0.85] },
  allReducesPerLayer: { kind: 'sourced', detail: "vLLM's layer structure: after attention and after the FFN/MoE" },
  activationBytes: { kind: 'sourced', detail: 'bf16 hidden states on the wire' },
  piecewisePerLayerSeconds: { kind: 'sourced', detail: 'PIECEWISE → FULL TPOT gain of 10–14 % (vLLM PRs #42885, #20059)' },
  mlaPrefillContextLayerSeconds: { kind: 'assumed', detail: 'five extra launches of MLA _compute_prefill_context', range: [20e-6, 60e-6] },
  drafterPassOverheadSeconds: { kind: 'assumed', detail: 'drafter runs PIECEWISE graphs: eager attention per MTP layer plus piece launches', range: [60e-6, 200e-6] },
  scheduleBaseSeconds: { kind: 'sourced', detail: 'simllm PR #204 (order of magnitude)' },
  schedulePerRequestSeconds: { kind: 'sourced', detail: 'simllm PR #204 per-step total less update_from_output (vLLM PR #46112)' },
  prepareBaseSeconds: { kind: 'sourced', detail: 'set against the 3 % TPOT change of vLLM PR #32951' },
  preparePerRequestSeconds: { kind: 'assumed', detail: 'vectorised input prep; set so async vs sync at max throughput ≈ +6 % (§4.3)', range: [0.2e-6, 2e-6] },
  preparePerTokenSeconds: { kind: 'assumed', detail: 'set with preparePerRequestSeconds', range: [0.05e-6, 0.5e-6] },
  updateBaseSeconds: { kind: 'assumed', detail: 'update_from_output fixed part', range: [20e-6, 100e-6] },
  updatePerRequestSeconds: { kind: 'sourced', detail: 'update_from_output 0.287 ms at batch 256 (vLLM PR #46112)' },
  outputPerTokenSeconds: { kind: 'assumed', detail: 'per emitted token stop checks; keeps update at batch 256 near PR #46112', range: [0.1e-6, 0.5e-6] },
  readdPerRequestSeconds: { kind: 'assumed', detail: 'engine-semantics §11.7 unscheduledReaddCost', range: [20e-6, 120e-6] },
  readdPerTokenSeconds: { kind: 'assumed', detail: 'resent token list per token', range: [0.02e-6, 0.2e-6] },
  hostSyncSeconds: { kind: 'assumed', detail: 'event wait + copy of accepted counts under #24799', range: [20e-6, 80e-6] },
};

/** The provenance of one constant under the committed measurements. */
export function costConstantProvenance(name: keyof CostConstants): Provenance {
  const fitted = FITTED_TERMS[name];
  if (fitted) {
    const section = H100_MEASUREMENTS[fitted.section];
    const n = Array.isArray(section) ? section.length : 0;
    if (n > 0) {
      return { kind: 'measured', detail: `${H100_MEASUREMENTS.meta.gpuName}, ${SCRIPT} (${n} points), term '${fitted.term}' fitted on the fitted half` };
    }
    return { kind: 'assumed', detail: `no committed measurement for term '${fitted.term}' yet: starting value of the fit`, range: [0, Infinity] };
  }
  const p = UNMEASURED[name];
  if (!p) return { kind: 'assumed', detail: 'no provenance recorded' };
  return p;
}

/** Every constant's provenance, in `CostConstants` order. */
export function costConstantsProvenance(c: CostConstants): Record<keyof CostConstants, Provenance> {
  return Object.fromEntries(Object.keys(c).map((k) => [k, costConstantProvenance(k as keyof CostConstants)])) as Record<keyof CostConstants, Provenance>;
}
