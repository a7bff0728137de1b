// Online-softmax state (sparse-mla.md §2.3–§2.4) and the sink-aware merge (§2.5–§2.6): the
// "define … = 0" cases, chunk invariance of (l·e^m, a·e^m), and the two merge forms agreeing.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/base/errors';
import { Rng } from '../../../engine/base/rng';
import { createOnlineSoftmaxState, finalizeOnlineSoftmax, onlineSoftmaxUpdate, type OnlineSoftmaxState } from '../../../engine/math/online-softmax';
import { applySink, mergeStatesWithSink, mergeSubsetsWithSink, sinkMergeWeights } from '../../../engine/math/sink-merge';

const H = 3;
const D = 5;

function randomCase(rng: Rng, n: number): { scores: Float64Array; values: Float64Array; valid: Uint8Array } {
  const scores = new Float64Array(H * n);
  const values = new Float64Array(n * D);
  const valid = new Uint8Array(n);
  for (let i = 0; i < scores.length; i++) scores[i] = rng.normal() * 3;
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  for (let c = 0; c < n; c++) valid[c] = rng.next() < 0.7 ? 1 : 0;
  return { scores, values, valid };
}

/** Feeds candidates [from, to) of a case as one chunk. */
function feed(s: OnlineSoftmaxState, k: ReturnType<typeof randomCase>, n: number, from: number, to: number): void {
  const m = to - from;
  const sc = new Float64Array(H * m);
  for (let h = 0; h < H; h++) for (let c = 0; c < m; c++) sc[h * m + c] = k.scores[h * n + from + c]!;
  onlineSoftmaxUpdate(s, sc, k.values.subarray(from * D, to * D), k.valid.subarray(from, to));
}

/** Direct softmax of head h over the valid candidates. */
function direct(k: ReturnType<typeof randomCase>, n: number, h: number): { out: number[]; lse: number } {
  let M = -Infinity;
  for (let c = 0; c < n; c++) if (k.valid[c]) M = Math.max(M, k.scores[h * n + c]!);
  if (M === -Infinity) return { out: new Array(D).fill(0), lse: -Infinity };
  let den = 0;
  const acc = new Array(D).fill(0);
  for (let c = 0; c < n; c++) {
    if (!k.valid[c]) continue;
    const w = Math.exp(k.scores[h * n + c]! - M);
    den += w;
    for (let d = 0; d < D; d++) acc[d] += w * k.values[c * D + d]!;
  }
  return { out: acc.map((a) => a / den), lse: M + Math.log(den) };
}

describe('online softmax', () => {
  it('a fresh state is (−∞, 0, 0) and finalises to (0, −∞)', () => {
    const s = createOnlineSoftmaxState(H, D);
    const f = finalizeOnlineSoftmax(s);
    expect(Array.from(f.lse)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(f.out.every((v) => v === 0)).toBe(true);
  });
  it('an all-invalid chunk (with NaN garbage in scores and rows) leaves the state unchanged, with no NaN', () => {
    const s = createOnlineSoftmaxState(H, D);
    onlineSoftmaxUpdate(s, new Float64Array(H * 2).fill(NaN), new Float64Array(2 * D).fill(NaN), [0, 0]);
    expect(Array.from(s.m)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(Array.from(s.l)).toEqual([0, 0, 0]);
    expect(s.acc.every((v) => v === 0)).toBe(true);
  });
  it('any chunking gives the same (o, lse) as the direct softmax, and l·e^m, a·e^m are invariant', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(40);
      const k = randomCase(rng, n);
      const one = createOnlineSoftmaxState(H, D);
      feed(one, k, n, 0, n);
      const chunked = createOnlineSoftmaxState(H, D);
      for (let from = 0; from < n; ) {
        const to = Math.min(n, from + 1 + rng.int(7));
        feed(chunked, k, n, from, to);
        from = to;
      }
      const f1 = finalizeOnlineSoftmax(one);
      const f2 = finalizeOnlineSoftmax(chunked);
      for (let h = 0; h < H; h++) {
        const want = direct(k, n, h);
        if (want.lse === -Infinity) {
          expect(f1.lse[h]).toBe(-Infinity);
          expect(f2.lse[h]).toBe(-Infinity);
          continue;
        }
        expect(Math.abs(f1.lse[h]! - want.lse)).toBeLessThan(1e-12);
        expect(Math.abs(f2.lse[h]! - want.lse)).toBeLessThan(1e-12);
        expect(Math.abs(one.l[h]! * Math.exp(one.m[h]!) - chunked.l[h]! * Math.exp(chunked.m[h]!))).toBeLessThan(1e-12 * one.l[h]! * Math.exp(one.m[h]!));
        for (let d = 0; d < D; d++) {
          expect(Math.abs(f1.out[h * D + d]! - want.out[d]!)).toBeLessThan(1e-12);
          expect(Math.abs(f2.out[h * D + d]! - want.out[d]!)).toBeLessThan(1e-12);
        }
      }
    }
  });
  it('updates only the requested head range', () => {
    const s = createOnlineSoftmaxState(H, D);
    onlineSoftmaxUpdate(s, [1, 2, 3], new Float64Array(D).fill(1), [1], 1, 2);
    expect(Array.from(s.m)).toEqual([-Infinity, 2, -Infinity]);
    expect(Array.from(s.l)).toEqual([0, 1, 0]);
  });
  it('shape mistakes name the argument', () => {
    const s = createOnlineSoftmaxState(H, D);
    expect(() => onlineSoftmaxUpdate(s, [1, 2], new Float64Array(D), [1])).toThrow(expect.objectContaining({ argument: 'scores' }));
    expect(() => onlineSoftmaxUpdate(s, [1, 2, 3], new Float64Array(D - 1), [1])).toThrow(expect.objectContaining({ argument: 'values' }));
    expect(() => createOnlineSoftmaxState(0, D)).toThrow(EngineError);
  });
});

describe('sink and merge', () => {
  it('raw-state merge equals the finalised-subset merge, for 1, 2 and 3 subsets, with and without a sink', () => {
    const rng = new Rng(22);
    for (let trial = 0; trial < 40; trial++) {
      const J = 1 + rng.int(3);
      const states = Array.from({ length: J }, () => {
        const n = rng.int(6);
        const k = randomCase(rng, n);
        const s = createOnlineSoftmaxState(H, D);
        if (n > 0) feed(s, k, n, 0, n);
        return s;
      });
      const sink = Array.from({ length: H }, () => (rng.next() < 0.3 ? -Infinity : rng.normal() * 2));
      const a = mergeStatesWithSink(states, sink);
      const b = mergeSubsetsWithSink(states.map(finalizeOnlineSoftmax), sink, H, D);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-12);
    }
  });
  it('the sink touches only the denominator: out = o / (1 + e^(σ − lse))', () => {
    const rng = new Rng(23);
    const k = randomCase(rng, 8);
    k.valid.fill(1);
    const s = createOnlineSoftmaxState(H, D);
    feed(s, k, 8, 0, 8);
    const f = finalizeOnlineSoftmax(s);
    const sink = [0.5, -Infinity, 3];
    const out = applySink(f, sink, H, D);
    for (let h = 0; h < H; h++) {
      const factor = 1 / (1 + Math.exp(sink[h]! - f.lse[h]!));
      for (let d = 0; d < D; d++) expect(Math.abs(out[h * D + d]! - f.out[h * D + d]! * factor)).toBeLessThan(1e-14);
    }
    // No sink means plain softmax.
    for (let d = 0; d < D; d++) expect(out[D + d]).toBe(f.out[D + d]);
  });
  it('an empty subset (lse −∞) with a finite sink gives exactly 0; with no sink also 0', () => {
    const empty = finalizeOnlineSoftmax(createOnlineSoftmaxState(H, D));
    expect(mergeSubsetsWithSink([empty, empty], [0.25, -Infinity, 10], H, D).every((v) => v === 0)).toBe(true);
    expect(mergeStatesWithSink([createOnlineSoftmaxState(H, D)], [0.25, -Infinity, 10]).every((v) => v === 0)).toBe(true);
  });
  it('merge weights: M, w_j = e^(lse_j − M), w_sink', () => {
    const w = sinkMergeWeights([1, -Infinity, 0], 2);
    expect(w.M).toBe(2);
    expect(w.weights).toEqual([Math.exp(-1), 0, Math.exp(-2)]);
    expect(w.sinkWeight).toBe(1);
    expect(sinkMergeWeights([-Infinity], -Infinity)).toEqual({ M: -Infinity, weights: [0], sinkWeight: 0 });
  });
  it('bad sinks and mismatched head counts name the argument', () => {
    const f = finalizeOnlineSoftmax(createOnlineSoftmaxState(H, D));
    expect(() => mergeSubsetsWithSink([f], [0, 0], H, D)).toThrow(expect.objectContaining({ argument: 'sink' }));
    expect(() => mergeSubsetsWithSink([f], [0, NaN, 0], H, D)).toThrow(expect.objectContaining({ argument: 'sink' }));
    expect(() => mergeSubsetsWithSink([f], [0, Infinity, 0], H, D)).toThrow(expect.objectContaining({ argument: 'sink' }));
    expect(() => mergeSubsetsWithSink([f], [0, 0, 0], H + 1, D)).toThrow(expect.objectContaining({ argument: 'sink' }));
    expect(() => mergeStatesWithSink([createOnlineSoftmaxState(H, D), createOnlineSoftmaxState(H + 1, D)], [0, 0, 0])).toThrow(
      expect.objectContaining({ argument: 'states' }),
    );
  });
});
