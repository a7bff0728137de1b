/**
 * Speculative-decoding counters (vLLM `SpecDecodingStats`, engine-semantics.md §9.6): drafts,
 * draft tokens, accepted tokens and accepted counts per draft position — cumulative over the
 * engine's life (`SpecDecodingStats`) and per processed step (`SpecDecodingStepStats`).
 */

export interface SpecDecodingSummary {
  readonly numDrafts: number;
  readonly numDraftTokens: number;
  readonly numAcceptedTokens: number;
  readonly numAcceptedTokensPerPos: readonly number[];
  /** accepted / draft tokens (0 when no drafts). */
  readonly acceptanceRate: number;
  /** `1 + accepted / drafts` (bonus token included); 0 when no drafts. */
  readonly meanAcceptanceLength: number;
}

export class SpecDecodingStats {
  numDrafts = 0;
  numDraftTokens = 0;
  numAcceptedTokens = 0;
  numAcceptedTokensPerPos: number[] = [];

  observe(numDraftTokens: number, numAccepted: number): void {
    this.numDrafts++;
    this.numDraftTokens += numDraftTokens;
    this.numAcceptedTokens += numAccepted;
    for (let i = 0; i < numAccepted; i++) this.numAcceptedTokensPerPos[i] = (this.numAcceptedTokensPerPos[i] ?? 0) + 1;
  }

  summary(): SpecDecodingSummary {
    return {
      numDrafts: this.numDrafts,
      numDraftTokens: this.numDraftTokens,
      numAcceptedTokens: this.numAcceptedTokens,
      numAcceptedTokensPerPos: this.numAcceptedTokensPerPos.slice(),
      acceptanceRate: this.numDraftTokens === 0 ? 0 : this.numAcceptedTokens / this.numDraftTokens,
      meanAcceptanceLength: this.numDrafts === 0 ? 0 : 1 + this.numAcceptedTokens / this.numDrafts,
    };
  }

  restore(s: SpecDecodingSummary): void {
    this.numDrafts = s.numDrafts;
    this.numDraftTokens = s.numDraftTokens;
    this.numAcceptedTokens = s.numAcceptedTokens;
    this.numAcceptedTokensPerPos = s.numAcceptedTokensPerPos.slice();
  }
}

/**
 * One step's drafts (vLLM `SpecDecodingStats.new(num_spec_tokens)` + `observe_draft`): created on
 * the first request with scheduled drafts and output tokens, so a step with none has no stats.
 * `numAcceptedTokensPerPos` always has `k` entries.
 */
export interface SpecDecodingStepStats {
  readonly numSpecTokens: number;
  numDrafts: number;
  numDraftTokens: number;
  numAcceptedTokens: number;
  readonly numAcceptedTokensPerPos: number[];
}

export function newSpecDecodingStepStats(numSpecTokens: number): SpecDecodingStepStats {
  return { numSpecTokens, numDrafts: 0, numDraftTokens: 0, numAcceptedTokens: 0, numAcceptedTokensPerPos: new Array<number>(numSpecTokens).fill(0) };
}

export function observeDraft(s: SpecDecodingStepStats, numDraftTokens: number, numAcceptedTokens: number): void {
  s.numDrafts++;
  s.numDraftTokens += numDraftTokens;
  s.numAcceptedTokens += numAcceptedTokens;
  for (let i = 0; i < numAcceptedTokens && i < s.numSpecTokens; i++) s.numAcceptedTokensPerPos[i]!++;
}
