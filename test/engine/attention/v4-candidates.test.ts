// Candidate construction for V4 layers (sparse-mla.md §3–§4) checked against brute-force
// position arithmetic, plus a V4-Flash-shaped decode step (64 heads, 512 + 128 candidates, head
// dim 512) through real fp8_ds_mla paged caches.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../engine/base/rng';
import {
  c128aBufferWidth,
  c128aDecodeCandidates,
  c4aDecodeCandidates,
  compressedWriteSlot,
  denseSinkAttentionReference,
  numVisibleCompressed,
  prefillCombinedCandidates,
  prefillWorkspaceRow,
  sparseMlaAttention,
  stackCandidateRows,
  subsetFromV4Cache,
  swaDecodeCandidates,
  V4_FLASH_COMPRESS_RATIOS,
  V4_SOFTMAX_SCALE,
  v4LayerRatios,
} from '../../../engine/attention/index';
import { dequantizeCacheV4, quantizeEntryV4, v4CacheLayout, writeEntryV4 } from '../../../engine/quant/index';

describe('decode candidates', () => {
  it('SWA: positions pos−len+1 … pos through the block table, −1 padded to 128; padding tokens get len 0', () => {
    const rng = new Rng(40);
    for (let k = 0; k < 50; k++) {
      const pos = rng.int(2000);
      const table = Array.from({ length: Math.ceil((pos + 1) / 64) }, () => rng.int(1000));
      const r = swaDecodeCandidates({ pos, blockTable: table });
      const len = Math.min(pos + 1, 128);
      expect(r.len).toBe(len);
      for (let i = 0; i < 128; i++) {
        const p = pos - len + 1 + i;
        expect(r.slots[i]).toBe(i < len ? table[Math.floor(p / 64)]! * 64 + (p % 64) : -1);
      }
      expect(swaDecodeCandidates({ pos, blockTable: table, isValidToken: false }).len).toBe(0);
    }
  });
  it('C4A: local top-k → global, len counts entries ≥ 0 (even with −1 in the middle)', () => {
    const r = c4aDecodeCandidates({ localTopk: [3, -1, 64, 1, -1], blockTable: [2, 9] });
    expect(Array.from(r.slots)).toEqual([131, -1, 576, 129, -1]);
    expect(r.len).toBe(3);
  });
  it('C128A: all visible entries, capped at the buffer width', () => {
    expect(c128aBufferWidth(1_048_576)).toBe(8192);
    expect(c128aBufferWidth(65_536)).toBe(512);
    const table = Array.from({ length: 40 }, (_, i) => 39 - i);
    const r = c128aDecodeCandidates({ pos: 10_000, blockTable: table, width: 128 });
    expect(r.len).toBe(numVisibleCompressed(10_000, 128));
    expect(r.len).toBe(78);
    for (let i = 0; i < r.len; i++) expect(r.slots[i]).toBe(table[i >> 1]! * 2 + (i & 1));
    expect(r.slots[r.len]).toBe(-1);
    const capped = c128aDecodeCandidates({ pos: 100_000, blockTable: Array.from({ length: 400 }, (_, i) => i), width: 16 });
    expect(capped.len).toBe(16);
  });
  it('writer rule over positions 0 … 1023: writes iff (pos+1) mod r = 0, to entry pos div r', () => {
    const table = Array.from({ length: 16 }, (_, i) => 15 - i);
    for (let pos = 0; pos < 1024; pos++) {
      for (const r of [4, 128]) {
        const E = 256 / r;
        const want = (pos + 1) % r === 0 ? table[Math.floor(Math.floor(pos / r) / E)]! * E + (Math.floor(pos / r) % E) : null;
        expect(compressedWriteSlot(pos, r, table)).toBe(want);
      }
    }
  });
  it('V4-Flash layer pattern: layers 0,1 SWA-only, even C4A, odd C128A, MTP SWA-only', () => {
    const r = v4LayerRatios(V4_FLASH_COMPRESS_RATIOS);
    expect(r.length).toBe(44);
    expect(r.slice(0, 4)).toEqual([1, 1, 4, 128]);
    expect(r.filter((x) => x === 4).length).toBe(21);
    expect(r.filter((x) => x === 128).length).toBe(20);
    expect(r[43]).toBe(1);
  });
});

describe('prefill combination', () => {
  it('every candidate points at a workspace row holding a visible compressed entry or a window position', () => {
    const rng = new Rng(41);
    for (const ratio of [1, 4, 128] as const) {
      const seqLens = [300, 37, 129];
      const queryLens = [40, 37, 5];
      const topK = ratio === 4 ? 16 : ratio === 128 ? 8 : 0;
      const plan = prefillCombinedCandidates({
        seqLens, queryLens, ratio, topK, window: 128,
        indexerTopk: (_b, pos) => {
          const n = Math.floor((pos + 1) / 4);
          const picks = Array.from({ length: n }, (_, i) => i).sort(() => rng.next() - 0.5).slice(0, topK);
          return [...picks, ...new Array(Math.max(0, topK - picks.length)).fill(-1)];
        },
      });
      const c = plan.candidates;
      expect(c.width).toBe(Math.ceil((topK + 128) / 128) * 128);
      for (let t = 0; t < c.lens.length; t++) {
        const pos = plan.positions[t]!;
        const b = plan.requestOfToken[t]!;
        const swaLen = Math.min(pos + 1, 128);
        const topkLen = ratio === 1 ? 0 : Math.min(Math.floor((pos + 1) / ratio), topK);
        expect(c.lens[t]).toBe(topkLen + swaLen);
        const windowSeen: number[] = [];
        for (let i = 0; i < c.lens[t]!; i++) {
          const row = c.slots[t * c.width + i]!;
          const src = prefillWorkspaceRow(plan, seqLens, ratio, row);
          expect(src.request).toBe(b);
          if (i < topkLen) {
            expect(src.kind).toBe('compressed');
            if (src.kind === 'compressed') expect(src.entry).toBeLessThan(numVisibleCompressed(pos, ratio));
          } else {
            expect(src.kind).toBe('swa');
            if (src.kind === 'swa') windowSeen.push(src.position);
          }
        }
        expect(windowSeen).toEqual(Array.from({ length: swaLen }, (_, i) => pos - swaLen + 1 + i));
      }
    }
  });
  it('workspace sizes of the test-suite example: seq_lens [15000, 2048], r = 4 → N = 3750, Mw = 18750', () => {
    const plan = prefillCombinedCandidates({ seqLens: [15000, 2048], queryLens: [14873, 1921], ratio: 4, topK: 512, indexerTopk: () => new Int32Array(512).fill(-1) });
    expect(plan.numCompressedRows).toBe(3750);
    expect(Array.from(plan.gatherLens)).toEqual([15000, 2048]);
    expect(plan.rowsPerRequest).toBe(18750);
    const swaOnly = prefillCombinedCandidates({ seqLens: [15000], queryLens: [14873], ratio: 1 });
    expect(swaOnly.rowsPerRequest).toBe(15000);
  });
});

describe('a V4-Flash-shaped decode step through fp8_ds_mla caches', () => {
  it('64 heads, 512 C4A + 128 SWA candidates, head dim 512: sparse path equals the dense reference', () => {
    const rng = new Rng(42);
    const H = 64;
    const D = 512;
    const pos = 4000; // n_vis = 1000 C4A entries, 512 selected
    const c4aLayout = v4CacheLayout({ entriesPerPage: 64, numPages: 16 });
    const swaLayout = v4CacheLayout({ entriesPerPage: 64, numPages: 64 });
    const c4aCache = new Uint8Array(16 * c4aLayout.pageStride);
    const swaCache = new Uint8Array(64 * swaLayout.pageStride);
    const vec = (): Float32Array => new Float32Array(D).map(() => rng.normal());
    const c4aTable = Array.from({ length: 16 }, (_, i) => (i * 7) % 16);
    const swaTable = Array.from({ length: 63 }, (_, i) => (i * 5) % 64);
    for (let j = 0; j < 1000; j++) writeEntryV4(c4aCache, c4aTable[j >> 6]! * 64 + (j & 63), quantizeEntryV4(vec()), c4aLayout);
    for (let p = pos - 127; p <= pos; p++) writeEntryV4(swaCache, swaTable[p >> 6]! * 64 + (p & 63), quantizeEntryV4(vec()), swaLayout);
    const picks = Array.from({ length: 1000 }, (_, i) => i).sort(() => rng.next() - 0.5).slice(0, 512);
    const comp = stackCandidateRows([c4aDecodeCandidates({ localTopk: picks, blockTable: c4aTable })]);
    const swa = stackCandidateRows([swaDecodeCandidates({ pos, blockTable: swaTable })]);
    expect(comp.lens[0]).toBe(512);
    expect(swa.lens[0]).toBe(128);
    const q = new Float32Array(H * D).map(() => rng.normal());
    const sink = Array.from({ length: H }, () => rng.normal());
    const subsets = [
      { kv: dequantizeCacheV4(c4aCache, c4aLayout), candidates: comp },
      { kv: dequantizeCacheV4(swaCache, swaLayout), candidates: swa },
    ];
    const r = sparseMlaAttention({ q, numHeads: H, headDim: D, scale: V4_SOFTMAX_SCALE, subsets, sink });
    const d = denseSinkAttentionReference({ q, numHeads: H, headDim: D, scale: V4_SOFTMAX_SCALE, subsets, sink });
    let maxDiff = 0;
    for (let i = 0; i < r.out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(r.out[i]! - d.out[i]!));
    expect(maxDiff).toBeLessThan(1e-12);
    expect(r.out.some((v) => v !== 0)).toBe(true);
  });
});

describe('subsets straight from a paged cache', () => {
  it('dequantises each referenced entry once and gives the same attention as the whole dequantised cache', () => {
    const rng = new Rng(43);
    const layout = v4CacheLayout({ entriesPerPage: 2, numPages: 10 });
    const cache = new Uint8Array(10 * layout.pageStride);
    for (let s = 0; s < 20; s++) writeEntryV4(cache, s, quantizeEntryV4(new Float32Array(512).map(() => rng.normal())), layout);
    const candidates = stackCandidateRows([
      { slots: Int32Array.from([3, 3, -1, 19, 0]), len: 5 },
      { slots: Int32Array.from([7, 2, 2, 12, 999]), len: 4 }, // 999 sits past len: never read, never checked
    ]);
    const sub = subsetFromV4Cache(cache, layout, candidates);
    expect(Array.from(sub.globalSlots)).toEqual([3, 19, 0, 7, 2, 12]);
    expect(sub.kv.length).toBe(6 * 512);
    const q = new Float32Array(2 * 4 * 512).map(() => rng.normal());
    const args = { q, numHeads: 4, headDim: 512, scale: V4_SOFTMAX_SCALE, sink: [0, 1, -Infinity, 2] };
    const compact = sparseMlaAttention({ ...args, subsets: [sub] });
    const whole = sparseMlaAttention({ ...args, subsets: [{ kv: dequantizeCacheV4(cache, layout), candidates }] });
    let maxDiff = 0;
    for (let i = 0; i < compact.out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(compact.out[i]! - whole.out[i]!));
    expect(maxDiff).toBeLessThan(1e-14);
    expect(() => subsetFromV4Cache(cache, layout, stackCandidateRows([{ slots: Int32Array.from([20]), len: 1 }]))).toThrow(
      expect.objectContaining({ argument: 'candidates' }),
    );
  });
});
