/**
 * The shape of a calibration run's measurements, as `fixtures/calibration/h100/measure.py` writes them
 * (renamed to camelCase and stripped of failed points by `fixtures/calibration/h100/generate-ts.mjs`).
 * Every time is the median GPU time in µs of CUDA-graph replays (eager where named so).
 */

export interface GemmPoint { readonly model: string; readonly layer: string; readonly dtype: 'bf16' | 'fp8'; readonly M: number; readonly N: number; readonly K: number; readonly us: number }

export interface DecodeAttentionPoint {
  readonly config: string;
  readonly kind: 'gqa' | 'mla';
  readonly dtype: 'bf16' | 'fp8';
  readonly batch: number;
  readonly ctx: number;
  /** KV bytes the kernel must read (K and V, or the shared MLA latent). */
  readonly kvBytes: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly us: number;
}

export interface PrefillAttentionPoint { readonly config: string; readonly tokens: number; readonly qHeads: number; readonly kvHeads: number; readonly dQk: number; readonly dV: number; readonly flops: number; readonly us: number }

export interface ElementwisePoint { readonly kernel: string; readonly tokens: number; readonly hidden: number; readonly bytes: number; readonly us: number }

export interface SamplingPoint { readonly method: 'greedy' | 'random' | 'top_k_top_p'; readonly batch: number; readonly vocab: number; readonly usEager: number; readonly usGraph: number; readonly hostUs: number }

export interface MoePoint {
  readonly model: string;
  readonly tokens: number;
  readonly experts: number;
  readonly topk: number;
  readonly hidden: number;
  readonly inter: number;
  readonly expertsTouched: number;
  /** Router GEMM, top-k, align, quantisation, both grouped GEMMs, SiLU·mul, combine. */
  readonly usLayer: number;
  /** The grouped GEMMs with SiLU·mul and the activation quantisation between them. */
  readonly usExperts: number;
}

export interface DenseStepPoint {
  readonly phase: 'decode' | 'prefill';
  readonly mode: 'graph' | 'eager';
  readonly batch: number;
  /** Keys per request including the new token (decode); 0 for prefill. */
  readonly ctx: number;
  readonly tokens: number;
  readonly us: number;
  /** Eager only: host time to issue the step's launches. */
  readonly hostUs?: number;
}

export interface LaunchCosts {
  /** Per kernel, 200 tiny kernels in one graph (GPU floor plus the gap between graph nodes). */
  readonly graphTorchAddUs: number;
  readonly graphTritonRmsnormUs: number;
  /** Per kernel, eager: GPU-stream time and host issue time. */
  readonly eagerTorchAddGpuUs: number;
  readonly eagerTorchAddHostUs: number;
  readonly eagerTritonGpuUs: number;
  readonly eagerTritonHostUs: number;
  readonly graphReplayOneKernelGpuUs: number;
  readonly graphReplayHostUs: number;
}

export interface CalibrationMeta {
  readonly gpuName: string;
  readonly smCount: number;
  readonly torch: string;
  readonly triton: string;
  readonly cuda: string;
  readonly clocks: Readonly<Record<string, string>>;
  readonly started: string;
  readonly script: string;
}

export interface CalibrationMeasurements {
  readonly meta: CalibrationMeta;
  readonly ceilings: { readonly copyBytesPerS: number; readonly bf16GemmFlopsPerS: number; readonly fp8GemmFlopsPerS: number };
  readonly launch: LaunchCosts;
  readonly gemm: readonly GemmPoint[];
  readonly decodeAttention: readonly DecodeAttentionPoint[];
  readonly prefillAttention: readonly PrefillAttentionPoint[];
  readonly elementwise: readonly ElementwisePoint[];
  readonly sampling: readonly SamplingPoint[];
  readonly moe: readonly MoePoint[];
  readonly denseStep: readonly DenseStepPoint[];
}
