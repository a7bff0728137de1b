import { describe, expect, it } from 'vitest';
import type { MaxTokensCapPolicy } from '../../../engine/config/engine-config';
import { makeEngine, range, scriptedAcceptance, tokensPerStep } from './factories';

/** engine-semantics.md §11.6: P = 8, M = 12, k = 3, async, one request. */
function run(policy: MaxTokensCapPolicy, script: number[], asyncScheduling = true): number[] {
  const e = makeEngine(
    { asyncScheduling, maxTokensCapPolicy: policy, speculative: { method: 'mtp', numSpeculativeTokens: 3 } },
    { acceptance: () => scriptedAcceptance(script) },
  );
  e.addRequest({ requestId: 'r', promptTokenIds: range(0, 8), maxTokens: 12 });
  const steps = tokensPerStep(e, 'r');
  expect(e.request('r').outputTokenIds).toHaveLength(12);
  return steps;
}

const ACCEPT = [0, 0, 0, 0, 2];

describe('§11.6 worked example: tokens scheduled per step under each max_tokens rule', () => {
  it('#27922 cap: partial drafts and one mid-life skip', () => {
    expect(run('cap_27922', ACCEPT)).toEqual([8, 4, 4, 4, 4, 4, 3, 1, 2, 0, 1, 0]);
  });
  it('#29542 cap: partial drafts near the end, no mid-life skip', () => {
    expect(run('cap_29542', ACCEPT)).toEqual([8, 4, 4, 4, 4, 4, 4, 3, 2, 1, 0]);
  });
  it('#29759 rule: always full 1 + k, then skip once the finish is certain', () => {
    expect(run('skip_29759', ACCEPT)).toEqual([8, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0]);
  });
  it('every draft rejected', () => {
    expect(run('cap_27922', [])).toEqual([8, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1, 0]);
    expect(run('cap_29542', [])).toEqual([8, 4, 4, 4, 4, 4, 4, 4, 4, 3, 2, 1, 0]);
    expect(run('skip_29759', [])).toEqual([8, ...Array<number>(11).fill(4), 0]);
  });
  it('the #27922 cap also truncates drafts in sync mode (steady state cap = r)', () => {
    const steps = run('cap_27922', [], false);
    // Sync: each step yields one token; the cap r = M − n drops below 1 + k for the last 3 steps.
    expect(steps).toEqual([8, 4, 4, 4, 4, 4, 4, 4, 4, 3, 2, 1]);
    expect(run('none', [], false)).toEqual([8, ...Array<number>(11).fill(4)]);
  });
});

describe('speculative decoding accounting', () => {
  it('sync: rejected drafts roll numComputedTokens back; stats count drafts and accepted tokens', () => {
    const e = makeEngine({ speculative: { method: 'mtp', numSpeculativeTokens: 3 } }, { acceptance: () => scriptedAcceptance([1, 3, 0]) });
    e.addRequest({ requestId: 'r', promptTokenIds: range(0, 8), maxTokens: 20 });
    e.step(); // prefill → 1 token + 3 drafts proposed
    expect(e.request('r')).toMatchObject({ numTokens: 9, numComputedTokens: 8, numSpecTokens: 3 });
    const r1 = e.step(); // verify 3, accept 1 → 2 tokens; 2 rejected
    expect(r1.schedule!.requests[0]).toMatchObject({ numScheduledTokens: 4, numSpecTokens: 3, numComputedTokens: 8 });
    expect(r1.processed!.outputs[0]).toMatchObject({ numDraftTokens: 3, numAcceptedTokens: 1 });
    expect(e.request('r')).toMatchObject({ numTokens: 11, numComputedTokens: 10 });
    e.step(); // accept 3 → 4 tokens
    expect(e.request('r')).toMatchObject({ numTokens: 15, numComputedTokens: 14 });
    expect(e.stats.specDecoding).toMatchObject({ numDrafts: 2, numDraftTokens: 6, numAcceptedTokens: 4, numAcceptedTokensPerPos: [2, 1, 1] });
    expect(e.stats.specDecoding.meanAcceptanceLength).toBe(3);
  });

  it('async: placeholders count in-flight tokens; rejections subtract from both counters', () => {
    const e = makeEngine(
      { asyncScheduling: true, speculative: { method: 'mtp', numSpeculativeTokens: 3 } },
      { acceptance: () => scriptedAcceptance([0]) },
    );
    e.addRequest({ requestId: 'r', promptTokenIds: range(0, 8), maxTokens: 20 });
    const r0 = e.step();
    expect(r0.processed).toBeNull();
    expect(e.request('r')).toMatchObject({ numComputedTokens: 8, numOutputPlaceholders: 1, numSpecTokens: 3, numTokens: 8 });
    const r1 = e.step(); // schedules 4 more before step 0's token is known; processes batch 0
    expect(r1.schedule!.batchId).toBe(1);
    expect(r1.processed!.batchId).toBe(0);
    expect(r1.schedule!.requests[0]).toMatchObject({ numScheduledTokens: 4, numSpecTokens: 3 });
    expect(e.request('r')).toMatchObject({ numComputedTokens: 12, numOutputPlaceholders: 4, numTokens: 9 });
    e.step(); // schedules batch 2, processes batch 1: all 3 drafts rejected
    // 12 + 4 scheduled − 3 rejected = 13; placeholders 4 + 4 − 3 − 1 = 4 (batch 2 in flight).
    expect(e.request('r')).toMatchObject({ numComputedTokens: 13, numOutputPlaceholders: 4, numTokens: 10 });
  });

  it('ngram needs no lookahead slots; EAGLE/MTP reserve k; draft_model shrinks the token budget', () => {
    const mtp = makeEngine({ speculative: { method: 'mtp', numSpeculativeTokens: 3 } });
    mtp.addRequest({ requestId: 'r', promptTokenIds: range(0, 8), maxTokens: 4 });
    mtp.step();
    const r = mtp.step(); // 8 computed + 4 scheduled + 3 lookahead = 15 → 4 blocks
    expect(mtp.blockTable('r')).toHaveLength(4);
    expect(r.schedule!.requests[0]!.newBlockIds).toEqual([3, 4]);
    const ng = makeEngine({ speculative: { method: 'ngram', numSpeculativeTokens: 3 } });
    ng.addRequest({ requestId: 'r', promptTokenIds: range(0, 8), maxTokens: 4 });
    ng.step();
    ng.step(); // 12 slots → 3 blocks
    expect(ng.blockTable('r')).toHaveLength(3);
    const dm = makeEngine({ maxNumBatchedTokens: 32, maxNumSeqs: 8, speculative: { method: 'draft_model', numSpeculativeTokens: 2 } });
    dm.addRequest({ requestId: 'r', promptTokenIds: range(0, 40), maxTokens: 4 });
    expect(dm.step().schedule!.totalNumScheduledTokens).toBe(24);
  });
});
