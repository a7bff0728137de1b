// Every worked example of sparse-mla.md §10 (expected values in fixtures/math/), reproduced exactly.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  c128aBufferWidth,
  c128aDecodeCandidates,
  c4aDecodeCandidates,
  candidateLists,
  combinedRowWidth,
  compressedWriteSlot,
  denseSinkAttentionReference,
  foldIndexerWeights,
  indexerLogits,
  indexerTopK,
  prefillCombinedCandidates,
  sparseMlaAttention,
  swaDecodeCandidates,
  type ChunkSnapshot,
} from '../../../engine/attention/index';
import { sinkMergeWeights } from '../../../engine/math/index';
import {
  decodeE4m3,
  dequantizeEntryV32,
  dequantizeEntryV4,
  encodeE4m3,
  localToGlobalSlots,
  pow2ScaleByte,
  pow2ScaleExponent,
  quantizeEntryV32,
  quantizeEntryV4,
} from '../../../engine/quant/index';

const fx = JSON.parse(readFileSync(new URL('../../../fixtures/math/sparse-mla-section10.json', import.meta.url), 'utf8'));
const num = (v: number | string): number => (v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v === '-0' ? -0 : (v as number));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('§10.A FP8 E4M3 encode/decode', () => {
  for (const row of fx.e4m3 as { input: number | string; code: number; decoded: number | string }[]) {
    it(`${String(row.input)} → 0x${row.code.toString(16)}`, () => {
      const code = encodeE4m3(Math.fround(num(row.input)));
      expect(code).toBe(row.code);
      expect(Object.is(decodeE4m3(code), num(row.decoded)) || decodeE4m3(code) === num(row.decoded)).toBe(true);
    });
  }
});

describe('§10.B UE8M0 tile scale', () => {
  for (const row of fx.ue8m0 as { amax: number; exponent: number; byte: number }[]) {
    it(`amax ${row.amax} → e ${row.exponent}, byte ${row.byte}`, () => {
      expect(pow2ScaleExponent(row.amax)).toBe(row.exponent);
      expect(pow2ScaleByte(row.amax)).toBe(row.byte);
    });
  }
});

function v4Example(): Float32Array {
  const x = new Float32Array(512);
  for (let i = 0; i < 448; i++) x[i] = (((i % 17) - 8) / 16) * 2 ** (Math.floor(i / 64) - 3);
  for (let j = 0; j < 64; j++) x[448 + j] = -1 + j / 32;
  return x;
}

describe('§10.C the complete V4 584-byte entry', () => {
  const x = v4Example();
  const e = quantizeEntryV4(x);
  const f = fx.v4Entry;
  it('scale bytes, codes and RoPE bytes', () => {
    expect(e.length).toBe(584);
    expect(hex(e.subarray(576, 584))).toBe(f.scaleBytesHex);
    expect(hex(e.subarray(0, 17))).toBe(f.codes0to16Hex);
    expect(hex(e.subarray(64, 72))).toBe(f.codes64to71Hex);
    expect(hex(e.subarray(448, 456))).toBe(f.ropeBytes448to455Hex);
  });
  it('SHA-256 of the 584 logical bytes', () => expect(sha(e)).toBe(f.sha256));
  it('every value round-trips exactly', () => expect(Array.from(dequantizeEntryV4(e))).toEqual(Array.from(x)));
  it('all-zero vector', () => {
    const z = quantizeEntryV4(new Float32Array(512));
    expect(hex(z.subarray(576))).toBe(f.zeroVectorScaleBytesHex);
    expect(z.subarray(0, 576).every((b) => b === 0)).toBe(true);
  });
});

describe('§10.C V3.2 656-byte variant', () => {
  const x = new Float32Array(576);
  for (let i = 0; i < 512; i++) x[i] = (((i % 13) - 6) / 8) * 2 ** (Math.floor(i / 128) - 2);
  for (let j = 0; j < 64; j++) x[512 + j] = j / 64 - 0.5;
  const e = quantizeEntryV32(x);
  const f = fx.v32Entry;
  it('scales, first codes and SHA-256', () => {
    expect(hex(e.subarray(512, 528))).toBe(f.scaleBytesHex);
    const view = new DataView(e.buffer);
    f.scales.forEach((s: number, t: number) => expect(view.getFloat32(512 + 4 * t, true)).toBeCloseTo(s, 10));
    expect(hex(e.subarray(0, 13))).toBe(f.firstCodesHex);
    expect(sha(e)).toBe(f.sha256);
  });
  it('max dequantisation error 0.0357 (the non-power-of-two scale loses exactness)', () => {
    const d = dequantizeEntryV32(e);
    let maxErr = 0;
    for (let i = 0; i < 576; i++) maxErr = Math.max(maxErr, Math.abs(d[i]! - x[i]!));
    expect(maxErr).toBeCloseTo(f.maxDequantError, 4);
    expect(Array.from(d.subarray(512))).toEqual(Array.from(x.subarray(512)));
  });
});

describe('§10.D attention with sink, two subsets, duplicates, −1, truncation', () => {
  const a = fx.attention;
  const H = a.numHeads;
  const D = a.headDim;
  const q = new Float32Array(a.q.flat());
  const sink = a.sink.map(num);
  // Compressed rows live at slots 10 and 11 of a 12-row cache whose other rows are NaN garbage.
  const compKv = new Float32Array(12 * D).fill(NaN);
  compKv.set(a.compressed.rows[0], 10 * D);
  compKv.set(a.compressed.rows[1], 11 * D);
  const compressed = { kv: compKv, candidates: candidateLists([a.compressed.slots], [a.compressed.len]) };
  const swaKv = new Float32Array(a.swa.rows.flat());
  const swa = { kv: swaKv, candidates: candidateLists([[0, 1, 2]], [a.swa.len]) };
  const tol = a.tolerance;
  const close = (got: ArrayLike<number>, want: number[]): void => want.forEach((w, i) => expect(Math.abs(got[i]! - w)).toBeLessThan(tol));

  it('per-subset (m, l, lse, o), the merge weights and the final output', () => {
    const r = sparseMlaAttention({ q, numHeads: H, headDim: D, scale: a.scale, subsets: [compressed, swa], sink });
    const [c, s] = r.subsets;
    close(c!.states[0]!.m, a.compressedM);
    close(c!.states[0]!.l, a.compressedL);
    close(c!.lse, a.compressedLse);
    close(c!.out, a.compressedOut.flat());
    close(s!.lse, a.swaLse);
    close(s!.out, a.swaOut.flat());
    close(r.out, a.finalOut.flat());
    for (let h = 0; h < H; h++) {
      const w = sinkMergeWeights([c!.lse[h]!, s!.lse[h]!], sink[h]!);
      expect(Math.abs(w.M - a.merge.M[h])).toBeLessThan(tol);
      close([w.weights[0]!, w.weights[1]!, w.sinkWeight], [a.merge.wComp[h], a.merge.wSwa[h], a.merge.wSink[h]]);
    }
  });

  it('direct softmax over the concatenated list plus the sink gives the same output', () => {
    const d = denseSinkAttentionReference({ q, numHeads: H, headDim: D, scale: a.scale, subsets: [compressed, swa], sink });
    close(d.out, a.finalOut.flat());
    const r = sparseMlaAttention({ q, numHeads: H, headDim: D, scale: a.scale, subsets: [compressed, swa], sink });
    for (let i = 0; i < r.out.length; i++) expect(Math.abs(r.out[i]! - d.out[i]!)).toBeLessThan(1e-14);
  });

  it('chunk size 2: the state after each chunk', () => {
    const snaps: ChunkSnapshot[] = [];
    sparseMlaAttention({
      q, numHeads: H, headDim: D, scale: a.scale, subsets: [compressed, swa], sink,
      knobs: { topkChunkSize: 2 },
      onChunk: (j, s) => { if (j === 0) snaps.push(s); },
    });
    expect(snaps.map((s) => [s.candidateStart, s.candidateEnd])).toEqual([[0, 2], [2, 4]]);
    close(snaps[0]!.state.m, a.chunk2.afterFirst.m);
    close(snaps[0]!.state.l, a.chunk2.afterFirst.l);
    close(snaps[1]!.state.l, a.chunk2.afterSecond.l);
  });

  it('every candidate invalid: o = 0, lse = −∞, merged with the sink → exactly 0', () => {
    const none = { kv: compKv, candidates: candidateLists([[-1, 10, 11]], [1]) };
    const none2 = { kv: swaKv, candidates: candidateLists([[0, 1]], [0]) };
    const r = sparseMlaAttention({ q, numHeads: H, headDim: D, scale: a.scale, subsets: [none, none2], sink });
    expect(Array.from(r.subsets[0]!.lse)).toEqual([-Infinity, -Infinity]);
    expect(Array.from(r.subsets[0]!.out).every((v) => v === 0)).toBe(true);
    expect(Array.from(r.out).every((v) => v === 0)).toBe(true);
  });
});

describe('§10.E index bookkeeping', () => {
  const b = fx.indexBookkeeping;
  it('SWA decode slots', () => {
    const r0 = swaDecodeCandidates({ pos: 70, blockTable: b.swaDecode[0].blockTable });
    expect(r0.len).toBe(71);
    expect([r0.slots[0], r0.slots[1], r0.slots[63], r0.slots[64], r0.slots[70], r0.slots[71]]).toEqual([448, 449, 511, 192, 198, -1]);
    const r1 = swaDecodeCandidates({ pos: 300, blockTable: b.swaDecode[1].blockTable });
    expect(r1.len).toBe(128);
    expect([r1.slots[0], r1.slots[127]]).toEqual([621, 172]);
  });
  it('C4A local → global', () => {
    const g = localToGlobalSlots(b.c4aLocalToGlobal.blockTable, b.c4aLocalToGlobal.local, 64);
    expect(Array.from(g)).toEqual(b.c4aLocalToGlobal.global);
    const row = c4aDecodeCandidates({ localTopk: b.c4aLocalToGlobal.local, blockTable: b.c4aLocalToGlobal.blockTable });
    expect(row.len).toBe(4);
  });
  it('C128A decode', () => {
    const r = c128aDecodeCandidates({ pos: 1000, blockTable: b.c128aDecode.blockTable, width: 16 });
    expect(r.len).toBe(7);
    expect(Array.from(r.slots.subarray(0, 8))).toEqual([...b.c128aDecode.slots, -1]);
  });
  it('writer rule', () => {
    const table = Array.from({ length: 8 }, (_, i) => i); // identity table: global = local
    for (const w of b.writerRule) {
      expect(compressedWriteSlot(w.pos, 4, table)).toBe(w.c4a);
      expect(compressedWriteSlot(w.pos, 128, table)).toBe(w.c128a);
    }
  });
  it('prefill combination', () => {
    const p = b.prefill;
    const plan = prefillCombinedCandidates({
      seqLens: p.seqLens, queryLens: p.queryLens, ratio: 4, topK: p.topK, window: p.window,
      indexerTopk: (_req, pos) => p.indexer[String(pos)],
    });
    expect(plan.numCompressedRows).toBe(p.N);
    expect(plan.rowsPerRequest).toBe(p.Mw);
    expect(Array.from(plan.gatherLens)).toEqual([p.gatherLen, p.gatherLen]);
    expect(Array.from(plan.gatherStarts)).toEqual([p.gatherStart, p.gatherStart]);
    const c = plan.candidates;
    p.rows.forEach((row: { req: number; pos: number; list: number[] }, t: number) => {
      expect(plan.requestOfToken[t]).toBe(row.req);
      expect(plan.positions[t]).toBe(row.pos);
      expect(c.lens[t]).toBe(row.list.length);
      expect(Array.from(c.slots.subarray(t * c.width, t * c.width + row.list.length))).toEqual(row.list);
      expect(c.slots[t * c.width + row.list.length]).toBe(-1);
    });
  });
  it('row widths', () => {
    expect(combinedRowWidth(512)).toBe(b.rowWidths.c4a);
    expect(combinedRowWidth(0)).toBe(b.rowWidths.swaOnly);
    expect(combinedRowWidth(c128aBufferWidth(2 ** 20))).toBe(b.rowWidths.c128aAt1M);
  });
});

describe('§10.F indexer logits and top-k', () => {
  const f = fx.indexer;
  const w = foldIndexerWeights(f.wRaw, [f.sq, f.sq], 2, 4);
  const logits = indexerLogits({
    q: f.qI8.flat(), weights: w, keys: f.keys.flat(), keyScales: f.keyScales, numHeads: 2, headDim: 4,
    rangeStart: [f.range[0]], rangeEnd: [f.range[1]],
  });
  it('folded weights', () => f.w.forEach((v: number, i: number) => expect(Math.abs(w[i]! - v)).toBeLessThan(f.tolerance)));
  it('logits, with −∞ outside the range', () => {
    f.logits.map(num).forEach((v: number, i: number) => (v === -Infinity ? expect(logits[i]).toBe(-Infinity) : expect(Math.abs(logits[i]! - v)).toBeLessThan(f.tolerance)));
  });
  it('top-2, top-3 (tie 0/4 → lower index first), top-6 (short row + one −1)', () => {
    expect(Array.from(indexerTopK(logits, 6, [0], [5], 2))).toEqual(f.top2);
    expect(Array.from(indexerTopK(logits, 6, [0], [5], 3))).toEqual(f.top3);
    const t6 = Array.from(indexerTopK(logits, 6, [0], [5], 6));
    expect(t6.slice(0, 5).sort()).toEqual([...f.top6Set].sort());
    expect(t6).toEqual([0, 1, 2, 3, 4, -1]);
  });
});
