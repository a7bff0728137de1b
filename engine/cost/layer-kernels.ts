/**
 * The kernels one transformer layer launches on one GPU, as vLLM runs the model (per token: GEMM
 * shapes; elementwise kernels by the bytes they move), so the cost model prices each kernel class
 * with its own fitted term (`gpu-kernel-terms.ts`) and the per-layer time floor follows from the kernel
 * count instead of one per-layer constant. Llama: fused add+RMSNorm, QKV, RoPE, K and V cache writes,
 * attention, O, add+RMSNorm, gate/up, SiLU·mul, down. DeepSeek: add+RMSNorm, fp8 quant, fused
 * q_a/kv_a, q/kv norms, q_b, absorbed W_UK and W_UV (bf16), RoPE, latent cache write, attention, O;
 * then a dense FFN or router, routed experts and the shared expert.
 */
import type { ModelPreset } from '../presets/model-presets';

export interface GemmKernel {
  readonly name: string;
  readonly n: number;
  readonly k: number;
  readonly bytesPerWeight: number;
}

export interface KernelGroup {
  readonly gemms: readonly GemmKernel[];
  /** Bytes per token all elementwise kernels of the group move (read + written). */
  readonly elementwiseBytesPerToken: number;
  readonly numElementwiseKernels: number;
}

export interface LayerKernels {
  readonly attention: KernelGroup;
  readonly denseFfn: KernelGroup;
  /** Shared expert, router GEMM and the MoE block's norm/quantisation (routed experts are priced apart). */
  readonly moe: KernelGroup;
  /** Kernels of the routed-expert path and routing (top-k, align, grouped GEMMs, SiLU·mul, quant, combine). */
  readonly numMoeRoutedKernels: number;
  /** Kernels of decode attention (split-KV + reduce). */
  readonly numAttentionKernels: number;
  /** Once per step: embedding gather and final norm bytes per token. */
  readonly stepElementwiseBytesPerToken: number;
}

const group = (gemms: GemmKernel[], bytes: number[]): KernelGroup => ({
  gemms, elementwiseBytesPerToken: bytes.reduce((a, b) => a + b, 0), numElementwiseKernels: bytes.length,
});

export function layerKernels(model: ModelPreset, tp: number, kvBytesPerElement: number): LayerKernels {
  const h = model.hiddenSize;
  const a = model.attention;
  const wb = model.weightBytes;
  const fp8 = wb < 2;
  const quant = (width: number) => (fp8 ? [3 * width] : []);
  const norm = 8 * h; // residual add + RMSNorm: read x and residual, write both (bf16)
  let attention: KernelGroup;
  if (a.kind === 'gqa') {
    const hq = a.numHeads / tp;
    const hkv = Math.max(1, a.numKvHeads / tp);
    const d = a.headDim;
    const cacheWrite = (2 + kvBytesPerElement) * hkv * d;
    attention = group(
      [{ name: 'qkv_proj', n: (hq + 2 * hkv) * d, k: h, bytesPerWeight: wb }, { name: 'o_proj', n: h, k: hq * d, bytesPerWeight: wb }],
      [norm, 4 * (hq + hkv) * d, cacheWrite, cacheWrite],
    );
  } else {
    const hq = a.numHeads / tp;
    const qk = a.qkNopeHeadDim + a.qkRopeHeadDim;
    const oParams = a.oLoraRank ? a.numHeads * a.vHeadDim * a.oLoraRank / 8 + a.oLoraRank * h : a.numHeads * a.vHeadDim * h;
    const gemms: GemmKernel[] = [
      { name: 'fused_qkv_a_proj', n: a.qLoraRank + a.kvLoraRank + a.qkRopeHeadDim, k: h, bytesPerWeight: wb },
      { name: 'q_b_proj', n: hq * qk, k: a.qLoraRank, bytesPerWeight: wb },
      { name: 'W_UK (absorbed)', n: hq * a.kvLoraRank, k: a.qkNopeHeadDim, bytesPerWeight: 2 },
      { name: 'W_UV (absorbed)', n: hq * a.vHeadDim, k: a.kvLoraRank, bytesPerWeight: 2 },
      { name: 'o_proj', n: h, k: oParams / tp / h, bytesPerWeight: wb },
    ];
    if (a.indexerTopK !== undefined) {
      gemms.push({ name: 'indexer wq_b', n: 64 * 128, k: a.qLoraRank, bytesPerWeight: wb }, { name: 'indexer wk', n: 128, k: h, bytesPerWeight: wb });
    }
    const latent = a.kvLoraRank + a.qkRopeHeadDim;
    attention = group(gemms, [
      norm, ...quant(h), 4 * a.qLoraRank, 4 * a.kvLoraRank, ...quant(a.qLoraRank),
      4 * (hq + 1) * a.qkRopeHeadDim, 2 * latent + latent * kvBytesPerElement, ...quant(hq * a.vHeadDim),
    ]);
  }
  const dI = model.denseIntermediateSize / tp;
  const denseFfn = group(
    [{ name: 'gate_up_proj', n: 2 * dI, k: h, bytesPerWeight: wb }, { name: 'down_proj', n: h, k: dI, bytesPerWeight: wb }],
    [norm, ...quant(h), 6 * dI, ...quant(dI)],
  );
  const moeCfg = model.moe;
  const eI = moeCfg ? (moeCfg.expertIntermediateSize * moeCfg.numSharedExperts) / tp : 0;
  const moe = moeCfg
    ? group(
      [
        { name: 'router', n: moeCfg.numRoutedExperts, k: h, bytesPerWeight: 2 },
        ...(eI > 0 ? [{ name: 'shared gate_up', n: 2 * eI, k: h, bytesPerWeight: wb }, { name: 'shared down', n: h, k: eI, bytesPerWeight: wb }] : []),
      ],
      [norm, ...quant(h), ...(eI > 0 ? [6 * eI, ...quant(eI)] : [])],
    )
    : group([], []);
  return {
    attention, denseFfn, moe,
    // top-k, align (≈ 5 small kernels), quant, grouped gate/up, SiLU·mul, quant, grouped down, combine.
    numMoeRoutedKernels: moeCfg ? 11 : 0,
    numAttentionKernels: 2,
    stepElementwiseBytesPerToken: 4 * h + norm,
  };
}
