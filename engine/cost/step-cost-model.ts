/**
 * Per-step cost from the model's shapes and a hardware preset with TP (engine-semantics.md §13.5):
 * roofline time (max of compute and memory time) for the dense GEMMs, the routed experts and
 * attention; ring all-reduce over the scale-up link; the graph mode's launch overhead; sampling;
 * the MTP drafter's `k` passes; and the host time of the step (schedule, prepare inputs, update
 * outputs). How host time combines with GPU time (serial or overlapped) is `step-timing.ts`.
 * Every constant is a field of `CostConstants`.
 */
import { EngineError } from '../base/errors';
import { hardwarePreset, type HardwarePreset } from '../presets/hardware-presets';
import { modelPreset, type ModelPreset } from '../presets/model-presets';
import { DEFAULT_COST_CONSTANTS, withCostOverrides, type CostConstants } from './cost-constants';
import { CudagraphDispatcher, type CudagraphDispatcherOptions, type GraphDispatch } from './cudagraph-dispatcher';
import { expectedExpertsTouched, modelShapes, type ModelShapes } from './model-shapes';
import { backendQueryLenSupport, decodeThreshold, numDecodeRequests } from './query-len-split';

/** One scheduled request as the cost model sees it. */
export interface CostRequest {
  /** Tokens run this step (`q`). */
  readonly numScheduledTokens: number;
  /** Tokens already in the KV cache before this step (`c`). */
  readonly numContextTokens: number;
  /** Drafts verified this step (0 for prefill chunks and plain decodes). */
  readonly numDrafts: number;
  /** A non-final prefill chunk samples nothing. */
  readonly isPrefillChunk?: boolean;
  /** Absent from the previous step: re-added with its full token list (`numResentTokens`). */
  readonly isReadd?: boolean;
  readonly numResentTokens?: number;
}

export interface StepShape {
  /** In the model runner's batch order (decode → extend → prefill; see `PersistentBatchOrder`). */
  readonly requests: readonly CostRequest[];
  /** Requests in the running queue when `schedule()` ran (default: the scheduled ones). */
  readonly numRunningRequests?: number;
  /** Tokens emitted to clients by this step's output (default: 1 + drafts per sampling request). */
  readonly numEmittedTokens?: number;
  /** Drafter work: passes and tokens (default: `k` passes when any request samples and MTP is on). */
  readonly drafterPasses?: number;
  /** FULL disallowed this step (cascade attention, encoder outputs). */
  readonly disallowFullGraph?: boolean;
}

export interface GpuCost {
  /** Extra time when the layers' roofline total is below the per-layer latency floor (small batches). */
  readonly latencyFloorSeconds: number;
  readonly gemmSeconds: number;
  readonly moeSeconds: number;
  readonly attentionSeconds: number;
  /**
   * MLA's prefill path for requests with cached context (included in `attentionSeconds`): the
   * context is gathered and up-projected through `kv_b_proj` in every layer.
   */
  readonly mlaContextSeconds: number;
  readonly allReduceSeconds: number;
  readonly launchSeconds: number;
  readonly samplerSeconds: number;
  /** Target forward + sampling. */
  readonly targetSeconds: number;
  readonly drafterSeconds: number;
  readonly totalSeconds: number;
}

export interface HostCost {
  readonly scheduleSeconds: number;
  readonly prepareSeconds: number;
  readonly readdSeconds: number;
  readonly updateSeconds: number;
  /** Accepted-count device→host wait (counted only under the #24799 async toggle). */
  readonly hostSyncSeconds: number;
  /** schedule + prepare + readd + update. */
  readonly totalSeconds: number;
}

export interface StepCost {
  readonly graph: GraphDispatch;
  /** Requests the attention backend runs on its decode path (the rest take the prefill path). */
  readonly numDecodePath: number;
  /** Decoding requests (not prefill chunks) pushed onto the prefill path by a uniform split. */
  readonly numDecodesOnPrefillPath: number;
  readonly gpu: GpuCost;
  readonly host: HostCost;
}

export interface CostModelOptions extends Omit<CudagraphDispatcherOptions, 'numSpecTokens'> {
  readonly model: ModelPreset | string;
  readonly hardware: HardwarePreset | string;
  readonly tensorParallelSize: number;
  /** `k` (0 = no speculation). */
  readonly numSpecTokens: number;
  /** vLLM's `--kv-cache-dtype`: `fp8*` stores 1 byte per element; `auto`/`bfloat16` 2. */
  readonly kvCacheDtype?: string;
  readonly constants?: Partial<Record<keyof CostConstants, number>>;
  /**
   * Apply the attention backend's uniform query-length split (vLLM behaviour, default true): with a
   * `UNIFORM` backend, the first request whose length differs from the first one's, and all after
   * it, take the prefill path. false models a backend that accepts mixed lengths (`VARLEN`).
   */
  readonly uniformQueryLenSplit?: boolean;
}

export class RooflineCostModel {
  readonly model: ModelPreset;
  readonly hardware: HardwarePreset;
  readonly constants: CostConstants;
  readonly dispatcher: CudagraphDispatcher;
  readonly shapes: ModelShapes;
  readonly numSpecTokens: number;
  /** KV bytes per token per layer as stored (replicated on every TP rank for MLA). */
  readonly kvBytesPerToken: number;
  private readonly indexerBytesPerToken: number;
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
      this.kvBytesPerToken = fp8 || fixedFormat ? a.kvBytesPerTokenFp8 : (a.kvLoraRank + a.qkRopeHeadDim) * 2;
      this.indexerBytesPerToken = a.indexerBytesPerToken ?? 0;
    } else {
      this.kvBytesPerToken = 2 * Math.max(1, a.numKvHeads / o.tensorParallelSize) * a.headDim * (fp8 ? 1 : 2);
      this.indexerBytesPerToken = 0;
    }
    const support = backendQueryLenSupport(o.attentionBackend);
    this.decodeThreshold = decodeThreshold(support, o.numSpecTokens);
    this.requireUniform = (o.uniformQueryLenSplit ?? true) && support === 'UNIFORM' && a.kind === 'mla' && a.indexerTopK === undefined;
  }

  /**
   * Per-layer time of MLA's prefill path over cached context for requests [from, end): each
   * context token's latent is read, up-projected to `heads × (nope + v)` in bf16, and read again by
   * the attention kernel; plus the path's fixed per-layer kernel cost.
   */
  private mlaContextLayerSeconds(reqs: readonly CostRequest[], from: number): number {
    const a = this.model.attention;
    if (a.kind !== 'mla' || from >= reqs.length) return 0;
    let ctx = 0;
    for (let i = from; i < reqs.length; i++) ctx += reqs[i]!.numContextTokens;
    if (ctx === 0) return 0;
    const h = this.shapes.headsPerGpu;
    const flops = 2 * ctx * a.kvLoraRank * h * (a.qkNopeHeadDim + a.vHeadDim);
    const bytes = ctx * this.kvBytesPerToken + 2 * ctx * h * (a.qkNopeHeadDim + a.qkRopeHeadDim + a.vHeadDim) * 2;
    // kv_b_proj runs in the checkpoint's weight format (block fp8 for R1-FP8), like the other projections.
    return this.roofline(flops, bytes, this.peakFor(this.shapes.weightBytes), this.constants.gemmComputeEfficiency) + this.constants.mlaPrefillContextLayerSeconds;
  }

  private roofline(flops: number, bytes: number, peakFlops: number, computeEff: number): number {
    const c = this.constants;
    return Math.max(flops / (peakFlops * computeEff), bytes / (this.hardware.memoryBandwidth * c.memoryBandwidthEfficiency));
  }

  private peakFor(bytesPerWeight: number): number {
    const p = this.hardware.peakFlops;
    return bytesPerWeight >= 2 ? p.bf16 : bytesPerWeight >= 1 ? p.fp8 : p.fp4;
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

  /** Dense GEMM + MoE + all-reduce time for `t` tokens through `layers` layers (`moeLayers` of them MoE). */
  private layerStackSeconds(t: number, attnLayers: number, denseLayers: number, moeLayers: number, extraParams: number): { gemm: number; moe: number; allReduce: number } {
    const s = this.shapes;
    const c = this.constants;
    const params = attnLayers * s.attnParamsPerLayer + denseLayers * s.denseFfnParamsPerLayer + moeLayers * s.numSharedExperts * s.expertParams + extraParams;
    const gemm = this.roofline(2 * t * params, params * s.weightBytes, this.peakFor(s.weightBytes), c.gemmComputeEfficiency);
    let moe = 0;
    if (moeLayers > 0 && s.numRoutedExperts > 0) {
      const touched = expectedExpertsTouched(t, s.numRoutedExperts, s.topK);
      const perLayer = this.roofline(2 * t * s.topK * s.expertParams, touched * s.expertParams * s.expertWeightBytes, this.peakFor(s.expertWeightBytes), c.gemmComputeEfficiency);
      moe = moeLayers * perLayer;
    }
    let allReduce = 0;
    if (s.tp > 1) {
      const bytes = t * s.hiddenSize * c.activationBytes;
      const one = c.allReduceLatencySeconds + (2 * (s.tp - 1) / s.tp) * bytes / (this.hardware.linkBandwidth * c.allReduceBandwidthEfficiency);
      allReduce = attnLayers * c.allReducesPerLayer * one;
    }
    return { gemm, moe, allReduce };
  }

  private lmHeadSeconds(numLogits: number): number {
    const p = this.shapes.lmHeadParams;
    return numLogits > 0 ? this.roofline(2 * numLogits * p, p * 2, this.hardware.peakFlops.bf16, this.constants.gemmComputeEfficiency) : 0;
  }

  /** The cost of one step. */
  stepCost(shape: StepShape): StepCost {
    const c = this.constants;
    const s = this.shapes;
    const reqs = shape.requests;
    const counts: number[] = [];
    let numTokens = 0;
    let numLogits = 0;
    let numSampling = 0;
    let attnFlopsPerLayer = 0;
    let attnBytesPerLayer = 0;
    let readd = 0;
    let emittedEstimate = 0;
    for (const r of reqs) {
      const q = r.numScheduledTokens;
      if (!Number.isInteger(q) || q < 1) throw new EngineError(`numScheduledTokens: expected an integer ≥ 1, got ${q}`, 'numScheduledTokens');
      if (!(r.numContextTokens >= 0)) throw new EngineError(`numContextTokens: expected ≥ 0, got ${r.numContextTokens}`, 'numContextTokens');
      counts.push(q);
    }
    const numDecodePath = this.requireUniform ? numDecodeRequests(counts, this.decodeThreshold, true) : reqs.length;
    let numDecodesOnPrefillPath = 0;
    reqs.forEach((r, i) => {
      const q = r.numScheduledTokens;
      numTokens += q;
      const end = r.numContextTokens + q;
      const { keys, indexerKeys } = this.attendedKeys(end);
      const dense = keys === end;
      const pairs = dense ? q * r.numContextTokens + (q * (q + 1)) / 2 : q * keys;
      // Without a uniform split the path follows the query length; with it, the batch position.
      const decodePath = this.requireUniform ? i < numDecodePath : q <= 16;
      if (!decodePath && !r.isPrefillChunk && q <= this.decodeThreshold) numDecodesOnPrefillPath++;
      const perPair = decodePath ? s.decodeFlopsPerPairPerHead : s.prefillFlopsPerPairPerHead;
      attnFlopsPerLayer += pairs * s.headsPerGpu * perPair + q * indexerKeys * 64 * 128 * 2;
      attnBytesPerLayer += keys * this.kvBytesPerToken + indexerKeys * this.indexerBytesPerToken + q * this.kvBytesPerToken;
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
    const stack = this.layerStackSeconds(t, s.numLayers, s.numDenseLayers, s.numMoeLayers, 0);
    const attnPerLayer = numTokens > 0 ? this.roofline(attnFlopsPerLayer, attnBytesPerLayer, this.hardware.peakFlops.bf16, c.attentionComputeEfficiency) : 0;
    const mlaContextSeconds = s.numLayers * mlaContextPerLayer;
    const attentionSeconds = s.numLayers * attnPerLayer + mlaContextSeconds;
    const launchSeconds = numTokens === 0 ? 0
      : graph.mode === 'FULL' ? c.fullGraphLaunchSeconds
        : graph.mode === 'PIECEWISE' ? s.numLayers * c.piecewisePerLayerSeconds
          : s.numLayers * c.eagerPerLayerSeconds;
    const samplerSeconds = numLogits > 0 ? c.samplerBaseSeconds + c.samplerPerTokenSeconds * numLogits : 0;
    const gemmSeconds = stack.gemm + this.lmHeadSeconds(numLogits);
    const layerRoofline = stack.gemm + stack.moe + attentionSeconds + stack.allReduce;
    const latencyFloorSeconds = numTokens > 0 ? Math.max(0, s.numLayers * c.minLayerSeconds - layerRoofline) : 0;
    const targetSeconds = gemmSeconds + stack.moe + attentionSeconds + stack.allReduce + latencyFloorSeconds + launchSeconds + samplerSeconds;

    let drafterSeconds = 0;
    const passes = shape.drafterPasses ?? (s.numMtpLayers > 0 && numSampling > 0 ? this.numSpecTokens : 0);
    if (passes > 0 && s.numMtpLayers > 0) {
      for (let p = 0; p < passes; p++) {
        const tp = p === 0 ? t : numSampling;
        const st = this.layerStackSeconds(tp, s.numMtpLayers, 0, s.numRoutedExperts > 0 ? s.numMtpLayers : 0, s.mtpExtraParams);
        const attn = this.roofline(attnFlopsPerLayer * (tp / Math.max(1, numTokens)), attnBytesPerLayer, this.hardware.peakFlops.bf16, c.attentionComputeEfficiency);
        // Pass 1 runs the target's row layout (padded drafter batch), so the same split applies.
        const context = p === 0 ? s.numMtpLayers * mlaContextPerLayer : 0;
        const layers = Math.max(st.gemm + st.moe + st.allReduce + s.numMtpLayers * attn + context, s.numMtpLayers * c.minLayerSeconds);
        drafterSeconds += layers + this.lmHeadSeconds(numSampling) + c.drafterPassOverheadSeconds;
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
        latencyFloorSeconds,
        gemmSeconds, moeSeconds: stack.moe, attentionSeconds, mlaContextSeconds, allReduceSeconds: stack.allReduce, launchSeconds, samplerSeconds,
        targetSeconds, drafterSeconds, totalSeconds: targetSeconds + drafterSeconds,
      },
      host: {
        scheduleSeconds, prepareSeconds, readdSeconds: readd, updateSeconds, hostSyncSeconds: passes > 0 ? c.hostSyncSeconds : 0,
        totalSeconds: scheduleSeconds + prepareSeconds + readd + updateSeconds,
      },
    };
  }
}
