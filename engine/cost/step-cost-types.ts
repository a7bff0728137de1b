/**
 * The step-cost model's inputs and outputs: the requests of one scheduled step as the model sees
 * them, and the GPU and host time it prices for them (`RooflineCostModel.stepCost`).
 */
import type { HardwarePreset } from '../presets/hardware-presets';
import type { ModelPreset } from '../presets/model-presets';
import type { CostConstants } from './cost-constants';
import type { CudagraphDispatcherOptions, GraphDispatch } from './cudagraph-dispatcher';

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
  /** Dense GEMMs (projections, dense FFN, shared experts, router) and the LM head. */
  readonly gemmSeconds: number;
  /** Norms, RoPE, SiLU·mul, KV-cache writes, activation quantisation, embedding. */
  readonly elementwiseSeconds: number;
  readonly moeSeconds: number;
  readonly attentionSeconds: number;
  /**
   * MLA's prefill path for requests with cached context (included in `attentionSeconds`): the
   * context is gathered and up-projected through `kv_b_proj` in every layer.
   */
  readonly mlaContextSeconds: number;
  readonly allReduceSeconds: number;
  /** Graph launch (FULL), eager attention between pieces (PIECEWISE), or exposed host launches (NONE). */
  readonly launchSeconds: number;
  readonly samplerSeconds: number;
  /** Kernels the target forward launches (what eager mode issues one by one). */
  readonly numKernels: number;
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
