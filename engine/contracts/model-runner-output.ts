/**
 * `ModelRunnerOutput`: what the executor returns for one batch (vLLM `ModelRunnerOutput` plus the
 * sync drafter's proposals). Plain readonly data, rows in the order of `SchedulerOutput.scheduled`.
 */

export interface ModelRunnerOutput {
  readonly batchId: number;
  readonly reqIds: readonly string[];
  /**
   * Per request: emitted tokens, `1 + accepted drafts` of them (accepted prefix of the drafts, then
   * one recovered/bonus token); empty for a non-final prefill chunk.
   */
  readonly sampledTokenIds: readonly (readonly number[])[];
  /**
   * Sync speculative decoding only: drafts proposed for each request's next step (empty rows
   * where none). `null` when there is no proposer or drafts stay on the device (async).
   */
  readonly draftTokenIds: readonly (readonly number[])[] | null;
}
