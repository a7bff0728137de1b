/**
 * `DraftProposer` and `AcceptanceModel`: the two speculative-decoding plug points of a runner.
 * The proposer makes up to `k` drafts for a request after its sampled tokens are known; the
 * acceptance model decides how many of the verified drafts the target model accepts. Both are
 * pure functions of their inputs plus explicit uniforms, so runs are reproducible and
 * snapshot-free.
 */

export interface DraftContext {
  readonly reqId: string;
  /** Stable numeric key of the request (hash of its id and the engine seed). */
  readonly key: number;
  /** Confirmed sequence length on the device after this step's emitted tokens. */
  readonly numTokens: number;
  /** Token id at absolute position `p < numTokens` of the sequence. */
  tokenAt(p: number): number;
}

export interface DraftProposer {
  readonly numSpeculativeTokens: number;
  /** Up to `numSpeculativeTokens` drafts for positions `numTokens, numTokens + 1, …`. */
  propose(ctx: DraftContext): number[];
}

export interface AcceptanceModel {
  /**
   * Number of drafts accepted out of `numDrafts` (0..numDrafts). `uniform(i)` is a deterministic
   * U[0,1) draw for draft position `i`. `requestKey` (the request's stable key, `DraftContext.key`)
   * lets a model give each request its own acceptance; the same in sync and async runs.
   */
  numAccepted(numDrafts: number, uniform: (i: number) => number, requestKey?: number): number;
}
