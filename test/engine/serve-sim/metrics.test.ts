import { describe, expect, it } from 'vitest';
import { computeBenchmarkMetrics, metricStats, percentileLinear, type RequestTiming } from '../../../engine/serve-sim/index';

// Three hand-made requests (seconds). Hand-computed values below.
const OUTS: RequestTiming[] = [
  { success: true, promptLen: 10, outputTokens: 5, startTime: 0, ttft: 0.1, itl: [0.2, 0.2, 0.3], latency: 0.8 },
  { success: true, promptLen: 20, outputTokens: 1, startTime: 0.5, ttft: 0.3, itl: [], latency: 0.3 },
  { success: true, promptLen: 30, outputTokens: 3, startTime: 1.2, ttft: 0.2, itl: [0.4], latency: 0.6 },
  { success: false, promptLen: 40, outputTokens: 0, startTime: 1.3, ttft: 0, itl: [], latency: 0, error: 'boom' },
];

describe('percentiles as numpy computes them', () => {
  it('linear interpolation between order statistics', () => {
    expect(percentileLinear([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileLinear([1, 2, 3, 4], 99)).toBeCloseTo(3.97, 12);
    expect(percentileLinear([5], 99)).toBe(5);
    expect(percentileLinear([], 99)).toBe(0);
    expect(() => percentileLinear([1], 101)).toThrowError(/percentile/);
  });

  it('population std, empty sample as [0]', () => {
    const s = metricStats([0.001, 0.003], [50, 90]);
    expect(s.meanMs).toBeCloseTo(2, 12);
    expect(s.stdMs).toBeCloseTo(1, 12);
    expect(s.percentilesMs).toEqual([[50, expect.closeTo(2, 12)], [90, expect.closeTo(2.8, 12)]]);
    expect(metricStats([], [99])).toEqual({ meanMs: 0, medianMs: 0, stdMs: 0, percentilesMs: [[99, 0]] });
  });
});

/** metricStats as it was before the counting sort: the typed-array sort, summed in sorted order. */
function referenceStats(xs: readonly number[], percentiles: readonly number[]) {
  const a = xs.length === 0 ? Float64Array.of(0) : Float64Array.from(xs).sort();
  let sum = 0;
  for (const x of a) sum += x;
  const mean = sum / a.length;
  let ss = 0;
  for (const x of a) ss += (x - mean) * (x - mean);
  return {
    meanMs: mean * 1000, medianMs: percentileLinear(a, 50) * 1000, stdMs: Math.sqrt(ss / a.length) * 1000,
    percentilesMs: percentiles.map((p) => [p, percentileLinear(a, p) * 1000] as const),
  };
}

describe('large samples (the counting sort of repeated gaps)', () => {
  it('gives bit-identical stats to the typed-array sort, with few or many distinct values, NaN and −0', () => {
    const steps = Array.from({ length: 300 }, (_, i) => 0.02 + ((i * 7919) % 101) * 1e-5 + i * 1e-12);
    const repeated = Array.from({ length: 20_000 }, (_, i) => steps[(i * 31) % steps.length]!);
    const distinct = Array.from({ length: 20_000 }, (_, i) => Math.abs(Math.sin(i + 1)));
    const withZeros = [...repeated.slice(0, 10_000), -0, 0, 0, -0];
    const withNaN = [...repeated.slice(0, 10_000), Number.NaN];
    for (const xs of [repeated, distinct, withZeros, withNaN]) {
      const got = metricStats(xs, [50, 90, 99, 99.9]);
      const want = referenceStats(xs, [50, 90, 99, 99.9]);
      expect(Object.is(got.meanMs, want.meanMs)).toBe(true);
      expect(Object.is(got.stdMs, want.stdMs)).toBe(true);
      expect(Object.is(got.medianMs, want.medianMs)).toBe(true);
      got.percentilesMs.forEach(([p, v], i) => {
        expect(p).toBe(want.percentilesMs[i]![0]);
        expect(Object.is(v, want.percentilesMs[i]![1])).toBe(true);
      });
    }
  });
});

describe('benchmark metrics against hand-computed values', () => {
  const m = computeBenchmarkMetrics(OUTS, 2, { percentiles: [50, 99] });

  it('counts and throughputs', () => {
    expect([m.completed, m.failed, m.totalInput, m.totalOutput]).toEqual([3, 1, 60, 9]);
    expect(m.requestThroughput).toBe(1.5);
    expect(m.outputThroughput).toBe(4.5);
    expect(m.totalTokenThroughput).toBe(34.5);
    expect(m.requestGoodput).toBeNull();
  });

  it('TTFT over successes; TPOT only for outputs > 1: (0.8-0.1)/4 = 0.175, (0.6-0.2)/2 = 0.2', () => {
    expect(m.ttft.meanMs).toBeCloseTo(200, 9);
    expect(m.ttft.medianMs).toBeCloseTo(200, 9);
    expect(m.tpot.meanMs).toBeCloseTo(187.5, 9);
    expect(m.tpot.stdMs).toBeCloseTo(12.5, 9);
    expect(m.tpot.percentilesMs[1]![1]).toBeCloseTo(175 + 25 * 0.99, 9);
  });

  it('ITL pools every gap of every request; E2EL is the latency', () => {
    // gaps [0.2, 0.2, 0.3, 0.4]: mean 0.275, median 0.25.
    expect(m.itl.meanMs).toBeCloseTo(275, 9);
    expect(m.itl.medianMs).toBeCloseTo(250, 9);
    expect(m.e2el.meanMs).toBeCloseTo((800 + 300 + 600) / 3, 9);
  });

  it('peak output rate counts chunks per whole second; peak concurrency per second', () => {
    // chunk times: r0 0.1,0.3,0.5,0.8; r1 0.8; r2 1.4,1.8 → second 0 has 5 chunks.
    expect(m.maxOutputTokensPerS).toBe(5);
    // second 0: r0, r1; second 1: r2 (r0 ends at 0.8, r1 at 0.8) → 2.
    expect(m.maxConcurrentRequests).toBe(2);
  });

  it('goodput counts requests meeting every SLO (TPOT 0 for single-token outputs)', () => {
    const g = computeBenchmarkMetrics(OUTS, 2, { goodput: { ttft: 250, tpot: 190 } });
    // r0: ttft 100 ok, tpot 175 ok; r1: ttft 300 fails; r2: tpot 200 fails.
    expect(g.requestGoodput).toBe(0.5);
    expect(() => computeBenchmarkMetrics(OUTS, 0)).toThrowError(/duration/);
  });
});
