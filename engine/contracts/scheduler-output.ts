/**
 * `SchedulerOutput`: what one `schedule()` hands to the executor (vLLM `sched/output.py`), as plain
 * readonly data. The scheduler never calls the executor; `EngineCore` moves this value across.
 * Order of `scheduled`: running requests first (running-list order), then new/resumed requests
 * in admission order.
 */

/** How the request entered this batch: vLLM's `scheduled_new_reqs` / resumed / cached running. */
export type ScheduledKind = 'new' | 'resumed' | 'running';

export interface ScheduledRequest {
  readonly reqId: string;
  readonly kind: ScheduledKind;
  /** Tokens scheduled this step, drafts included (vLLM `num_scheduled_tokens[req_id]`). */
  readonly numScheduledTokens: number;
  /** `numComputedTokens` before this step: the position of the first scheduled token. */
  readonly numComputedTokens: number;
  /** Prompt length of the request. */
  readonly numPromptTokens: number;
  /**
   * Confirmed tokens when scheduled (prompt + outputs the scheduler knows of). For new/resumed
   * requests this is the token list the worker receives.
   */
  readonly numTokens: number;
  /** Drafts verified this step (`len(scheduled_spec_decode_tokens[req_id])`). */
  readonly numSpecTokens: number;
  /** Blocks allocated this step (for new/resumed: the whole block list, hits included). */
  readonly newBlockIds: readonly number[];
  /** Prefix-cache hit tokens used at admission (0 for running requests). */
  readonly numCachedTokens: number;
  /** True when this chunk leaves the request short of its full token count: no token is sampled. */
  readonly isPrefillChunk: boolean;
}

export interface SchedulerOutput {
  /** Sequential id of this batch (per engine). */
  readonly batchId: number;
  readonly scheduled: readonly ScheduledRequest[];
  readonly totalNumScheduledTokens: number;
  /**
   * New/resumed requests: their whole token list by id (prompt, plus earlier outputs for a resumed
   * request), which the worker needs to rebuild them. Running requests are absent.
   */
  readonly newRequestTokenIds: { readonly [reqId: string]: readonly number[] };
  /** Sync speculative decoding: the draft ids verified this step, by id (vLLM `scheduled_spec_decode_tokens`). */
  readonly scheduledSpecDecodeTokens: { readonly [reqId: string]: readonly number[] };
  /** Requests preempted while building this batch, in preemption order. */
  readonly preemptedReqIds: readonly string[];
  /** Requests finished since the previous `schedule()` (workers drop their state). */
  readonly finishedReqIds: readonly string[];
  /** Cascade-attention hint: leading blocks shared by every running request. */
  readonly numCommonPrefixBlocks: number;
}
