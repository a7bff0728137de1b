/**
 * Draft verification and vLLM's accepted-token bookkeeping (engine-semantics.md §9.3, §9.4, §4.7).
 * A verifying step emits the accepted prefix of the drafts plus exactly one more token (the
 * recovered token at the first mismatch, or the bonus token when every draft matched), so a request
 * with `d` drafts emits `1..d+1` tokens. The scheduler then rolls back the rejected positions:
 * `num_computed_tokens −= rejected`, and in async mode `num_output_placeholders −= rejected` too.
 */
import { EngineError } from '../base/errors';
import type { Rng } from '../base/rng';
import type { PerPositionAcceptance } from './acceptance-model';

export interface VerificationResult {
  readonly numDrafts: number;
  readonly numAccepted: number;
  /** `numDrafts − numAccepted`. */
  readonly numRejected: number;
  /** `numAccepted + 1`: accepted drafts plus the bonus or recovered token. */
  readonly numEmitted: number;
}

function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new EngineError(`${name}: expected an integer ≥ 0, got ${v}`, name);
}

/** The accounting for `numAccepted` of `numDrafts` drafts. */
export function verificationResult(numDrafts: number, numAccepted: number): VerificationResult {
  checkCount('numDrafts', numDrafts);
  checkCount('numAccepted', numAccepted);
  if (numAccepted > numDrafts) {
    throw new EngineError(`numAccepted: ${numAccepted} exceeds numDrafts ${numDrafts}`, 'numAccepted');
  }
  return { numDrafts, numAccepted, numRejected: numDrafts - numAccepted, numEmitted: numAccepted + 1 };
}

/** Synthetic verification: the acceptance model's coin flips decide the accepted prefix. */
export function verifySynthetic(numDrafts: number, model: PerPositionAcceptance, rng: Rng): VerificationResult {
  checkCount('numDrafts', numDrafts);
  return verificationResult(numDrafts, model.sampleNumAccepted(numDrafts, rng));
}

/**
 * Greedy verification with real ids: accept draft `i` while it equals the target's argmax at its
 * position; emit the target token at the first mismatch, or the bonus token (`targetIds[d]`) if all
 * matched. `targetIds` has `d + 1` entries (one per verified position plus the bonus position).
 */
export function verifyGreedy(draftIds: readonly number[], targetIds: readonly number[]): { result: VerificationResult; emittedIds: number[] } {
  if (targetIds.length !== draftIds.length + 1) {
    throw new EngineError(`targetIds: expected ${draftIds.length + 1} ids (drafts + 1), got ${targetIds.length}`, 'targetIds');
  }
  let a = 0;
  while (a < draftIds.length && draftIds[a] === targetIds[a]) a++;
  return { result: verificationResult(draftIds.length, a), emittedIds: targetIds.slice(0, a + 1) };
}

/** The per-request counters the scheduler corrects after verification. */
export interface SpecRequestCounters {
  readonly numComputedTokens: number;
  /** Async only (0 in sync mode). */
  readonly numOutputPlaceholders: number;
}

/**
 * Rolls back the rejected draft positions (§4.7 step 2): `numComputedTokens −= rejected` only while
 * it is > 0 (a request preempted in the meantime was reset to 0 and stays there); in async mode the
 * placeholders shrink by `rejected` too (only while > 0). Sync mode never touches placeholders.
 */
export function applyRejections(
  counters: SpecRequestCounters,
  result: VerificationResult,
  asyncScheduling: boolean,
): SpecRequestCounters {
  const r = result.numRejected;
  const numComputedTokens = counters.numComputedTokens > 0 ? Math.max(0, counters.numComputedTokens - r) : counters.numComputedTokens;
  const numOutputPlaceholders =
    asyncScheduling && counters.numOutputPlaceholders > 0 ? Math.max(0, counters.numOutputPlaceholders - r) : counters.numOutputPlaceholders;
  return { numComputedTokens, numOutputPlaceholders };
}

/**
 * After the emitted tokens are appended (stop check may truncate to `numAppended ≤ numEmitted`),
 * async mode releases that many placeholders (§4.7 step 4).
 */
export function releasePlaceholders(counters: SpecRequestCounters, numAppended: number, asyncScheduling: boolean): SpecRequestCounters {
  checkCount('numAppended', numAppended);
  if (!asyncScheduling) return counters;
  return { ...counters, numOutputPlaceholders: Math.max(0, counters.numOutputPlaceholders - numAppended) };
}
