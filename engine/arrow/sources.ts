/**
 * The shapes the Arrow converters read. They are structural (duck-typed) so that engine
 * records, snapshots and plain objects loaded from JSON convert alike; field names follow
 * vLLM's vocabulary. Times are simulated microseconds since the engine started.
 */

/** One request's share of a step, as the scheduler decided it. */
export interface ScheduledRequestSource {
  readonly requestId: string;
  readonly numScheduledTokens: number;
  /** `num_computed_tokens` after this step's scheduling (vLLM advances it optimistically). */
  readonly numComputedTokens?: number;
  /** Draft tokens scheduled for verification this step. */
  readonly numSpecTokens?: number;
  /** True for a prefill chunk (the request is still short of its prompt). */
  readonly isPrefill?: boolean;
}

/** One engine step. */
export interface StepSource {
  readonly step: number;
  readonly startUs: number;
  readonly endUs: number;
  /** CUDA-graph mode the batch ran in: FULL, PIECEWISE or NONE. */
  readonly cudagraphMode?: string;
  /** Padded batch size after CUDA-graph dispatch. */
  readonly numPaddedTokens?: number;
  readonly hostUs?: number;
  readonly gpuUs?: number;
  readonly numRunning?: number;
  readonly numWaiting?: number;
  /** Fraction of KV blocks in use after the step, in [0, 1]. */
  readonly kvUsage?: number;
  readonly scheduled: readonly ScheduledRequestSource[];
  readonly numPreempted?: number;
  readonly numFinished?: number;
}

/** One request, at the moment of the snapshot. */
export interface RequestSource {
  readonly requestId: string;
  readonly arrivalUs: number;
  readonly status: string;
  readonly numPromptTokens: number;
  readonly numOutputTokens: number;
  readonly numComputedTokens: number;
  readonly maxTokens?: number;
  readonly priority?: number;
  readonly numPreemptions?: number;
  readonly firstTokenUs?: number | null;
  readonly finishUs?: number | null;
  readonly finishReason?: string | null;
}

/** One request's block table (logical block i → physical block id). */
export interface BlockTableSource {
  readonly requestId: string;
  readonly blockIds: readonly number[];
}

/** One physical KV block. */
export interface KvBlockSource {
  readonly blockId: number;
  readonly refCount: number;
  /** Request ids holding the block (shared prefix blocks have several). */
  readonly owners: readonly string[];
  /** True when the block is full and registered in the prefix cache. */
  readonly cached: boolean;
}

/**
 * `vllm bench serve` result (the `--save-result` JSON), per-request arrays in vLLM's units:
 * seconds for `ttfts`, `itls` and `start_times`.
 */
export interface BenchResultSource {
  readonly input_lens: readonly number[];
  readonly output_lens: readonly number[];
  readonly ttfts: readonly number[];
  readonly itls: readonly (readonly number[])[];
  readonly start_times?: readonly number[];
  readonly errors?: readonly string[];
  readonly [key: string]: unknown;
}
