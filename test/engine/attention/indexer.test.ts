// The lightning indexer (sparse-mla.md §5): query quantisation and weight folding, logits against
// a literal transcription of the formula, causal ranges, clean_logits, and top-k with the
// documented tie rule compared both by index and (as vLLM does) by the multiset of values.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import {
  foldIndexerWeights,
  indexerDecodeRanges,
  indexerLogits,
  indexerPrefillRanges,
  indexerTopK,
  quantizeIndexerQueries,
  selectedLogitValues,
} from '../../../engine/attention/indexer';
import { decodeE4m3, encodeE4m3 } from '../../../engine/quant/fp8-e4m3';
import { quantizeIndexerKey } from '../../../engine/quant/indexer-cache';
import { parseSparseMlaKnobs, resolveHeadBlockSize } from '../../../engine/attention/knobs';

describe('indexer inputs', () => {
  it('queries get one power-of-two scale per (token, head); values are FP8 and x ≈ value·scale', () => {
    const rng = new Rng(50);
    const T = 2;
    const H = 3;
    const qI = new Float32Array(T * H * 128).map(() => rng.normal() * 4);
    const { values, scales } = quantizeIndexerQueries(qI, T, H);
    for (let r = 0; r < T * H; r++) {
      let amax = 0;
      for (let d = 0; d < 128; d++) amax = Math.max(amax, Math.abs(qI[r * 128 + d]!));
      expect(scales[r]).toBe(2 ** Math.ceil(Math.log2(amax / 448)));
      for (let d = 0; d < 128; d++) {
        const v = values[r * 128 + d]!;
        expect(decodeE4m3(encodeE4m3(v))).toBe(v); // an exact FP8 value
        expect(Math.abs(v * scales[r]! - qI[r * 128 + d]!)).toBeLessThanOrEqual(Math.abs(qI[r * 128 + d]!) * 2 ** -4 + 2 ** -10 * scales[r]!);
      }
    }
  });
  it('weights fold sq, headDim^-1/2 and numHeads^-1/2 (V4: 0.08838834764831845 · 0.125)', () => {
    const w = foldIndexerWeights([2, -1], [0.5, 4], 2, 128);
    expect(w[0]).toBeCloseTo(2 * 0.5 * 0.08838834764831845 * 2 ** -0.5, 15);
    expect(foldIndexerWeights(new Array(64).fill(1), new Array(64).fill(1), 64, 128)[63]).toBeCloseTo(0.08838834764831845 * 0.125, 15);
  });
});

describe('indexer logits', () => {
  const rng = new Rng(51);
  const T = 3;
  const H = 4;
  const Dk = 8;
  const N = 10;
  const q = Array.from({ length: T * H * Dk }, () => decodeE4m3(rng.int(256) & 0x7e));
  const keys = Array.from({ length: N * Dk }, () => decodeE4m3(rng.int(256) & 0xf6));
  const keyScales = Array.from({ length: N }, () => 2 ** (rng.int(6) - 3));
  const weights = Array.from({ length: T * H }, () => rng.normal());
  const { rangeStart, rangeEnd } = indexerPrefillRanges([0, 2, 2], [3, 20, 31]);

  it('ranges: decode [0, ⌊(pos+1)/4⌋); prefill shifted by the request key start', () => {
    expect(Array.from(indexerDecodeRanges([0, 3, 4, 7, 8]).rangeEnd)).toEqual([0, 1, 1, 2, 2]);
    expect(Array.from(rangeStart)).toEqual([0, 2, 2]);
    expect(Array.from(rangeEnd)).toEqual([1, 7, 10]);
  });

  it('matches I[t,j] = Σ_h w·max(0, sk·q·k) in range and −∞ outside', () => {
    const end = rangeEnd;
    const logits = indexerLogits({ q, weights, keys, keyScales, numHeads: H, headDim: Dk, rangeStart, rangeEnd: end });
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < N; j++) {
        if (j < rangeStart[t]! || j >= end[t]!) {
          expect(logits[t * N + j]).toBe(-Infinity);
          continue;
        }
        let want = 0;
        for (let h = 0; h < H; h++) {
          let dot = 0;
          for (let d = 0; d < Dk; d++) dot += q[(t * H + h) * Dk + d]! * keys[j * Dk + d]!;
          want += weights[t * H + h]! * Math.max(0, keyScales[j]! * dot);
        }
        expect(Math.abs(logits[t * N + j]! - want)).toBeLessThan(1e-12);
      }
    }
  });

  it('cleanLogits = false leaves out-of-range columns unwritten', () => {
    const out = new Float64Array(T * N).fill(12345);
    const end = rangeEnd;
    indexerLogits({ q, weights, keys, keyScales, numHeads: H, headDim: Dk, rangeStart, rangeEnd: end, cleanLogits: false, out });
    expect(out[0 * N + 5]).toBe(12345);
    expect(out[1 * N + 0]).toBe(12345);
    expect(out[1 * N + 3]).not.toBe(12345);
  });

  it('quantised keys go through the same formula as their FP8 values and scale', () => {
    const x = new Float32Array(128).map(() => rng.normal());
    const k = quantizeIndexerKey(x);
    const kv = Array.from(k.codes, decodeE4m3);
    const one = indexerLogits({ q: new Array(128).fill(1), weights: [1], keys: kv, keyScales: [k.scale], numHeads: 1, rangeStart: [0], rangeEnd: [1] });
    expect(one[0]).toBeCloseTo(Math.max(0, k.scale * kv.reduce((a, b) => a + b, 0)), 12);
  });
});

describe('indexer top-k', () => {
  it('value descending, ties to the lower column; request-local; −1 padded; −∞ never selected', () => {
    const logits = new Float64Array([9, 1, 3, 3, 2, 3, -Infinity, 7]);
    expect(Array.from(indexerTopK(logits, 8, [1], [8], 3))).toEqual([6, 1, 2]); // cols 7, 2, 3 → local 6, 1, 2
    expect(Array.from(indexerTopK(logits, 8, [0], [8], 7))).toEqual([0, 7, 2, 3, 5, 4, 1]);
    const short = indexerTopK(logits, 8, [4], [8], 5);
    expect(Array.from(short)).toEqual([0, 1, 3, -1, -1]); // cols 4, 5, 7 in order; col 6 is −∞
  });
  it('agrees with a sort-based oracle on random rows with many ties (indices and value multisets)', () => {
    const rng = new Rng(52);
    for (let trial = 0; trial < 200; trial++) {
      const N = 1 + rng.int(40);
      const logits = new Float64Array(N).map(() => rng.int(6) - 2);
      const s = rng.int(N);
      const e = s + rng.int(N - s + 1);
      const k = 1 + rng.int(12);
      const got = indexerTopK(logits, N, [s], [e], k);
      const cols = Array.from({ length: e - s }, (_, i) => s + i);
      const want = cols.length <= k ? cols : [...cols].sort((a, b) => logits[b]! - logits[a]! || a - b).slice(0, k);
      expect(Array.from(got)).toEqual([...want.map((c) => c - s), ...new Array(k - want.length).fill(-1)]);
      const wantVals = want.map((c) => logits[c]!).sort((a, b) => b - a);
      expect(selectedLogitValues(logits, 0, s, got)).toEqual(wantVals);
    }
  });
});

describe('knobs', () => {
  it('parse like vLLM: ints clamped to ≥ 1, non-ints → default; head block only 1/2/4', () => {
    expect(parseSparseMlaKnobs({})).toEqual({ topkChunkSize: 512, queryChunkSize: 256, headBlockSize: 'auto' });
    expect(parseSparseMlaKnobs({ VLLM_TRITON_MLA_SPARSE_TOPK_CHUNK_SIZE: '0', VLLM_TRITON_MLA_SPARSE_QUERY_CHUNK_SIZE: 'abc', VLLM_TRITON_MLA_SPARSE_HEAD_BLOCK_SIZE: '4' })).toEqual({
      topkChunkSize: 1,
      queryChunkSize: 256,
      headBlockSize: 4,
    });
    expect(parseSparseMlaKnobs({ VLLM_TRITON_MLA_SPARSE_TOPK_CHUNK_SIZE: ' 64 ', VLLM_TRITON_MLA_SPARSE_HEAD_BLOCK_SIZE: '3' })).toEqual({ topkChunkSize: 64, queryChunkSize: 256, headBlockSize: 'auto' });
  });
  it('auto head block: 1 for ≤ 4 decode tokens, 2 for < 16, else 4', () => {
    expect([1, 4, 5, 15, 16, 100].map((n) => resolveHeadBlockSize('auto', n))).toEqual([1, 1, 2, 2, 4, 4]);
    expect(resolveHeadBlockSize(2, 100)).toBe(2);
  });
});
