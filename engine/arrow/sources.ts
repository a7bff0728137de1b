/**
 * The shapes the Arrow converters read. They are structural (duck-typed) so that engine
 * records, snapshots and plain objects loaded from JSON convert alike; field names follow
 * vLLM's vocabulary. Times are simulated microseconds since the engine started.
 */

/** The step trace reads the engine's own `StepRecord` (engine/trace/step-record.ts). */
export type { StepRecord as StepSource, ScheduledEntry as ScheduledRequestSource } from '../trace/step-record';

/** One request at the moment of the snapshot: the fields of the engine's `RequestView`. */
export interface RequestSource {
  readonly requestId: string;
  /** Simulated µs since engine start. */
  readonly arrivalTime: number;
  readonly status: string;
  readonly numPromptTokens: number;
  readonly numOutputTokens: number;
  readonly numComputedTokens: number;
  readonly maxTokens?: number;
  readonly priority?: number;
  readonly numPreemptions?: number;
  readonly numCachedTokens?: number | null;
  readonly firstScheduledTime?: number | null;
  readonly firstTokenTime?: number | null;
  readonly finishedTime?: number | null;
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
