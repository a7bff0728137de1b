import { describe, expect, it } from 'vitest';
import { promptTokenIds, requestReleaseTimes, sampleGamma, sampleRandomRequests } from '../../../engine/serve-sim/index';
import { Rng } from '../../../engine/base/rng';

describe('random dataset', () => {
  it('range ratio 0 gives exact lengths; prefix adds to the prompt', () => {
    const r = sampleRandomRequests({ numPrompts: 5, inputLen: 1024, outputLen: 1024, rangeRatio: 0, prefixLen: 0, seed: 0 });
    expect(r.every((x) => x.promptLen === 1024 && x.expectedOutputLen === 1024)).toBe(true);
    const p = sampleRandomRequests({ numPrompts: 2, inputLen: 100, outputLen: 10, rangeRatio: 0, prefixLen: 16, seed: 0, numSpecialTokens: 1 });
    expect(p[0]!.promptLen).toBe(16 + 99);
  });

  it('lengths stay within vLLM\'s inclusive ranges and cover both ends; seeded', () => {
    const o = { numPrompts: 4000, inputLen: 100, outputLen: 10, rangeRatio: { input: 0.5, output: 0.25 }, prefixLen: 0, seed: 3 };
    const r = sampleRandomRequests(o);
    const ins = r.map((x) => x.promptLen);
    const outs = r.map((x) => x.expectedOutputLen);
    expect([Math.min(...ins), Math.max(...ins)]).toEqual([50, 150]);
    expect([Math.min(...outs), Math.max(...outs)]).toEqual([7, 13]);
    expect(sampleRandomRequests(o)).toEqual(r);
    expect(sampleRandomRequests({ ...o, seed: 4 })).not.toEqual(r);
  });

  it('prompt tokens follow the (offset + i + j) pattern after the prefix', () => {
    const ids = promptTokenIds({ index: 2, promptLen: 5, expectedOutputLen: 1, vocabOffset: 98 }, [7, 7], 100);
    expect(ids).toEqual([7, 7, 0, 1, 2]);
  });

  it('bad arguments are named', () => {
    expect(() => sampleRandomRequests({ numPrompts: 0, inputLen: 1, outputLen: 1, rangeRatio: 0, prefixLen: 0, seed: 0 })).toThrowError(/numPrompts/);
    expect(() => sampleRandomRequests({ numPrompts: 1, inputLen: 1, outputLen: 1, rangeRatio: 1, prefixLen: 0, seed: 0 })).toThrowError(/rangeRatio/);
  });
});

describe('traffic', () => {
  it('inf releases everything at t = 0', () => {
    expect(requestReleaseTimes({ numRequests: 3, requestRate: Infinity, burstiness: 1, seed: 0 })).toEqual([0, 0, 0]);
  });

  it('finite rate: non-decreasing, last request exactly at N / rate', () => {
    for (const burstiness of [0.5, 1, 4, Infinity]) {
      const t = requestReleaseTimes({ numRequests: 200, requestRate: 10, burstiness, seed: 1 });
      expect(t.at(-1)).toBeCloseTo(20, 9);
      for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    }
    const c = requestReleaseTimes({ numRequests: 4, requestRate: 2, burstiness: Infinity, seed: 0 });
    expect(c.map((x) => +x.toFixed(9))).toEqual([0.5, 1, 1.5, 2]);
  });

  it('gamma gaps have the right mean and burstier traffic has more spread (CV² = 1/burstiness)', () => {
    const rng = new Rng(9);
    const xs = Array.from({ length: 20_000 }, () => sampleGamma(0.5, rng));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(v).toBeCloseTo(0.5, 1);
    expect(() => requestReleaseTimes({ numRequests: 1, requestRate: 0, burstiness: 1, seed: 0 })).toThrowError(/requestRate/);
  });
});
