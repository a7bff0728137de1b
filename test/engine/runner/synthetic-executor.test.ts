import { describe, expect, it } from 'vitest';
import { PerPositionAcceptance } from '../../../engine/spec-decode/acceptance-model';
import { SyntheticExecutor, syntheticProposer } from '../../../engine/runner/synthetic-executor';
import { acceptanceUniform, requestKey, syntheticToken } from '../../../engine/runner/synthetic-tokens';
import { withCostModel } from '../../../engine/runner/with-cost-model';
import { linearStepCost } from '../../../engine/cost/linear-step-cost';
import type { SchedulerOutput, ScheduledRequest } from '../../../engine/contracts/scheduler-output';
import { isUniformDecode } from '../../../engine/cost/cudagraph-mode';

function row(p: Partial<ScheduledRequest>): ScheduledRequest {
  return { reqId: 'a', kind: 'running', numScheduledTokens: 1, numComputedTokens: 0, numPromptTokens: 4, numTokens: 4, numSpecTokens: 0, newBlockIds: [], numCachedTokens: 0, isPrefillChunk: false, ...p };
}

function out(batchId: number, scheduled: ScheduledRequest[], extra: Partial<SchedulerOutput> = {}): SchedulerOutput {
  return {
    batchId, scheduled, totalNumScheduledTokens: scheduled.reduce((s, r) => s + r.numScheduledTokens, 0), newRequestTokenIds: {},
    scheduledSpecDecodeTokens: {}, preemptedReqIds: [], finishedReqIds: [], numCommonPrefixBlocks: 0, ...extra,
  };
}

describe('synthetic acceptance (vLLM synthetic rejection sampler)', () => {
  it('turns unconditional rates into conditional ones and accepts a prefix', () => {
    const m = new PerPositionAcceptance([0.8, 0.4, 0.1]);
    // conditional: 0.8, 0.5, 0.25
    expect(m.numAccepted(3, () => 0.79)).toBe(1);
    expect(m.numAccepted(3, () => 0.45)).toBe(2);
    expect(m.numAccepted(3, (i) => [0.1, 0.49, 0.2][i]!)).toBe(3);
    expect(m.numAccepted(3, () => 0.9)).toBe(0);
    expect(m.numAccepted(2, () => 0)).toBe(2);
    // Empirical mean acceptance matches Σ r_i.
    let total = 0;
    const n = 20000;
    for (let t = 0; t < n; t++) total += m.numAccepted(3, (i) => acceptanceUniform(1, 99, t, i));
    expect(total / n).toBeCloseTo(0.8 + 0.4 + 0.1, 1);
  });
});

describe('SyntheticExecutor', () => {
  it('emits positional tokens, keeps device-side lengths, proposes drafts in sync mode', () => {
    const ex = new SyntheticExecutor({ seed: 5, vocabSize: 1000, acceptance: new PerPositionAcceptance([1, 1]), proposer: syntheticProposer(2) });
    const key = requestKey(5, 'a');
    const r0 = ex.execute(out(0, [row({ kind: 'new', numScheduledTokens: 4 })], { newRequestTokenIds: { a: [1, 2, 3, 4] } }));
    expect(r0.stepTimeUs).toBeNull();
    expect(r0.output.sampledTokenIds).toEqual([[syntheticToken(5, key, 4, 1000)]]);
    expect(r0.output.draftTokenIds).toEqual([[syntheticToken(5, key, 5, 1000), syntheticToken(5, key, 6, 1000)]]);
    const r1 = ex.execute(out(1, [row({ numScheduledTokens: 3, numComputedTokens: 4, numSpecTokens: 2 })]));
    expect(r1.output.sampledTokenIds[0]).toEqual([5, 6, 7].map((p) => syntheticToken(5, key, p, 1000)));
    const state = JSON.parse(JSON.stringify(ex.snapshotState()));
    const copy = new SyntheticExecutor({ seed: 5, vocabSize: 1000, acceptance: new PerPositionAcceptance([1, 1]), proposer: null });
    copy.restoreState(state);
    expect(copy.execute(out(2, [row({ numScheduledTokens: 1 })])).output.sampledTokenIds).toEqual([[syntheticToken(5, key, 8, 1000)]]);
    expect(() => copy.execute(out(3, [row({ reqId: 'ghost' })]))).toThrow(/no state for running request ghost/);
  });

  it('prefill chunks sample nothing; finished and preempted requests drop device state', () => {
    const ex = new SyntheticExecutor({ seed: 1, vocabSize: 10, acceptance: new PerPositionAcceptance([0.5]), proposer: null });
    expect(ex.execute(out(0, [row({ kind: 'new', numScheduledTokens: 2, isPrefillChunk: true })], { newRequestTokenIds: { a: [1, 2, 3, 4] } })).output.sampledTokenIds).toEqual([[]]);
    ex.execute(out(1, [], { finishedReqIds: ['a'] }));
    expect(ex.snapshotState()).toEqual([]);
  });

  it('withCostModel supplies step times; uniform decode needs exactly 1 + k tokens per request', () => {
    const ex = withCostModel(new SyntheticExecutor({ seed: 1, vocabSize: 10, acceptance: new PerPositionAcceptance([0.5]), proposer: null }), linearStepCost({ fixedUs: 100, perTokenUs: 2, perRequestUs: 10 }));
    const so = out(0, [row({ kind: 'new', numScheduledTokens: 4 })], { newRequestTokenIds: { a: [1, 2, 3, 4] } });
    expect(ex.execute(so).stepTimeUs).toBe(100 + 8 + 10);
    expect(isUniformDecode(out(0, [row({ numScheduledTokens: 4 }), row({ reqId: 'b', numScheduledTokens: 4 })]), 3)).toBe(true);
    expect(isUniformDecode(out(0, [row({ numScheduledTokens: 4 }), row({ reqId: 'b', numScheduledTokens: 3 })]), 3)).toBe(false);
    expect(isUniformDecode(out(0, [row({ numScheduledTokens: 1 })]), 1)).toBe(false);
    expect(() => linearStepCost({ fixedUs: -1, perTokenUs: 0, perRequestUs: 0 })).toThrow(/fixedUs/);
  });
});
