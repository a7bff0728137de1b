// The bf16 matmul decode path and the decode dispatch of sparse-mla.md §8.2.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import { c128aBufferWidth, candidateLists, matmulDecodeAttention, selectDecodePath, sparseMlaAttention } from '../../../engine/attention/index';
import { roundBf16 } from '../../../engine/quant/bf16';

const fx = JSON.parse(readFileSync(new URL('../../../fixtures/math/sparse-mla-section10.json', import.meta.url), 'utf8'));

describe('matmul decode path (bf16 scores and weights)', () => {
  it('§10.D: within the 2e-2 tolerance of the fp32 result, every output a bf16 value', () => {
    const a = fx.attention;
    const compKv = new Float32Array(12 * 4);
    compKv.set(a.compressed.rows[0], 40);
    compKv.set(a.compressed.rows[1], 44);
    const subsets = [
      { kv: compKv, candidates: candidateLists([a.compressed.slots], [a.compressed.len]) },
      { kv: new Float32Array(a.swa.rows.flat()), candidates: candidateLists([[0, 1, 2]], [a.swa.len]) },
    ];
    const out = matmulDecodeAttention({ q: new Float32Array(a.q.flat()), subsets, sink: [0.25, -Infinity], numHeads: 2, headDim: 4, scale: 0.5 });
    const want = a.finalOut.flat() as number[];
    want.forEach((w, i) => expect(Math.abs(out[i]! - w)).toBeLessThan(2e-2));
    expect(Array.from(out).every((v) => roundBf16(v) === v)).toBe(true);
  });
  it('random V4-like rows: close to the fp32 paths (2e-2) but visibly less precise than them', () => {
    const rng = new Rng(60);
    const T = 3;
    const H = 8;
    const D = 64;
    const kv = new Float32Array(50 * D).map(() => roundBf16(rng.normal()));
    const rows = Array.from({ length: T }, () => Array.from({ length: 24 }, () => (rng.next() < 0.1 ? -1 : rng.int(50))));
    const swaRows = Array.from({ length: T }, () => Array.from({ length: 8 }, () => rng.int(50)));
    const subsets = [{ kv, candidates: candidateLists(rows, [24, 20, 24]) }, { kv, candidates: candidateLists(swaRows) }];
    const q = new Float32Array(T * H * D).map(() => roundBf16(rng.normal() * 0.5));
    const sink = Array.from({ length: H }, () => rng.normal());
    const args = { q, subsets, sink, numHeads: H, headDim: D, scale: D ** -0.5 };
    const mm = matmulDecodeAttention(args);
    const ref = sparseMlaAttention(args).out;
    let maxDiff = 0;
    for (let i = 0; i < mm.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mm[i]! - ref[i]!));
    expect(maxDiff).toBeLessThan(2e-2);
    expect(maxDiff).toBeGreaterThan(1e-5);
  });
  it('quirk: a row with no valid candidate gives 0 with a finite sink and NaN with σ = −∞', () => {
    const kv = new Float32Array(4).fill(1);
    const subsets = [{ kv, candidates: candidateLists([[-1, 0]], [1]) }];
    const out = matmulDecodeAttention({ q: new Float32Array(8).fill(1), subsets, sink: [0.5, -Infinity], numHeads: 2, headDim: 4, scale: 0.5 });
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(out.subarray(4)).every(Number.isNaN)).toBe(true);
  });
});

describe('decode dispatch', () => {
  it('follows the §8.2 table', () => {
    expect(selectDecodePath({ ratio: 1, numDecodeTokens: 4, numDecodeRequests: 4 })).toBe('swa-fused-paged');
    expect(selectDecodePath({ ratio: 1, numDecodeTokens: 8, numDecodeRequests: 4 })).toBe('swa-global-slots');
    expect(selectDecodePath({ ratio: 4, numDecodeTokens: 4, numDecodeRequests: 4, compressedTopk: 512 })).toBe('matmul-bf16');
    expect(selectDecodePath({ ratio: 4, numDecodeTokens: 4, numDecodeRequests: 4, compressedTopk: 512, matmulDecode: false })).toBe('fused-single-pass');
    expect(selectDecodePath({ ratio: 4, numDecodeTokens: 8, numDecodeRequests: 4, compressedTopk: 512 })).toBe('chunked-two-states');
    expect(selectDecodePath({ ratio: 128, numDecodeTokens: 1, numDecodeRequests: 1, compressedTopk: c128aBufferWidth(1_048_576) })).toBe('chunked-two-states');
    expect(selectDecodePath({ ratio: 128, numDecodeTokens: 1, numDecodeRequests: 1, compressedTopk: c128aBufferWidth(65_536) })).toBe('matmul-bf16');
    expect(selectDecodePath({ ratio: 128, numDecodeTokens: 1, numDecodeRequests: 1, compressedTopk: c128aBufferWidth(65_537) })).toBe('chunked-two-states');
    expect(selectDecodePath({ ratio: 4, numDecodeTokens: 1, numDecodeRequests: 1, compressedTopk: 512, topkChunkSize: 256 })).toBe('chunked-two-states');
  });
  it('bad input names the argument', () => {
    expect(() => selectDecodePath({ ratio: 4, numDecodeTokens: 1, numDecodeRequests: 1 })).toThrow(expect.objectContaining({ argument: 'compressedTopk' }));
    expect(() => selectDecodePath({ ratio: 1, numDecodeTokens: 1, numDecodeRequests: 2 })).toThrow(expect.objectContaining({ argument: 'numDecodeTokens' }));
  });
});
