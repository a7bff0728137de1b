/**
 * The stop check vLLM runs after each appended token (engine-semantics.md §2.4), in its order:
 * min_tokens guard, EOS (unset under ignore_eos), stop token ids, then length caps.
 */
import type { FinishedStatus } from './status';

export interface StopCheckInput {
  readonly lastTokenId: number;
  readonly numOutputTokens: number;
  readonly numTokens: number;
  readonly minTokens: number;
  readonly maxTokens: number;
  readonly maxModelLen: number;
  /** `null` when the request ignores EOS or the model has none. */
  readonly eosTokenId: number | null;
  readonly stopTokenIds: readonly number[];
}

export interface StopResult {
  readonly status: FinishedStatus;
  /** The stop token id when a stop token ended the request. */
  readonly stopReason: number | null;
}

/** `undefined` = keep going. */
export function checkStop(s: StopCheckInput): StopResult | undefined {
  if (s.numOutputTokens < s.minTokens) return undefined;
  if (s.eosTokenId !== null && s.lastTokenId === s.eosTokenId) return { status: 'FINISHED_STOPPED', stopReason: null };
  if (s.stopTokenIds.length > 0 && s.stopTokenIds.includes(s.lastTokenId)) {
    return { status: 'FINISHED_STOPPED', stopReason: s.lastTokenId };
  }
  if (s.numTokens >= s.maxModelLen || s.numOutputTokens >= s.maxTokens) return { status: 'FINISHED_LENGTH_CAPPED', stopReason: null };
  return undefined;
}
