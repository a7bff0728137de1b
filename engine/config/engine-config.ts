/**
 * `EngineConfig`: every knob the engine core models, in camelCase versions of vLLM's names, with
 * vLLM's defaults (engine-semantics.md §3). The value is plain JSON (no `undefined`, no classes)
 * so it travels inside snapshots unchanged; "unset" is `null`.
 */

/** Speculative-decoding methods vLLM knows; they differ in KV lookahead and async support. */
export type SpecMethod = 'mtp' | 'eagle' | 'eagle3' | 'ngram' | 'draft_model' | 'suffix';

export interface SpeculativeConfig {
  readonly method: SpecMethod;
  /** `k`: drafts per decoding request per step; uniform decode query length is `1 + k`. */
  readonly numSpeculativeTokens: number;
}

/** Which historical `max_tokens` rule the running loop applies (engine-semantics.md §11.7). */
export type MaxTokensCapPolicy = 'none' | 'cap_27922' | 'cap_29542' | 'skip_29759';

export type SchedulingPolicy = 'fcfs' | 'priority';

/**
 * vLLM's `cudagraph_mode` values (engine-semantics.md §10). The config names the requested mode;
 * `cost/cudagraph-mode.ts` resolves it against the attention backend and pads batches.
 */
export type CudagraphMode = 'NONE' | 'PIECEWISE' | 'FULL' | 'FULL_DECODE_ONLY' | 'FULL_AND_PIECEWISE';

export const CUDAGRAPH_MODES: readonly CudagraphMode[] = ['NONE', 'PIECEWISE', 'FULL', 'FULL_DECODE_ONLY', 'FULL_AND_PIECEWISE'];

/**
 * The model's KV-cache layout: one full-attention group, one sliding-window group (which frees
 * blocks that left the window), or a hybrid model with both layer types — two KV-cache groups
 * sharing one block pool (engine-semantics.md §5.7).
 */
export type AttentionSpec =
  | { readonly kind: 'full' }
  | { readonly kind: 'sliding_window'; readonly slidingWindow: number }
  | { readonly kind: 'hybrid'; readonly slidingWindow: number };

/** The KV-cache groups of an attention spec (`null` window = full attention). */
export function kvCacheGroups(a: AttentionSpec): { slidingWindow: number | null }[] {
  switch (a.kind) {
    case 'full':
      return [{ slidingWindow: null }];
    case 'sliding_window':
      return [{ slidingWindow: a.slidingWindow }];
    case 'hybrid':
      return [{ slidingWindow: null }, { slidingWindow: a.slidingWindow }];
  }
}

/** The synthetic executor's knobs (token generation and draft acceptance). */
export interface SyntheticConfig {
  readonly vocabSize: number;
  /** EOS id the stop check uses unless a request sets `ignoreEos`; `null` = no EOS. */
  readonly eosTokenId: number | null;
  /**
   * Unconditional acceptance rates `r_1 ≥ … ≥ r_k`: probability that the first `i` drafts are all
   * accepted (vLLM's synthetic rejection sampler, §9.5). Missing positions reuse the last ratio.
   */
  readonly acceptanceRates: readonly number[];
}

export interface EngineConfig {
  /** Seeds everything random: synthetic tokens, acceptance coin flips, prefix-hash seed. */
  readonly seed: number;
  readonly model: string;
  readonly blockSize: number;
  /** Total KV blocks including the null block 0 (vLLM's `num_gpu_blocks`). */
  readonly numGpuBlocks: number;
  readonly maxModelLen: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly enableChunkedPrefill: boolean;
  /** 0 = off. */
  readonly longPrefillTokenThreshold: number;
  readonly maxNumPartialPrefills: number;
  readonly enablePrefixCaching: boolean;
  /** Admission requires the whole current token list to fit in free blocks. */
  readonly schedulerReserveFullIsl: boolean;
  readonly policy: SchedulingPolicy;
  /** Batch queue of 2 with output placeholders (§8). */
  readonly asyncScheduling: boolean;
  readonly speculative: SpeculativeConfig | null;
  readonly maxTokensCapPolicy: MaxTokensCapPolicy;
  readonly attention: AttentionSpec;
  readonly synthetic: SyntheticConfig;
  // Deployment facts that the engine does not simulate but which size things (§6, §10).
  readonly tensorParallelSize: number;
  readonly pipelineParallelSize: number;
  readonly dataParallelSize: number;
  readonly kvCacheDtype: string;
  readonly gpuMemoryUtilization: number;
  readonly cudagraphMode: CudagraphMode;
  /** `null` = vLLM's default `min(maxNumSeqs × (1+k) × 2, 512)` capped by the token budget. */
  readonly maxCudagraphCaptureSize: number | null;
  readonly cudagraphCaptureSizes: readonly number[] | null;
  readonly attentionBackend: string | null;
}

/** A deep-partial config as users write it (`createEngine({ maxNumSeqs: 4 })`). */
export type PartialEngineConfig = {
  readonly [K in keyof EngineConfig]?: EngineConfig[K] extends readonly unknown[] | null | number | string | boolean
    ? EngineConfig[K]
    : EngineConfig[K] extends object | null
      ? Partial<NonNullable<EngineConfig[K]>> | null
      : EngineConfig[K];
};

/**
 * vLLM's defaults. Scheduler sizes follow the OpenAI server's engine-arg defaults on a ≥ 70 GiB GPU
 * (max_num_seqs 1024, max_num_batched_tokens 8192); `numGpuBlocks` defaults to 2,049 (2,048 usable
 * blocks = 32,768 tokens), standing in for a profiled memory budget (see `kv/capacity.ts`).
 */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  seed: 0,
  model: 'synthetic',
  blockSize: 16,
  numGpuBlocks: 2049,
  maxModelLen: 8192,
  maxNumSeqs: 1024,
  maxNumBatchedTokens: 8192,
  enableChunkedPrefill: true,
  longPrefillTokenThreshold: 0,
  maxNumPartialPrefills: 1,
  enablePrefixCaching: true,
  schedulerReserveFullIsl: true,
  policy: 'fcfs',
  asyncScheduling: false,
  speculative: null,
  maxTokensCapPolicy: 'skip_29759',
  attention: { kind: 'full' },
  synthetic: { vocabSize: 32000, eosTokenId: null, acceptanceRates: [0.7, 0.49, 0.343, 0.24, 0.168] },
  tensorParallelSize: 1,
  pipelineParallelSize: 1,
  dataParallelSize: 1,
  kvCacheDtype: 'auto',
  gpuMemoryUtilization: 0.92,
  cudagraphMode: 'FULL_AND_PIECEWISE',
  maxCudagraphCaptureSize: null,
  cudagraphCaptureSizes: null,
  attentionBackend: null,
};

/** `k` (0 without speculation). */
export function numSpeculativeTokens(config: EngineConfig): number {
  return config.speculative?.numSpeculativeTokens ?? 0;
}

/**
 * KV lookahead slots per running request (§4.2 step 8): `k` for proposers that write their own KV
 * (EAGLE/MTP/draft model), 0 for ngram/suffix (CPU lookups need no draft KV).
 */
export function numLookaheadTokens(config: EngineConfig): number {
  const spec = config.speculative;
  if (!spec) return 0;
  return spec.method === 'ngram' || spec.method === 'suffix' ? 0 : spec.numSpeculativeTokens;
}

/**
 * The per-step token budget the scheduler uses (§3 `max_num_scheduled_tokens`): the batched-token
 * limit minus slots reserved per request for drafters that need extra positions.
 */
export function maxNumScheduledTokens(config: EngineConfig): number {
  const spec = config.speculative;
  if (!spec) return config.maxNumBatchedTokens;
  const slotsPerReq = spec.method === 'draft_model' ? 1 : 0;
  return config.maxNumBatchedTokens - slotsPerReq * config.maxNumSeqs;
}

/** vLLM's default cap on captured batch sizes (tokens): `min(maxNumSeqs × (1+k) × 2, 512, maxNumBatchedTokens)`. */
export function defaultMaxCaptureSize(maxNumSeqs: number, numSpecTokens: number, maxNumBatchedTokens: number): number {
  return Math.min(maxNumSeqs * (1 + numSpecTokens) * 2, 512, maxNumBatchedTokens);
}

/** The capture cap this config runs with: the user's `maxCudagraphCaptureSize`, else vLLM's default. */
export function effectiveMaxCudagraphCaptureSize(config: EngineConfig): number {
  if (config.maxCudagraphCaptureSize !== null) return config.maxCudagraphCaptureSize;
  return defaultMaxCaptureSize(config.maxNumSeqs, numSpeculativeTokens(config), config.maxNumBatchedTokens);
}
