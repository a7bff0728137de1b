import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import { makeBatch } from '../cost/make-batch';
import {
  PerPositionAcceptance, DEEPSEEK_MTP_ACCEPTANCE_RATES, MtpProposer, SpecDecodeCounters, applyRejections, releasePlaceholders,
  verificationResult, verifyGreedy, verifySynthetic,
} from '../../../engine/spec-decode/index';

describe('acceptance model', () => {
  it('converts unconditional rates to conditional ones', () => {
    const m = new PerPositionAcceptance([0.8, 0.4, 0.1]);
    expect(m.conditionalRates[0]).toBeCloseTo(0.8, 12);
    expect(m.conditionalRates[1]).toBeCloseTo(0.5, 12);
    expect(m.conditionalRates[2]).toBeCloseTo(0.25, 12);
    expect(m.expectedAcceptanceLength(3)).toBeCloseTo(2.3, 12);
  });

  it('DeepSeek MTP defaults truncated to k = 3 give AL ≈ 2.89', () => {
    expect(new PerPositionAcceptance(DEEPSEEK_MTP_ACCEPTANCE_RATES).expectedAcceptanceLength(3)).toBeCloseTo(2.891, 3);
  });

  it('mean acceptance length becomes the minimum-variance schedule', () => {
    expect(PerPositionAcceptance.fromMeanAcceptanceLength(2.5, 3).perPositionRates).toEqual([1, 0.5, 0]);
    expect(PerPositionAcceptance.fromMeanAcceptanceLength(4, 3).perPositionRates).toEqual([1, 1, 1]);
    expect(PerPositionAcceptance.fromMeanAcceptanceLength(1, 2).perPositionRates).toEqual([0, 0]);
    expect(() => PerPositionAcceptance.fromMeanAcceptanceLength(4.5, 3)).toThrowError(/meanAcceptanceLength/);
  });

  it('rejects increasing or out-of-range rates, naming the argument', () => {
    expect(() => new PerPositionAcceptance([0.5, 0.6])).toThrowError(/acceptanceRates\[1\]/);
    expect(() => new PerPositionAcceptance([1.2])).toThrowError(/acceptanceRates\[0\]/);
    expect(() => new PerPositionAcceptance([])).toThrowError(/acceptanceRates/);
  });

  it('sampling is seeded and its frequencies match the per-position rates', () => {
    const m = new PerPositionAcceptance([0.8, 0.6, 0.3]);
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 50 }, () => m.sampleNumAccepted(3, a));
    expect(Array.from({ length: 50 }, () => m.sampleNumAccepted(3, b))).toEqual(xs);
    const rng = new Rng(1);
    const stats = new SpecDecodeCounters(3);
    for (let i = 0; i < 40_000; i++) stats.observe(3, m.sampleNumAccepted(3, rng));
    const r = stats.metrics().perPositionAcceptanceRates;
    expect(r[0]).toBeCloseTo(0.8, 1);
    expect(r[1]).toBeCloseTo(0.6, 1);
    expect(r[2]).toBeCloseTo(0.3, 1);
  });

  it('certain and impossible acceptance', () => {
    const rng = new Rng(3);
    expect(verifySynthetic(3, new PerPositionAcceptance([1, 1, 1]), rng).numEmitted).toBe(4);
    expect(verifySynthetic(3, new PerPositionAcceptance([0, 0, 0]), rng)).toEqual({ numDrafts: 3, numAccepted: 0, numRejected: 3, numEmitted: 1 });
  });
});

describe('verification accounting', () => {
  it('greedy: accepted prefix plus the recovered or bonus token', () => {
    expect(verifyGreedy([5, 6, 7], [5, 9, 7, 1])).toEqual({ result: { numDrafts: 3, numAccepted: 1, numRejected: 2, numEmitted: 2 }, emittedIds: [5, 9] });
    expect(verifyGreedy([5, 6, 7], [5, 6, 7, 8]).emittedIds).toEqual([5, 6, 7, 8]);
    expect(verifyGreedy([], [4]).result.numEmitted).toBe(1);
    expect(() => verifyGreedy([1, 2], [1, 2])).toThrowError(/targetIds/);
  });

  it('sync rollback: num_computed_tokens -= rejected, placeholders untouched', () => {
    // P = 8 prompt, n = 3 outputs, step verifying 3 drafts: computed = 8 + 3 - 1 + 4 = 14.
    const after = applyRejections({ numComputedTokens: 14, numOutputPlaceholders: 0 }, verificationResult(3, 1), false);
    expect(after).toEqual({ numComputedTokens: 12, numOutputPlaceholders: 0 });
  });

  it('async rollback: placeholders shrink by rejected, then by appended tokens', () => {
    // Steady state: computed = P + n + k, placeholders 1 + k (engine-semantics.md §11.2).
    const v = verificationResult(3, 2);
    const rolled = applyRejections({ numComputedTokens: 8 + 5 + 3, numOutputPlaceholders: 4 }, v, true);
    expect(rolled).toEqual({ numComputedTokens: 15, numOutputPlaceholders: 3 });
    expect(releasePlaceholders(rolled, v.numEmitted, true)).toEqual({ numComputedTokens: 15, numOutputPlaceholders: 0 });
    expect(releasePlaceholders(rolled, 3, false)).toEqual(rolled);
  });

  it('a preempted request (computed reset to 0) is not rolled back below zero', () => {
    expect(applyRejections({ numComputedTokens: 0, numOutputPlaceholders: 0 }, verificationResult(3, 0), true)).toEqual({ numComputedTokens: 0, numOutputPlaceholders: 0 });
  });

  it('bad counts name the argument', () => {
    expect(() => verificationResult(2, 3)).toThrowError(/numAccepted/);
    expect(() => verificationResult(-1, 0)).toThrowError(/numDrafts/);
  });
});

describe('spec-decode metrics', () => {
  it('matches hand-computed acceptance rate, mean acceptance length and per-position rates', () => {
    const s = new SpecDecodeCounters(3);
    s.observe(3, 3);
    s.observe(3, 1);
    s.observe(2, 0);
    s.observe(0, 0); // no drafts: not counted
    const m = s.metrics();
    expect(m.numDrafts).toBe(3);
    expect(m.numDraftTokens).toBe(8);
    expect(m.numAcceptedTokens).toBe(4);
    expect(m.acceptanceRate).toBeCloseTo(0.5, 12);
    expect(m.meanAcceptanceLength).toBeCloseTo(1 + 4 / 3, 12);
    expect(m.acceptedPerPosition).toEqual([2, 1, 1]);
    expect(m.perPositionAcceptanceRates.map((x) => +x.toFixed(6))).toEqual([0.666667, 0.333333, 0.333333]);
  });

  it('merge adds counts; empty stats report AL 1', () => {
    const a = new SpecDecodeCounters(2);
    a.observe(2, 2);
    const b = new SpecDecodeCounters(2);
    b.observe(2, 0);
    a.merge(b);
    expect(a.metrics().acceptedPerPosition).toEqual([1, 1]);
    expect(new SpecDecodeCounters(2).metrics().meanAcceptanceLength).toBe(1);
    expect(() => a.merge(new SpecDecodeCounters(3))).toThrowError(/other/);
    expect(() => a.observe(3, 0)).toThrowError(/numDraftTokens/);
  });
});

describe('MTP proposer', () => {
  const so = (rows: { reqId: string; n: number; chunk: boolean }[]) => makeBatch(0, rows.map((r) => ({ id: r.reqId, n: r.n, chunk: r.chunk })));

  it('drafts the next k tokens of the sequence (argmax in the synthetic world)', () => {
    const p = new MtpProposer(3);
    expect(p.propose({ reqId: 'a', key: 1, numTokens: 7, tokenAt: (i) => 100 + i })).toEqual([107, 108, 109]);
  });

  it('drafter workload: k passes, pass 1 over every token, later passes one token per sampling request', () => {
    const p = new MtpProposer(3);
    expect(p.workload(so([{ reqId: 'a', n: 4, chunk: false }, { reqId: 'b', n: 512, chunk: true }, { reqId: 'c', n: 100, chunk: false }])))
      .toEqual({ numPasses: 3, numFirstPassTokens: 616, numDraftingRequests: 2 });
    expect(p.workload(so([{ reqId: 'x', n: 9, chunk: true }])).numPasses).toBe(0);
    expect(() => new MtpProposer(0)).toThrowError(/numSpeculativeTokens/);
  });

  it('implements the executor-facing acceptance interface with explicit uniforms', () => {
    const m = new PerPositionAcceptance([0.8, 0.4, 0.1]);
    // c = [0.8, 0.5, 0.25]: u = [0.7, 0.49, 0.3] accepts two, then fails at position 2.
    expect(m.numAccepted(3, (i) => [0.7, 0.49, 0.3][i]!)).toBe(2);
    expect(m.numAccepted(3, (i) => [0.81, 0, 0][i]!)).toBe(0);
    expect(m.numAccepted(1, () => 0)).toBe(1);
  });
});
