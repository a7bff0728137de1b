/**
 * Golden tests: the TypeScript reference (engine/math, engine/attention, engine/quant) and the
 * WebAssembly fast path against fixtures/golden-mla, written by make_golden.py — an independent
 * PyTorch implementation of sparse-mla.md §2/§6/§7 run on an NVIDIA H100 (torch 2.11, CUDA 13).
 *
 * Tolerances and why:
 * - TS reference (float64) vs GPU float64: 1e-10 absolute on outputs, LSEs and (m, l, acc)
 *   states. Inputs are bf16-exact, so both sides compute the same real numbers; only the
 *   summation order differs (≈1e-15 relative on sums of ≤ 640 terms of magnitude ≤ ~50).
 * - TS reference (float64) vs GPU float32: 2e-5 absolute on outputs/LSEs — float32 dot products
 *   over 512 dims and sums over 640 weights carry ~1e-6 relative error (the fixture records the
 *   GPU's own fp32-vs-fp64 gap, ≤ 2.6e-6); 2e-5 leaves margin while catching any real mistake
 *   (a wrong sink, a dropped duplicate or an off-by-one in truncation moves outputs by ≥ 1e-3).
 * - Fast path (float32 WebAssembly) vs GPU float64: the same 2e-5 for outputs, 2e-5 for LSEs.
 * - Codecs (fp8 e4m3 encode/decode, 584-byte V4 entries): bit-exact.
 */
import { describe, expect, it } from 'vitest';
import { denseSinkAttentionReference } from '../../../engine/attention/dense-reference';
import { sparseMlaAttention, type AttentionSubset, type ChunkSnapshot } from '../../../engine/attention/sparse-attention';
import { sparseMlaAttentionFast } from '../../../engine/attention/fast/sparse-mla-fast';
import { decodeE4m3, encodeE4m3 } from '../../../engine/quant/fp8-e4m3';
import { quantizeEntryV4 } from '../../../engine/quant/v4-entry';
import { bf16ToF32, goldenArray, goldenCase, goldenF32, loadGolden, maxAbsDiff, type GoldenCase } from './golden-fixture';

const g = loadGolden();
const attentionCases = g.manifest.cases.filter((c) => c.kind === 'attention');

interface Problem {
  c: GoldenCase;
  T: number;
  H: number;
  D: number;
  scale: number;
  chunks: number[];
  q: Float32Array;
  sink: Float32Array;
  subsets: AttentionSubset[];
}

function problem(c: GoldenCase): Problem {
  const T = c['T'] as number;
  const H = c['H'] as number;
  const D = c['D'] as number;
  const pool = goldenF32(g, c, 'pool');
  const subset = (name: string): AttentionSubset => {
    const slots = goldenArray(g, c, `${name}_slots`) as Int32Array;
    return { kv: pool, candidates: { slots, lens: goldenArray(g, c, `${name}_len`) as Int32Array, width: slots.length / T } };
  };
  return {
    c, T, H, D,
    scale: c['scale'] as number,
    chunks: c['chunks'] as number[],
    q: goldenF32(g, c, 'q'),
    sink: goldenArray(g, c, 'sink') as Float32Array,
    subsets: [subset('comp'), subset('swa')],
  };
}

const has = (c: GoldenCase, key: string) => key in c.arrays;

describe('golden fixture', () => {
  it('was produced on an NVIDIA GPU by PyTorch and covers the required shapes', () => {
    expect(g.manifest.device).toMatch(/NVIDIA/);
    expect(g.manifest.torch).toMatch(/^2\./);
    const v4 = attentionCases.filter((c) => c['H'] === 64 && c['D'] === 512);
    expect(v4.length).toBeGreaterThanOrEqual(2);
    const p = problem(goldenCase(g, 'v4-flash-decode'));
    expect(p.subsets[0]!.candidates.width).toBe(512);
    expect(p.subsets[1]!.candidates.width).toBe(128);
    // The cases really contain −1 entries, duplicates, truncation and all-invalid rows.
    const small = problem(goldenCase(g, 'small-d16'));
    const comp = small.subsets[0]!.candidates;
    expect(Array.from(comp.slots).some((s) => s === -1)).toBe(true);
    expect(Array.from(comp.lens).some((l) => l > 0 && l < comp.width)).toBe(true);
    expect(comp.slots[1]).toBe(comp.slots[0]);
    const swa = small.subsets[1]!.candidates;
    const allInvalid = Array.from({ length: small.T }, (_, t) => t).some((t) =>
      [comp, swa].every((c) => Array.from(c.slots.subarray(t * c.width, t * c.width + Math.min(c.lens[t]!, c.width))).every((s) => s < 0)));
    expect(allInvalid).toBe(true);
    expect(Array.from(small.sink).some((s) => s === -Infinity)).toBe(true);
  });
});

describe.each(attentionCases.map((c) => [c.name, c] as const))('attention golden %s', (_name, c) => {
  const p = problem(c);
  const { T, H, D } = p;

  it.each(p.chunks.map((ch) => [ch]))('reference with TOPK_CHUNK_SIZE=%i matches GPU fp64 states after every chunk, lse, o and merged output', (chunk) => {
    const snaps: ChunkSnapshot[][] = [[], []];
    const ref = sparseMlaAttention({
      q: p.q, numHeads: H, headDim: D, scale: p.scale, subsets: p.subsets, sink: p.sink,
      knobs: { topkChunkSize: chunk }, onChunk: (j, s) => snaps[j]!.push(s),
    });
    ['comp', 'swa'].forEach((sub, j) => {
      const gm = goldenArray(g, c, `${sub}_m_c${chunk}_f64`) as Float64Array;
      const gl = goldenArray(g, c, `${sub}_l_c${chunk}_f64`) as Float64Array;
      const ga = has(c, `${sub}_a_c${chunk}_f64`) ? (goldenArray(g, c, `${sub}_a_c${chunk}_f64`) as Float64Array) : null;
      for (const s of snaps[j]!) {
        const base = (s.chunkIndex * T + s.token) * H;
        expect(maxAbsDiff(s.state.m, gm.subarray(base, base + H))).toBeLessThan(1e-10);
        expect(maxAbsDiff(s.state.l, gl.subarray(base, base + H))).toBeLessThan(1e-10);
        if (ga) expect(maxAbsDiff(s.state.acc, ga.subarray(base * D, (base + H) * D))).toBeLessThan(1e-10);
      }
      // Every chunk that holds a candidate inside len was snapshotted.
      const lens = p.subsets[j]!.candidates.lens;
      const width = p.subsets[j]!.candidates.width;
      const expected = Array.from(lens).reduce((n, l) => n + Math.ceil(Math.min(l, width) / chunk), 0);
      expect(snaps[j]!.length).toBe(expected);
      expect(maxAbsDiff(ref.subsets[j]!.lse, goldenArray(g, c, `${sub}_lse_f64`))).toBeLessThan(1e-10);
      if (has(c, `${sub}_o_f64`)) expect(maxAbsDiff(ref.subsets[j]!.out, goldenArray(g, c, `${sub}_o_f64`))).toBeLessThan(1e-10);
      if (has(c, `${sub}_o_f32`)) expect(maxAbsDiff(ref.subsets[j]!.out, goldenArray(g, c, `${sub}_o_f32`))).toBeLessThan(2e-5);
      expect(maxAbsDiff(ref.subsets[j]!.lse, goldenArray(g, c, `${sub}_lse_f32`))).toBeLessThan(2e-5);
    });
    expect(maxAbsDiff(ref.out, goldenArray(g, c, 'out_f64'))).toBeLessThan(1e-10);
    if (has(c, 'out_f32')) expect(maxAbsDiff(ref.out, goldenArray(g, c, 'out_f32'))).toBeLessThan(2e-5);
  });

  it('subset merge equals one softmax over the concatenated candidates (dense reference)', () => {
    const dense = denseSinkAttentionReference({ q: p.q, subsets: p.subsets, sink: p.sink, numHeads: H, headDim: D, scale: p.scale });
    expect(maxAbsDiff(dense.out, goldenArray(g, c, 'out_f64'))).toBeLessThan(1e-10);
    if (has(c, 'dense_f64')) expect(maxAbsDiff(dense.out, goldenArray(g, c, 'dense_f64'))).toBeLessThan(1e-10);
    expect(c['merge_vs_dense_maxabs_f64'] as number).toBeLessThan(1e-12);
  });

  it('fast WebAssembly path matches the GPU fp64 output and subset LSEs within 2e-5', () => {
    const fast = sparseMlaAttentionFast({ q: p.q, numHeads: H, headDim: D, scale: p.scale, subsets: p.subsets, sink: p.sink });
    expect(fast.path).not.toBe('reference');
    expect(maxAbsDiff(fast.out, goldenArray(g, c, 'out_f64'))).toBeLessThan(2e-5);
    expect(maxAbsDiff(fast.lse[0]!, goldenArray(g, c, 'comp_lse_f64'))).toBeLessThan(2e-5);
    expect(maxAbsDiff(fast.lse[1]!, goldenArray(g, c, 'swa_lse_f64'))).toBeLessThan(2e-5);
  });
});

describe('golden NaN rows beyond len', () => {
  it('rows holding NaN that are referenced only past len never reach the result', () => {
    const p = problem(goldenCase(g, 'small-d64-nan'));
    const pool = p.subsets[0]!.kv;
    expect(Array.from(pool).some(Number.isNaN)).toBe(true);
    const ref = sparseMlaAttention({ q: p.q, numHeads: p.H, headDim: p.D, scale: p.scale, subsets: p.subsets, sink: p.sink });
    const fast = sparseMlaAttentionFast({ q: p.q, numHeads: p.H, headDim: p.D, scale: p.scale, subsets: p.subsets, sink: p.sink });
    expect(Array.from(ref.out).some(Number.isNaN)).toBe(false);
    expect(Array.from(fast.out).some(Number.isNaN)).toBe(false);
  });
});

describe('golden fp8 e4m3 (torch.float8_e4m3fn on the GPU, after a clamp to ±448)', () => {
  const c = goldenCase(g, 'fp8-e4m3');

  it('decodes all 256 codes exactly', () => {
    const dec = goldenArray(g, c, 'decode_all') as Float32Array;
    for (let code = 0; code < 256; code++) {
      const want = dec[code]!;
      if (Number.isNaN(want)) expect(decodeE4m3(code)).toBeNaN();
      else expect(Object.is(decodeE4m3(code), want)).toBe(true);
    }
  });

  it('encodes every non-NaN bf16 value to the GPU code', () => {
    const codes = goldenArray(g, c, 'bf16_all_codes') as Uint8Array;
    const values = bf16ToF32(Uint16Array.from({ length: 65536 }, (_, i) => i));
    let checked = 0;
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(values[i]!)) continue;
      if (encodeE4m3(values[i]!) !== codes[i]) expect.fail(`bf16 0x${i.toString(16)} = ${values[i]}: got ${encodeE4m3(values[i]!)}, GPU ${codes[i]}`);
      checked++;
    }
    expect(checked).toBe(65536 - 2 * 127);
  });

  it('encodes random values, all midpoints and their fp32 neighbours to the GPU code', () => {
    const values = goldenArray(g, c, 'values') as Float32Array;
    const codes = goldenArray(g, c, 'values_codes') as Uint8Array;
    expect(values.length).toBeGreaterThan(30000);
    for (let i = 0; i < values.length; i++) {
      if (encodeE4m3(values[i]!) !== codes[i]) expect.fail(`value ${values[i]}: got ${encodeE4m3(values[i]!)}, GPU ${codes[i]}`);
    }
  });
});

describe('golden V4 584-byte entries (quantised on the GPU with the power-of-two scale rule)', () => {
  it('quantizeEntryV4 reproduces every byte', () => {
    const c = goldenCase(g, 'v4-entry');
    const x = bf16ToF32(goldenArray(g, c, 'x_bf16') as Uint16Array);
    const entries = goldenArray(g, c, 'entries') as Uint8Array;
    const n = entries.length / 584;
    expect(n).toBeGreaterThanOrEqual(20);
    for (let i = 0; i < n; i++) {
      const mine = quantizeEntryV4(x.subarray(i * 512, (i + 1) * 512));
      expect(Buffer.from(mine).equals(Buffer.from(entries.subarray(i * 584, (i + 1) * 584)))).toBe(true);
    }
  });
});
