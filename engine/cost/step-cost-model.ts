/**
 * Per-step cost from the model's shapes and a hardware preset with TP (engine-semantics.md §13.5):
 * every kernel of every layer priced by its class's fitted term (GEMMs by shape, elementwise kernels
 * by bytes, decode attention by the KV it reads, prefill attention by FLOPs, routed experts by the
 * weights they touch; `layer-stack-pricing.ts`, `gpu-kernel-terms.ts`); ring all-reduce over the
 * scale-up link; the graph mode's launch overhead; sampling; the MTP drafter's `k` passes; and the
 * host time of the step (schedule, prepare inputs, update outputs). How host time combines with GPU
 * time (serial or overlapped) is `step-timing.ts`. Every constant is a field of `CostConstants`.
 */
import { EngineError } from '../base/errors';
import { hardwarePreset, type HardwarePreset } from '../presets/hardware-presets';
import { modelPreset, type ModelPreset } from '../presets/model-presets';
import { DEFAULT_COST_CONSTANTS, withCostOverrides, type CostConstants } from './cost-constants';
import { CudagraphDispatcher } from './cudagraph-dispatcher';
import { decodeAttentionSeconds, eagerStepSeconds, prefillAttentionSeconds } from './gpu-kernel-terms';
import { LayerStackPricing } from './layer-stack-pricing';
import { modelShapes, type ModelShapes } from './model-shapes';
import { backendQueryLenSupport, decodeThreshold, numDecodeRequests } from './query-len-split';
import type { CostModelOptions, CostRequest, StepCost, StepShape } from './step-cost-types';

export type { CostRequest, StepShape, GpuCost, HostCost, StepCost, CostModelOptions } from './step-cost-types';

export class RooflineCostModel {
  readonly model: ModelPreset;
  readonly hardware: HardwarePreset;
  readonly constants: CostConstants;
  readonly dispatcher: CudagraphDispatcher;
  readonly shapes: ModelShapes;
  readonly numSpecTokens: number;
  /** KV bytes per token per layer as stored (replicated on every TP rank for MLA). */
  readonly kvBytesPerToken: number;
  readonly layers: LayerStackPricing;
  private readonly indexerBytesPerToken: number;
  private readonly fp8Kv: boolean;
  private readonly kvHeadsPerGpu: number;
  private readonly decodeValueDim: number;
  /** The model runner's decode threshold: rows of at most this many tokens count as decodes. */
  readonly decodeThreshold: number;
  /** Uniform split applies (dense MLA with a `UNIFORM` backend). */
  private readonly requireUniform: boolean;

  constructor(o: CostModelOptions) {
    this.model = typeof o.model === 'string' ? modelPreset(o.model) : o.model;
    this.hardware = typeof o.hardware === 'string' ? hardwarePreset(o.hardware) : o.hardware;
    if (o.tensorParallelSize > this.hardware.maxTensorParallel) {
      throw new EngineError(
        `tensorParallelSize: ${o.tensorParallelSize} exceeds the ${this.hardware.maxTensorParallel} GPUs one ${this.hardware.name} box connects`,
        'tensorParallelSize',
      );
    }
    this.constants = withCostOverrides(DEFAULT_COST_CONSTANTS, o.constants ?? {});
    this.shapes = modelShapes(this.model, o.tensorParallelSize);
    this.numSpecTokens = o.numSpecTokens;
    this.dispatcher = new CudagraphDispatcher({ ...o, numSpecTokens: o.numSpecTokens });
    const fp8 = (o.kvCacheDtype ?? 'auto').toLowerCase().startsWith('fp8');
    const a = this.model.attention;
    if (a.kind === 'mla') {
      const fixedFormat = a.indexerTopK !== undefined; // fp8_ds_mla-style formats are fixed-size
      this.fp8Kv = fp8 || fixedFormat;
      this.kvBytesPerToken = this.fp8Kv ? a.kvBytesPerTokenFp8 : (a.kvLoraRank + a.qkRopeHeadDim) * 2;
      this.indexerBytesPerToken = a.indexerBytesPerToken ?? 0;
    } else {
      this.fp8Kv = fp8;
      this.kvBytesPerToken = 2 * Math.max(1, a.numKvHeads / o.tensorParallelSize) * a.headDim * (fp8 ? 1 : 2);
      this.indexerBytesPerToken = 0;
    }
    this.kvHeadsPerGpu = a.kind === 'mla' ? 1 : Math.max(1, a.numKvHeads / o.tensorParallelSize);
    // The width of each split's partial output: MLA's absorbed decode accumulates over the latent.
    this.decodeValueDim = a.kind === 'mla' ? a.kvLoraRank : a.headDim;
    this.layers = new LayerStackPricing(this.model, this.hardware, this.constants, this.shapes, this.fp8Kv ? 1 : 2);
    const support = backendQueryLenSupport(o.attentionBackend);
    this.decodeThreshold = decodeThreshold(support, o.numSpecTokens);
    this.requireUniform = (o.uniformQueryLenSplit ?? true) && support === 'UNIFORM' && a.kind === 'mla' && a.indexerTopK === undefined;
  }

  /**
   * Per-layer time of MLA's prefill path over cached context for requests [from, end): each
   * context token's latent is read, up-projected to `heads × (nope + v)` through `kv_b_proj` (a GEMM
   * at M = context tokens), and read again by the attention kernel; plus the path's fixed per-layer
   * kernel cost.
   */
  private mlaContextLayerSeconds(reqs: readonly CostRequest[], from: number): number {
    const a = this.model.attention;
    if (a.kind !== 'mla' || from >= reqs.length) return 0;
    let ctx = 0;
    for (let i = from; i < reqs.length; i++) ctx += reqs[i]!.numContextTokens;
    if (ctx === 0) return 0;
    const h = this.shapes.headsPerGpu;
    const c = this.constants;
    const upProject = this.layers.stackGemm(ctx, h * (a.qkNopeHeadDim + a.vHeadDim), a.kvLoraRank);
    const gather = (ctx * this.kvBytesPerToken + 2 * ctx * h * (a.qkNopeHeadDim + a.qkRopeHeadDim + a.vHeadDim) * 2) / (this.hardware.memoryBandwidth * c.elementwiseBandwidthEfficiency);
    return upProject + gather + c.mlaPrefillContextLayerSeconds;
  }

  /** Keys each query attends to at context length `ctx` (dense, DSA top-k, or V4 hybrid). */
  private attendedKeys(ctx: number): { keys: number; indexerKeys: number } {
    const a = this.model.attention;
    if (a.kind !== 'mla' || a.indexerTopK === undefined) return { keys: ctx, indexerKeys: 0 };
    if (a.slidingWindow === undefined) return { keys: Math.min(ctx, a.indexerTopK), indexerKeys: ctx };
    const f = a.csaLayerFraction ?? 0.5;
    const csa = ctx / (a.csaCompressRatio ?? 4);
    const hca = ctx / (a.hcaCompressRatio ?? 128);
    return { keys: Math.min(ctx, a.slidingWindow) + f * Math.min(csa, a.indexerTopK) + (1 - f) * hca, indexerKeys: f * csa };
  }

  /** One layer's attention: the decode path by KV bytes read, the prefill path by FLOPs. */
  private attentionLayerSeconds(d: AttnWork, scale = 1): number {
    const c = this.constants;
    const kind = this.model.attention.kind;
    let t = 0;
    if (d.decodeRows > 0) t += decodeAttentionSeconds(c, this.hardware, kind, this.fp8Kv, d.decodeBytes, d.decodeFlops * scale, d.decodeRows, d.decodeMaxKeys, this.kvHeadsPerGpu, this.shapes.headsPerGpu, this.decodeValueDim);
    if (d.prefillRows > 0) t += prefillAttentionSeconds(c, this.hardware, d.prefillFlops * scale, d.prefillBytes, d.prefillMaxTokens);
    return t;
  }

  /** The cost of one step. */
  stepCost(shape: StepShape): StepCost {
    const c = this.constants;
    const s = this.shapes;
    const reqs = shape.requests;
    const counts: number[] = [];
    for (const r of reqs) {
      const q = r.numScheduledTokens;
      if (!Number.isInteger(q) || q < 1) throw new EngineError(`numScheduledTokens: expected an integer ≥ 1, got ${q}`, 'numScheduledTokens');
      if (!(r.numContextTokens >= 0)) throw new EngineError(`numContextTokens: expected ≥ 0, got ${r.numContextTokens}`, 'numContextTokens');
      counts.push(q);
    }
    const numDecodePath = this.requireUniform ? numDecodeRequests(counts, this.decodeThreshold, true) : reqs.length;
    const w: AttnWork = { decodeMaxKeys: 0, decodeRows: 0, decodeBytes: 0, decodeFlops: 0, prefillRows: 0, prefillFlops: 0, prefillBytes: 0, prefillMaxTokens: 0 };
    let numTokens = 0, numLogits = 0, numSampling = 0, readd = 0, emittedEstimate = 0, numDecodesOnPrefillPath = 0;
    const qBytes = s.headsPerGpu * (s.decodeFlopsPerPairPerHead / 2) * 2;
    reqs.forEach((r, i) => {
      const q = r.numScheduledTokens;
      numTokens += q;
      const end = r.numContextTokens + q;
      const { keys, indexerKeys } = this.attendedKeys(end);
      const pairs = keys === end ? q * r.numContextTokens + (q * (q + 1)) / 2 : q * keys;
      // Without a uniform split the path follows the query length; with it, the batch position.
      const decodePath = this.requireUniform ? i < numDecodePath : q <= 16;
      if (!decodePath && !r.isPrefillChunk && q <= this.decodeThreshold) numDecodesOnPrefillPath++;
      const kvBytes = keys * this.kvBytesPerToken + indexerKeys * this.indexerBytesPerToken + q * this.kvBytesPerToken;
      const indexerFlops = q * indexerKeys * 64 * 128 * 2;
      if (decodePath) {
        w.decodeRows++;
        w.decodeMaxKeys = Math.max(w.decodeMaxKeys, keys);
        w.decodeBytes += kvBytes + q * qBytes;
        w.decodeFlops += pairs * s.headsPerGpu * s.decodeFlopsPerPairPerHead + indexerFlops;
      } else {
        w.prefillRows++;
        w.prefillFlops += pairs * s.headsPerGpu * s.prefillFlopsPerPairPerHead + indexerFlops;
        w.prefillBytes += kvBytes + q * qBytes;
        w.prefillMaxTokens = Math.max(w.prefillMaxTokens, q);
      }
      if (!r.isPrefillChunk) {
        numSampling += 1;
        numLogits += 1 + r.numDrafts;
        emittedEstimate += 1 + r.numDrafts;
      }
      if (r.isReadd) readd += c.readdPerRequestSeconds + c.readdPerTokenSeconds * (r.numResentTokens ?? r.numContextTokens + q);
    });
    const mlaContextPerLayer = this.requireUniform ? this.mlaContextLayerSeconds(reqs, numDecodePath) : 0;
    const graph = this.dispatcher.dispatch(counts, !shape.disallowFullGraph);
    const t = graph.numTokensPadded;
    const stack = this.layers.stack(t, s.numLayers, s.numDenseLayers, s.numMoeLayers);
    const attnPerLayer = numTokens > 0 ? this.attentionLayerSeconds(w) : 0;
    const mlaContextSeconds = s.numLayers * mlaContextPerLayer;
    const attentionSeconds = s.numLayers * attnPerLayer + mlaContextSeconds;
    const gemmSeconds = stack.gemm + this.layers.lmHeadSeconds(numLogits);
    const elementwiseSeconds = stack.elementwise + this.layers.stepElementwiseSeconds(t);
    const numKernels = stack.numKernels + 3;
    const forward = gemmSeconds + elementwiseSeconds + stack.moe + attentionSeconds + stack.allReduce;
    const launchSeconds = numTokens === 0 ? 0
      : graph.mode === 'FULL' ? c.fullGraphLaunchSeconds
        : graph.mode === 'PIECEWISE' ? s.numLayers * c.piecewisePerLayerSeconds
          : eagerStepSeconds(c, forward, numKernels) - forward;
    const samplerSeconds = numLogits > 0 ? c.samplerBaseSeconds + c.samplerPerTokenSeconds * numLogits * (this.model.vocabSize / 128_256) : 0;
    const targetSeconds = forward + launchSeconds + samplerSeconds;

    let drafterSeconds = 0;
    const passes = shape.drafterPasses ?? (s.numMtpLayers > 0 && numSampling > 0 ? this.numSpecTokens : 0);
    if (passes > 0 && s.numMtpLayers > 0) {
      for (let p = 0; p < passes; p++) {
        const tp = p === 0 ? t : numSampling;
        const st = this.layers.stack(tp, s.numMtpLayers, 0, s.numRoutedExperts > 0 ? s.numMtpLayers : 0, s.mtpExtraParams);
        const attn = this.attentionLayerSeconds(w, tp / Math.max(1, numTokens));
        // Pass 1 runs the target's row layout (padded drafter batch), so the same split applies.
        const context = p === 0 ? s.numMtpLayers * mlaContextPerLayer : 0;
        const layers = st.gemm + st.elementwise + st.moe + st.allReduce + s.numMtpLayers * attn + context;
        drafterSeconds += layers + this.layers.lmHeadSeconds(numSampling) + c.drafterPassOverheadSeconds;
      }
    }

    const n = reqs.length;
    const emitted = shape.numEmittedTokens ?? emittedEstimate;
    const scheduleSeconds = c.scheduleBaseSeconds + c.schedulePerRequestSeconds * (shape.numRunningRequests ?? n);
    const prepareSeconds = n > 0 ? c.prepareBaseSeconds + c.preparePerRequestSeconds * n + c.preparePerTokenSeconds * numTokens : 0;
    const updateSeconds = n > 0 ? c.updateBaseSeconds + c.updatePerRequestSeconds * n + c.outputPerTokenSeconds * emitted : 0;
    return {
      graph,
      numDecodePath,
      numDecodesOnPrefillPath,
      gpu: {
        gemmSeconds, elementwiseSeconds, moeSeconds: stack.moe, attentionSeconds, mlaContextSeconds, allReduceSeconds: stack.allReduce,
        launchSeconds, samplerSeconds, numKernels, targetSeconds, drafterSeconds, totalSeconds: targetSeconds + drafterSeconds,
      },
      host: {
        scheduleSeconds, prepareSeconds, readdSeconds: readd, updateSeconds, hostSyncSeconds: passes > 0 ? c.hostSyncSeconds : 0,
        totalSeconds: scheduleSeconds + prepareSeconds + readd + updateSeconds,
      },
    };
  }
}

/** One layer's attention work, split by the path the backend runs. */
interface AttnWork {
  decodeMaxKeys: number;
  decodeRows: number;
  decodeBytes: number;
  decodeFlops: number;
  prefillRows: number;
  prefillFlops: number;
  prefillBytes: number;
  prefillMaxTokens: number;
}
