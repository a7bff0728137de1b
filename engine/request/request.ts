/**
 * A request with vLLM's token accounting (engine-semantics.md §1). There is no prefill/decode
 * phase: each step the scheduler closes the gap
 * `numTokensWithSpec + numOutputPlaceholders − numComputedTokens`.
 *
 * Invariants: `allTokenIds = promptTokenIds ++ outputTokenIds`; `numComputedTokens` is advanced at
 * scheduling time and only corrected downward (rejected drafts, preemption); drafts and
 * placeholders are never part of `allTokenIds`. Owned by the scheduler; everyone else reads
 * `RequestView`s.
 */
import type { FinishedStatus, RequestStatus } from './status';
import { isFinished } from './status';
import { checkStop } from './stop';

export interface SamplingParams {
  readonly maxTokens: number;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly stopTokenIds: readonly number[];
  /**
   * vLLM `prompt_logprobs`: logprobs of every prompt position are returned, so the whole prompt
   * must be recomputed — such a request never reads the prefix cache (it still writes it).
   * `null`/absent = not requested.
   */
  readonly promptLogprobs?: number | null;
}

export interface RequestInit {
  readonly requestId: string;
  /** Per-engine admission counter: breaks priority ties deterministically. */
  readonly seq: number;
  readonly promptTokenIds: readonly number[];
  readonly sampling: SamplingParams;
  readonly arrivalTime: number;
  readonly priority: number;
  readonly eosTokenId: number | null;
  readonly cacheSalt: string | null;
}

export class Request {
  readonly requestId: string;
  readonly seq: number;
  readonly arrivalTime: number;
  readonly priority: number;
  readonly sampling: SamplingParams;
  readonly cacheSalt: string | null;
  /** EOS used by the stop check; `null` under `ignoreEos`. */
  readonly eosTokenId: number | null;
  readonly numPromptTokens: number;
  /** prompt ++ confirmed outputs. */
  readonly allTokenIds: number[];
  numComputedTokens = 0;
  /** Async only: sampled + draft tokens in flight (scheduled, output not yet processed). */
  numOutputPlaceholders = 0;
  /** Draft ids to verify next step (sync: real ids from the proposer). */
  specTokenIds: number[] = [];
  /** Async: number of drafts that live on the device (scheduled as placeholders). */
  numSpecPlaceholders = 0;
  /**
   * Async, after a forced reset (`resetPrefixCache({ resetRunningRequests: true })`): the output
   * tokens that were in flight then; frames arriving while this is > 0 are stale and dropped,
   * each draining its own `1 + drafts` (vLLM `async_tokens_to_discard`).
   */
  asyncTokensToDiscard = 0;
  status: RequestStatus = 'WAITING';
  stopReason: number | null = null;
  numPreemptions = 0;
  isPrefillChunk = false;
  /** Prefix-cache hit tokens at first admission (vLLM's `num_cached_tokens`); `null` before. */
  numCachedTokens: number | null = null;
  /** Chained prefix hashes of full blocks, extended lazily by the KV manager. */
  readonly blockHashes: number[] = [];
  /** Virtual times (µs) for latency metrics; `null` until the event happens. */
  firstScheduledTime: number | null = null;
  firstTokenTime: number | null = null;
  finishedTime: number | null = null;

  constructor(init: RequestInit) {
    this.requestId = init.requestId;
    this.seq = init.seq;
    this.arrivalTime = init.arrivalTime;
    this.priority = init.priority;
    this.sampling = init.sampling;
    this.cacheSalt = init.cacheSalt;
    this.eosTokenId = init.sampling.ignoreEos ? null : init.eosTokenId;
    this.numPromptTokens = init.promptTokenIds.length;
    this.allTokenIds = init.promptTokenIds.slice();
  }

  get numTokens(): number {
    return this.allTokenIds.length;
  }

  get numOutputTokens(): number {
    return this.allTokenIds.length - this.numPromptTokens;
  }

  get numSpecTokens(): number {
    return this.specTokenIds.length + this.numSpecPlaceholders;
  }

  get numTokensWithSpec(): number {
    return this.allTokenIds.length + this.specTokenIds.length + this.numSpecPlaceholders;
  }

  /** vLLM `skip_reading_prefix_cache`: prompt-logprobs requests recompute every prompt token. */
  get skipReadingPrefixCache(): boolean {
    return this.sampling.promptLogprobs !== undefined && this.sampling.promptLogprobs !== null;
  }

  get isFinished(): boolean {
    return isFinished(this.status);
  }

  outputTokenIds(): number[] {
    return this.allTokenIds.slice(this.numPromptTokens);
  }

  clearSpec(): void {
    if (this.specTokenIds.length > 0) this.specTokenIds = [];
    this.numSpecPlaceholders = 0;
  }

  /**
   * Appends one confirmed token and runs the stop check; returns the finished status when the
   * request must stop (the caller discards any further tokens of the same output).
   */
  appendOutputToken(tokenId: number, maxModelLen: number): FinishedStatus | undefined {
    this.allTokenIds.push(tokenId);
    const numOutputTokens = this.allTokenIds.length - this.numPromptTokens;
    const s = this.sampling;
    // Fast path for the common case (no EOS hit, no stop ids, below both caps).
    if (
      numOutputTokens >= s.minTokens &&
      (this.eosTokenId === tokenId || s.stopTokenIds.length > 0 || this.allTokenIds.length >= maxModelLen || numOutputTokens >= s.maxTokens)
    ) {
      const r = checkStop({
        lastTokenId: tokenId,
        numOutputTokens,
        numTokens: this.allTokenIds.length,
        minTokens: s.minTokens,
        maxTokens: s.maxTokens,
        maxModelLen,
        eosTokenId: this.eosTokenId,
        stopTokenIds: s.stopTokenIds,
      });
      if (r) {
        this.stopReason = r.stopReason;
        return r.status;
      }
    }
    return undefined;
  }
}
