// Ensembles and one-at-a-time sensitivity over a stand-in simulation whose metric is a known
// function of the knobs, so sampling, sorting, shares and quantiles are checked exactly.
import { describe, expect, it } from 'vitest';
import type { SimulateServeOptions } from '../../../engine/serve-sim/simulate-serve';
import { ensemble, ensembleSamples, quantileSorted, summarizeEnsemble } from '../../../engine/sensitivity/ensemble';
import type { KnobRange } from '../../../engine/sensitivity/knob-range';
import { sensitivity } from '../../../engine/sensitivity/sensitivity';
import { ASYNC_VS_SYNC, throughputRatio, variantOptions } from '../../../engine/sensitivity/variant-runs';

const a: KnobRange = { kind: 'number', origin: 'simulation', name: 'a', low: 0.2, high: 1, base: 0.5, reason: 'test knob a' };
const b: KnobRange = { kind: 'number', origin: 'simulation', name: 'b', low: 0, high: 12, base: 5, reason: 'test knob b' };
const c: KnobRange = { kind: 'choice', origin: 'simulation', name: 'c', values: [false, true], base: true, reason: 'test knob c' };

// Throughput of the async variant falls with b and, when c is on, with a; sync stays at 100.
function fakeSimulate(o: SimulateServeOptions) {
  const s = o.set ?? {};
  const av = Number(s.a ?? 0.5), bv = Number(s.b ?? 5), cv = s.c ?? true;
  const isAsync = s.asyncScheduling === true;
  return { metrics: { outputThroughput: isAsync ? 100 * (1.05 - 0.01 * bv - (cv ? 0.1 * av : 0)) : 100 } };
}
const run = { serve: 'vllm serve m', bench: 'vllm bench serve', set: { era: 'report-2025-11-28' }, variants: ASYNC_VS_SYNC };
const metric = throughputRatio('async', 'sync');

describe('variants', () => {
  it('applies knobs on top of every variant, and the metric sees both', () => {
    const o = variantOptions(run, { a: 0.1 });
    expect(Object.keys(o)).toEqual(['async', 'sync']);
    expect(o.async!.set).toEqual({ era: 'report-2025-11-28', asyncScheduling: true, a: 0.1 });
    expect(o.sync!.set).toEqual({ era: 'report-2025-11-28', asyncScheduling: false, a: 0.1 });
    expect(() => metric({ async: { metrics: { outputThroughput: 1 } } })).toThrow(/no variant named 'sync'/);
  });
});

const below = (m: number) => m < 0.995;

describe('sensitivity', () => {
  it('moves each knob alone to both ends, sorts by swing and names the knobs that flip the conclusion', () => {
    const calls: SimulateServeOptions[] = [];
    const seen: number[] = [];
    const r = sensitivity(run, { knobs: [a, b, c], metric, conclusion: below, simulate: (o) => (calls.push(o), fakeSimulate(o)), onProgress: (p) => seen.push(p.done) });
    expect(r.numEvaluations).toBe(7);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(calls).toHaveLength(14);
    // Only the varied knob is set; every other stays at the run's value.
    expect(calls.filter((o) => 'b' in o.set! && !('a' in o.set!) && !('c' in o.set!))).toHaveLength(4);
    expect(r.metricBase).toBeCloseTo(0.95, 12);
    expect(r.holdsAtBase).toBe(true);
    expect(r.rows.map((x) => x.knob)).toEqual(['b', 'a', 'c']);
    const [rb, ra, rc] = r.rows;
    expect(rb!.metricLow).toBeCloseTo(1.0, 12);
    expect(rb!.metricHigh).toBeCloseTo(0.88, 12);
    expect(rb!.swing).toBeCloseTo(0.12, 12);
    expect(ra!.swing).toBeCloseTo(0.08, 12);
    expect(rc!.low).toBe(false);
    expect(rc!.metricLow).toBeCloseTo(1.0, 12);
    expect(rc!.swing).toBeCloseTo(0.05, 12);
    expect(ra!.holdsAtLow).toBe(true);
    expect(r.flips).toEqual(['b', 'c']);
  });

  it('orders equal swings by knob name, and refuses a duplicated knob or a missing metric', () => {
    const twin: KnobRange = { ...a, name: 'aa' };
    const r = sensitivity(run, { knobs: [twin, a], metric, simulate: (o) => fakeSimulate({ ...o, set: { ...o.set, a: o.set!.aa ?? o.set!.a ?? 0.5 } }) });
    expect(r.rows.map((x) => x.knob)).toEqual(['a', 'aa']);
    expect(r.flips).toEqual([]);
    expect(r.holdsAtBase).toBeNull();
    expect(() => sensitivity(run, { knobs: [a, a], metric, simulate: fakeSimulate })).toThrow(/listed twice/);
    expect(() => sensitivity(run, { knobs: [a], simulate: fakeSimulate } as never)).toThrow(/options.metric/);
  });
});

describe('ensemble', () => {
  it('is deterministic: the same seed gives the same samples and result, another seed other samples', () => {
    const o = { samples: 20, seed: 7, knobs: [a, b, c], metric, conclusion: below, simulate: fakeSimulate };
    const r1 = ensemble(run, o), r2 = ensemble(run, o);
    expect(JSON.stringify(r2)).toBe(JSON.stringify(r1));
    const r3 = ensemble(run, { ...o, seed: 8 });
    expect(r3.samples.map((s) => s.values)).not.toEqual(r1.samples.map((s) => s.values));
    // Adding a knob leaves the other knobs' columns unchanged (one seeded stream per knob name).
    const withD = ensembleSamples([a, b, c, { ...a, name: 'd' }], 20, 7);
    expect(withD.map((v) => v.b)).toEqual(r1.samples.map((s) => s.values.b));
  });

  it('Latin hypercube: each knob puts exactly one sample in each of n equal strata', () => {
    const n = 16;
    const plan = ensembleSamples([a, b, c], n, 3);
    const strata = (vals: number[], lo: number, hi: number) => vals.map((v) => Math.floor(((v - lo) / (hi - lo)) * n)).sort((x, y) => x - y);
    expect(strata(plan.map((p) => p.a as number), 0.2, 1)).toEqual([...Array(n).keys()]);
    expect(strata(plan.map((p) => p.b as number), 0, 12)).toEqual([...Array(n).keys()]);
    expect(plan.filter((p) => p.c === true)).toHaveLength(n / 2);
    const plain = ensembleSamples([a, b], n, 3, 'random');
    expect(plain).toHaveLength(n);
    expect(() => ensembleSamples([a], 0, 1)).toThrow(/samples/);
  });

  it('reports the share of samples in which the conclusion holds, and the distribution', () => {
    const r = ensemble(run, { samples: 40, seed: 1, knobs: [a, b, c], metric, conclusion: below, simulate: fakeSimulate });
    const expected = r.samples.filter((s) => below(s.metric)).length;
    expect(r.numHolding).toBe(expected);
    expect(r.share).toBeCloseTo(expected / 40, 12);
    expect(r.share!).toBeGreaterThan(0.5);
    expect(r.share!).toBeLessThan(1);
    for (const s of r.samples) {
      const v = s.values;
      expect(s.metric).toBeCloseTo(1.05 - 0.01 * (v.b as number) - (v.c ? 0.1 * (v.a as number) : 0), 12);
    }
    expect(r.min).toBeLessThanOrEqual(r.quantiles.p5);
    expect(r.quantiles.p5).toBeLessThanOrEqual(r.quantiles.p50);
    expect(r.quantiles.p95).toBeLessThanOrEqual(r.max);
    expect(r.knobs).toEqual(['a', 'b', 'c']);
    expect(r.method).toBe('latin-hypercube');
  });

  it('summarizes by linear interpolation and without a conclusion gives no share', () => {
    const s = summarizeEnsemble([4, 1, 3, 2, 5], [true, false, true, false, false]);
    expect(s.mean).toBe(3);
    expect(s.quantiles.p50).toBe(3);
    expect(s.quantiles.p25).toBe(2);
    expect(s.quantiles.p5).toBeCloseTo(1.2, 12);
    expect(s.share).toBeCloseTo(0.4, 12);
    expect(summarizeEnsemble([1, 2]).share).toBeNull();
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});
