/**
 * DeepSeek MTP proposer (engine-semantics.md §9.1). After the target forward of a step, the drafter
 * runs `k` sequential passes: pass 1 consumes the target's hidden states for every token of the
 * step (the padded batch, rejected positions included but masked) and emits one draft per request;
 * passes 2..k process one token per request each. DeepSeek has a single MTP layer, reused `k`
 * times. Drafts are the MTP head's argmax; in the synthetic world that is the sequence's own next
 * token, so whether a draft survives is decided by the acceptance model, as with vLLM's synthetic
 * rejection sampler. Drafts follow a prefill's final chunk too, never a non-final chunk.
 */
import { EngineError } from '../base/errors';
import type { DraftContext, DraftProposer } from '../contracts/draft-proposer';
import type { SchedulerOutput } from '../contracts/scheduler-output';

/** The drafter's GPU work in a step, for the cost model. */
export interface DrafterWorkload {
  /** Sequential passes (`k` when any request drafts, else 0). */
  readonly numPasses: number;
  /** Tokens through the MTP layer in pass 1 (every token of the step). */
  readonly numFirstPassTokens: number;
  /** Requests drafting (tokens per pass for passes 2..k). */
  readonly numDraftingRequests: number;
}

export class MtpProposer implements DraftProposer {
  readonly method = 'mtp';

  constructor(
    readonly numSpeculativeTokens: number,
    /** MTP modules in the checkpoint (DeepSeek: 1, reused for every pass). */
    readonly numMtpLayers = 1,
  ) {
    if (!Number.isInteger(numSpeculativeTokens) || numSpeculativeTokens < 1) {
      throw new EngineError(`numSpeculativeTokens: expected an integer ≥ 1, got ${numSpeculativeTokens}`, 'numSpeculativeTokens');
    }
    if (!Number.isInteger(numMtpLayers) || numMtpLayers < 1) {
      throw new EngineError(`numMtpLayers: expected an integer ≥ 1, got ${numMtpLayers}`, 'numMtpLayers');
    }
  }

  /** `k` drafts for positions `numTokens … numTokens + k − 1` (argmax = the sequence's own tokens). */
  propose(ctx: DraftContext): number[] {
    const k = this.numSpeculativeTokens;
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) out[i] = ctx.tokenAt(ctx.numTokens + i);
    return out;
  }

  /** Drafter passes and tokens for a batch: every request that samples (not a non-final chunk) drafts. */
  workload(so: SchedulerOutput): DrafterWorkload {
    let drafting = 0;
    for (const r of so.scheduled) if (!r.isPrefillChunk) drafting++;
    return drafting === 0
      ? { numPasses: 0, numFirstPassTokens: 0, numDraftingRequests: 0 }
      : { numPasses: this.numSpeculativeTokens, numFirstPassTokens: so.totalNumScheduledTokens, numDraftingRequests: drafting };
  }
}
