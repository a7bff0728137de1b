/**
 * Prices `t` tokens through a stack of layers kernel by kernel (`layer-kernels.ts`, `gpu-kernel-terms.ts`):
 * each GEMM at M = t with its own shape, the elementwise kernels by bytes, the routed experts by the
 * weights of the experts the tokens touch, the TP all-reduces over the scale-up link. Attention is
 * priced by the step-cost model, which knows each request's context.
 */
import type { HardwarePreset } from '../presets/hardware-presets';
import type { ModelPreset } from '../presets/model-presets';
import type { CostConstants } from './cost-constants';
import { elementwiseSeconds, gemmSeconds, moeExpertsSeconds } from './gpu-kernel-terms';
import { layerKernels, type KernelGroup, type LayerKernels } from './layer-kernels';
import { expectedExpertsTouched, type ModelShapes } from './model-shapes';

export interface StackCost {
  readonly gemm: number;
  readonly elementwise: number;
  readonly moe: number;
  readonly allReduce: number;
  /** Kernels launched, attention and all-reduces included. */
  readonly numKernels: number;
}

export class LayerStackPricing {
  readonly kernels: LayerKernels;
  /**
   * `stack` results by layer mix, then by token count. Pricing is a pure function of the
   * arguments (model, hardware and constants are fixed at construction), and a serving run asks
   * for the same few padded sizes thousands of times.
   */
  private readonly stackCache = new Map<string, Map<number, StackCost>>();
  private readonly lmHeadCache = new Map<number, number>();

  constructor(model: ModelPreset, private readonly hw: HardwarePreset, private readonly c: CostConstants, private readonly s: ModelShapes, kvBytesPerElement: number) {
    this.kernels = layerKernels(model, s.tp, kvBytesPerElement);
  }

  private groupSeconds(g: KernelGroup, t: number): { gemm: number; elementwise: number } {
    let gemm = 0;
    for (const k of g.gemms) gemm += gemmSeconds(this.c, this.hw, t, k.n, k.k, k.bytesPerWeight);
    const elementwise = g.numElementwiseKernels === 0 ? 0
      : g.numElementwiseKernels * this.c.elementwiseFixedSeconds + elementwiseSeconds(this.c, this.hw, t * g.elementwiseBytesPerToken) - this.c.elementwiseFixedSeconds;
    return { gemm, elementwise };
  }

  /** Routed experts of one MoE layer for `t` tokens (uniform top-k routing), routing included. */
  moeLayerSeconds(t: number): number {
    const s = this.s;
    if (s.numRoutedExperts === 0 || t <= 0) return 0;
    const touched = expectedExpertsTouched(t, s.numRoutedExperts, s.topK);
    const pairs = t * s.topK;
    const inter = s.expertParams / (3 * s.hiddenSize);
    const act = t * s.hiddenSize * 3 + pairs * (2 * inter * 2 * 2 + inter * 3 + s.hiddenSize * 2);
    return this.c.moeRoutingSeconds + moeExpertsSeconds(this.c, this.hw, touched, s.expertParams, s.expertWeightBytes, pairs, 2 * pairs * s.expertParams, act);
  }

  /** `t` tokens through `attnLayers` layers, `denseLayers` of them with a dense FFN and `moeLayers` with MoE. */
  stack(t: number, attnLayers: number, denseLayers: number, moeLayers: number, extraGemmParams = 0): StackCost {
    const mix = `${attnLayers}/${denseLayers}/${moeLayers}/${extraGemmParams}`;
    let byT = this.stackCache.get(mix);
    if (byT === undefined) this.stackCache.set(mix, byT = new Map());
    let cost = byT.get(t);
    if (cost === undefined) byT.set(t, cost = this.priceStack(t, attnLayers, denseLayers, moeLayers, extraGemmParams));
    return cost;
  }

  private priceStack(t: number, attnLayers: number, denseLayers: number, moeLayers: number, extraGemmParams: number): StackCost {
    const k = this.kernels;
    const s = this.s;
    const c = this.c;
    const at = this.groupSeconds(k.attention, t);
    const de = this.groupSeconds(k.denseFfn, t);
    const mo = this.groupSeconds(k.moe, t);
    let gemm = attnLayers * at.gemm + denseLayers * de.gemm + moeLayers * mo.gemm;
    if (extraGemmParams > 0) gemm += gemmSeconds(c, this.hw, t, s.hiddenSize, extraGemmParams / s.hiddenSize, s.weightBytes);
    const elementwise = attnLayers * at.elementwise + denseLayers * de.elementwise + moeLayers * mo.elementwise;
    const moe = moeLayers * this.moeLayerSeconds(t);
    let allReduce = 0;
    if (s.tp > 1) {
      const bytes = t * s.hiddenSize * c.activationBytes;
      const one = c.allReduceLatencySeconds + (2 * (s.tp - 1) / s.tp) * bytes / (this.hw.linkBandwidth * c.allReduceBandwidthEfficiency);
      allReduce = attnLayers * c.allReducesPerLayer * one;
    }
    const count = (g: KernelGroup) => g.gemms.length + g.numElementwiseKernels;
    const numKernels = attnLayers * (count(k.attention) + k.numAttentionKernels + (s.tp > 1 ? c.allReducesPerLayer : 0))
      + denseLayers * count(k.denseFfn) + moeLayers * (count(k.moe) + k.numMoeRoutedKernels);
    return { gemm, elementwise, moe, allReduce, numKernels };
  }

  /** Embedding gather and final norm, once per step. */
  stepElementwiseSeconds(t: number): number {
    return t > 0 ? this.c.elementwiseFixedSeconds + elementwiseSeconds(this.c, this.hw, t * this.kernels.stepElementwiseBytesPerToken) : 0;
  }

  /** One GEMM of `m` rows in the checkpoint's weight format. */
  stackGemm(m: number, n: number, k: number): number {
    return gemmSeconds(this.c, this.hw, m, n, k, this.s.weightBytes);
  }

  /** The LM head (bf16, vocab-parallel) on `numLogits` rows. */
  lmHeadSeconds(numLogits: number): number {
    if (numLogits <= 0) return 0;
    let t = this.lmHeadCache.get(numLogits);
    if (t === undefined) this.lmHeadCache.set(numLogits, t = gemmSeconds(this.c, this.hw, numLogits, this.s.lmHeadParams / this.s.hiddenSize, this.s.hiddenSize, 2));
    return t;
  }
}
