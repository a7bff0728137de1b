// Caller mistakes give an EngineError naming the argument, never a wrong number: wrong lengths,
// slot ids outside the cache, NaN inputs, mismatched head counts, bad knobs.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/base/errors';
import {
  attendSubset,
  c128aDecodeCandidates,
  candidateLists,
  denseSinkAttentionReference,
  indexerLogits,
  indexerTopK,
  prefillCombinedCandidates,
  sparseMlaAttention,
  swaDecodeCandidates,
} from '../../../engine/attention/index';

function expectArg(fn: () => unknown, argument: string, messagePart?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EngineError);
  expect((caught as EngineError).argument).toBe(argument);
  if (messagePart) expect((caught as EngineError).message).toContain(messagePart);
}

const H = 2;
const D = 4;
const q = new Float32Array(1 * H * D).fill(0.5);
const kv = new Float32Array(5 * D).fill(1);
const subset = { kv, candidates: candidateLists([[0, 1, -1, 4]]) };
const base = { q, numHeads: H, headDim: D, scale: 0.5, subsets: [subset], sink: [0, 0] };

describe('sparse attention rejects bad input', () => {
  it('q of the wrong length, or holding NaN', () => {
    expectArg(() => sparseMlaAttention({ ...base, q: new Float32Array(7) }), 'q', 'numTokens·numHeads·headDim');
    const bad = q.slice();
    bad[3] = NaN;
    expectArg(() => sparseMlaAttention({ ...base, q: bad }), 'q', 'q[3]');
    for (const [i, v] of [[0, Infinity], [7, -Infinity]] as const) {
      const inf = q.slice();
      inf[i] = v;
      expectArg(() => sparseMlaAttention({ ...base, q: inf }), 'q', `q[${i}]`);
    }
    // Float64 queries whose length is not a multiple of 4 (the check's remainder loop).
    const kv3 = new Float64Array(5 * 3).fill(1);
    const one = { q: Float64Array.of(0.5, -0.5, Number.NaN), numHeads: 1, headDim: 3, scale: 0.5, sink: [0],
      subsets: [{ kv: kv3, candidates: candidateLists([[0, 1]]) }] };
    expectArg(() => sparseMlaAttention(one), 'q', 'q[2]');
    expect(() => sparseMlaAttention({ ...one, q: Float64Array.of(0.5, -0.5, 2) })).not.toThrow();
  });
  it('a slot id outside the KV rows (positive, or below −1)', () => {
    expectArg(() => sparseMlaAttention({ ...base, subsets: [{ kv, candidates: candidateLists([[0, 5]]) }] }), 'subsets[0].candidates', 'outside');
    expectArg(() => sparseMlaAttention({ ...base, subsets: [{ kv, candidates: candidateLists([[-2]]) }] }), 'subsets[0].candidates');
  });
  it('slots past len are not checked (they are never read), as in the kernels', () => {
    expect(() => sparseMlaAttention({ ...base, subsets: [{ kv, candidates: candidateLists([[0, 99]], [1]) }] })).not.toThrow();
  });
  it('NaN in a KV row that is read names the subset kv', () => {
    const k = kv.slice();
    k[4 * D + 1] = NaN;
    expectArg(() => sparseMlaAttention({ ...base, subsets: [{ kv: k, candidates: subset.candidates }] }), 'subsets[0].kv', 'row 4');
  });
  it('mismatched head counts: sink of the wrong length; q shaped for other heads', () => {
    expectArg(() => sparseMlaAttention({ ...base, sink: [0, 0, 0] }), 'sink', 'numHeads = 2');
    expectArg(() => sparseMlaAttention({ ...base, numHeads: 3 }), 'sink');
    expectArg(() => attendSubset({ q, numHeads: 3, headDim: D, scale: 0.5, subset }), 'q');
    expectArg(() => denseSinkAttentionReference({ ...base, sink: [0] }), 'sink');
  });
  it('KV rows not a multiple of headDim; lens of the wrong length or negative; subsets with different token counts', () => {
    expectArg(() => sparseMlaAttention({ ...base, subsets: [{ kv: new Float32Array(7), candidates: subset.candidates }] }), 'subsets[0].kv');
    expectArg(() => sparseMlaAttention({ ...base, subsets: [{ kv, candidates: { slots: new Int32Array(4), lens: new Int32Array(2), width: 4 } }] }), 'q');
    expectArg(() => sparseMlaAttention({ ...base, subsets: [{ kv, candidates: { slots: new Int32Array(4), lens: new Int32Array([-1]), width: 4 } }] }), 'subsets[0].candidates', 'negative');
    expectArg(() => sparseMlaAttention({ ...base, subsets: [subset, { kv, candidates: candidateLists([[0], [1]]) }] }), 'subsets');
  });
  it('bad scale, NaN sink, bad knobs', () => {
    expectArg(() => sparseMlaAttention({ ...base, scale: NaN }), 'scale');
    expectArg(() => sparseMlaAttention({ ...base, sink: [NaN, 0] }), 'sink');
    expectArg(() => sparseMlaAttention({ ...base, knobs: { topkChunkSize: 0 } }), 'topkChunkSize');
    expectArg(() => sparseMlaAttention({ ...base, knobs: { queryChunkSize: 1.5 } }), 'queryChunkSize');
    expectArg(() => sparseMlaAttention({ ...base, knobs: { headBlockSize: 3 as unknown as 4 } }), 'headBlockSize');
  });
});

describe('candidate builders and the indexer reject bad input', () => {
  it('positions, widths, block tables', () => {
    expectArg(() => swaDecodeCandidates({ pos: -1, blockTable: [0] }), 'pos');
    expectArg(() => swaDecodeCandidates({ pos: 100, blockTable: [0] }), 'blockTable');
    expectArg(() => c128aDecodeCandidates({ pos: 10, blockTable: [0], width: 0 }), 'width');
    expectArg(() => prefillCombinedCandidates({ seqLens: [8], queryLens: [9], ratio: 1 }), 'queryLens');
    expectArg(() => prefillCombinedCandidates({ seqLens: [8], queryLens: [3], ratio: 4, topK: 2 }), 'indexerTopk');
  });
  it('indexer: NaN weights, wrong key counts, ranges outside the keys, NaN logits, bad k', () => {
    const args = { q: [1, 0], weights: [1], keys: [1, 0, 0, 1], keyScales: [1, 1], numHeads: 1, headDim: 2, rangeStart: [0], rangeEnd: [2] };
    expect(Array.from(indexerLogits(args))).toEqual([1, 0]);
    expectArg(() => indexerLogits({ ...args, weights: [NaN] }), 'weights');
    expectArg(() => indexerLogits({ ...args, keys: [1, 0, 0] }), 'keys');
    expectArg(() => indexerLogits({ ...args, rangeEnd: [3] }), 'rangeStart');
    expectArg(() => indexerLogits({ ...args, keyScales: [1, 0] }), 'keyScales');
    expectArg(() => indexerTopK(new Float64Array([NaN, 1]), 2, [0], [2], 1), 'logits');
    expectArg(() => indexerTopK(new Float64Array([0, 1]), 2, [0], [2], 0), 'k');
  });
});
