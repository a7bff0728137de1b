/**
 * DeepSeek MTP proposer (engine-semantics.md §9.1). After the target forward of a step, the drafter
 * runs `k` sequential passes: pass 1 consumes the target's hidden states for every token of the
 * step (the padded batch, rejected positions included but masked) and emits one draft per request;
 * passes 2..k process one token per request each. DeepSeek has a single MTP layer, reused `k`
 * times. Drafts are argmax (greedy); here their ids come from a seeded stream, since only their
 * count and the acceptance model matter to the simulation. Drafts are also produced at the end of a
 * prefill's final chunk, never for a non-final chunk.
 */
import { EngineError } from '../base/errors';
import type { Rng } from '../base/rng';

/** One request as the proposer sees it after a step. */
export interface ProposerInput {
  readonly reqId: string;
  /** Tokens this request ran in the step (prefill chunk or 1 + drafts). */
  readonly numScheduledTokens: number;
  /** True for a non-final prefill chunk: it sampled nothing, so nothing is drafted. */
  readonly isPrefillChunk: boolean;
}

/** The drafter's GPU work in a step, for the cost model. */
export interface DrafterWorkload {
  /** Sequential passes (`k` when anything is drafted, else 0). */
  readonly numPasses: number;
  /** Tokens through the MTP layer in pass 1 (all tokens of the step). */
  readonly numFirstPassTokens: number;
  /** Requests drafting (tokens per pass for passes 2..k). */
  readonly numDraftingRequests: number;
}

export interface DraftProposer {
  readonly method: string;
  readonly numSpeculativeTokens: number;
  propose(requests: readonly ProposerInput[]): { drafts: Map<string, number[]>; workload: DrafterWorkload };
}

export class MtpProposer implements DraftProposer {
  readonly method = 'mtp';

  constructor(
    readonly numSpeculativeTokens: number,
    private readonly vocabSize: number,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(numSpeculativeTokens) || numSpeculativeTokens < 1) {
      throw new EngineError(`numSpeculativeTokens: expected an integer ≥ 1, got ${numSpeculativeTokens}`, 'numSpeculativeTokens');
    }
    if (!Number.isInteger(vocabSize) || vocabSize < 1) {
      throw new EngineError(`vocabSize: expected an integer ≥ 1, got ${vocabSize}`, 'vocabSize');
    }
  }

  /** `k` draft ids for every request that sampled a token this step (in input order). */
  propose(requests: readonly ProposerInput[]): { drafts: Map<string, number[]>; workload: DrafterWorkload } {
    const drafts = new Map<string, number[]>();
    let numFirstPassTokens = 0;
    for (const r of requests) {
      if (!Number.isInteger(r.numScheduledTokens) || r.numScheduledTokens < 1) {
        throw new EngineError(`numScheduledTokens: request ${r.reqId} has ${r.numScheduledTokens}`, 'numScheduledTokens');
      }
      numFirstPassTokens += r.numScheduledTokens;
      if (r.isPrefillChunk) continue;
      const ids: number[] = [];
      for (let i = 0; i < this.numSpeculativeTokens; i++) ids.push(this.rng.int(this.vocabSize));
      drafts.set(r.reqId, ids);
    }
    const n = drafts.size;
    return {
      drafts,
      workload: { numPasses: n > 0 ? this.numSpeculativeTokens : 0, numFirstPassTokens: n > 0 ? numFirstPassTokens : 0, numDraftingRequests: n },
    };
  }
}
