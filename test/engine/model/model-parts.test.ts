/**
 * Parts of the tiny model checked on their own: seeded weights, the compressor's window and
 * RoPE position (recomputed here from the token cache), the indexer key written beside each C4A
 * entry, the MTP head's chained drafts, and the four-row matVec kernels against a row-by-row
 * restatement of their summation order (bit for bit: tokens must not move when kernels get faster).
 */
import { describe, expect, it } from 'vitest';
import { compressedWriteSlot } from '../../../engine/attention/v4-candidates';
import { roundBf16 } from '../../../engine/quant/bf16';
import { indexerCacheLayout, readIndexerKey, quantizeIndexerKey } from '../../../engine/quant/indexer-cache';
import { quantizeEntryV4, dequantizeEntryV4 } from '../../../engine/quant/v4-entry';
import { dequantizeSlotsV4, readEntryV4 } from '../../../engine/quant/v4-paged-cache';
import { matVec, matVec64 } from '../../../engine/model/linalg';
import { TinyV4Model } from '../../../engine/model/tiny-v4-model';
import { TINY_V4_CONFIG } from '../../../engine/model/tiny-v4-config';
import { tinyV4Weights } from '../../../engine/model/weights';

const cfg = TINY_V4_CONFIG;

/** Independent restatement of sparse-mla.md §3.3 over our pooled rows. */
function expectedCompressed(rows: Float32Array, firstPos: number, n: number, r: number, j: number, gain: Float32Array, ape: Float32Array): Uint8Array {
  const pooled = new Float64Array(512);
  for (let d = 0; d < 512; d++) {
    const s = Array.from({ length: n }, (_, i) => gain[d]! * rows[i * 512 + d]! + ape[((firstPos + i) % r) * 512 + d]!);
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const den = e.reduce((a, b) => a + b, 0);
    pooled[d] = Math.fround(e.reduce((a, w, i) => a + w * rows[i * 512 + d]!, 0) / den);
  }
  const inv = 1 / Math.sqrt(pooled.reduce((a, x) => a + x * x, 0) / 512 + cfg.rmsNormEps);
  const y = Float32Array.from(pooled, (x) => x * inv);
  for (let i = 0; i < 32; i++) {
    const ang = j * r * cfg.compressRopeTheta ** (-(2 * i) / 64);
    const a = y[448 + 2 * i]!;
    const b = y[448 + 2 * i + 1]!;
    y[448 + 2 * i] = a * Math.cos(ang) - b * Math.sin(ang);
    y[448 + 2 * i + 1] = a * Math.sin(ang) + b * Math.cos(ang);
  }
  return quantizeEntryV4(Float32Array.from(y, roundBf16));
}

describe('tiny V4 model parts', () => {
  it('draws the same weights for a seed and different ones for another', () => {
    const a = tinyV4Weights(cfg, 1);
    const b = tinyV4Weights(cfg, 1);
    const c = tinyV4Weights(cfg, 2);
    expect(a.layers[2]!.wkv).toEqual(b.layers[2]!.wkv);
    expect(a.layers[2]!.wkv).not.toEqual(c.layers[2]!.wkv);
    expect(a.layers.map((l) => l.ratio)).toEqual([1, 4, 128, 4]);
    expect(a.layers.map((l) => l.idxWq !== null)).toEqual([false, true, false, true]);
    expect(a.layers[0]!.sink).toHaveLength(cfg.numHeads);
  });

  it('writes compressed entries from the window p−(1+ov)·r+1 … p with RoPE at j·r, and indexer keys beside C4A ones', () => {
    const model = new TinyV4Model(cfg, 7, 4, 1024);
    const blockTable = [2, 1];
    const tokens = Array.from({ length: 300 }, (_, p) => ({ pos: p, tokenId: (p * 13) % 512, blockTable }));
    model.forward(tokens);
    for (const layer of [1, 2]) {
      const r = model.caches[layer]!.ratio;
      const w = model.weights.layers[layer]!;
      const c = model.caches[layer]!;
      let checked = 0;
      for (let p = r - 1; p < 300; p += r) {
        const j = Math.floor(p / r);
        const first = Math.max(0, p - (r === 4 ? 8 : 128) + 1);
        const slots = Array.from({ length: p - first + 1 }, (_, i) => blockTable[Math.floor((first + i) / 256)]! * 256 + ((first + i) % 256));
        const rows = dequantizeSlotsV4(c.token.bytes, slots, c.token.layout);
        const slot = compressedWriteSlot(p, r, blockTable)!;
        const got = readEntryV4(c.compressed!.bytes, slot, c.compressed!.layout);
        expect(Array.from(got)).toEqual(Array.from(expectedCompressed(rows, first, slots.length, r, j, w.compGain!, w.compApe!)));
        if (r === 4) {
          const key = readIndexerKey(c.indexer!.bytes, slot, indexerCacheLayout({ numPages: 4 }));
          const deq = dequantizeEntryV4(got);
          const k = new Float32Array(128);
          for (let o = 0; o < 128; o++) {
            let acc = 0;
            for (let d = 0; d < 512; d++) acc += w.idxWk![o * 512 + d]! * deq[d]!;
            k[o] = acc;
          }
          for (let i = 0; i < 32; i++) {
            const ang = j * 4 * cfg.compressRopeTheta ** (-(2 * i) / 64);
            const a = k[64 + 2 * i]!;
            const b = k[64 + 2 * i + 1]!;
            k[64 + 2 * i] = a * Math.cos(ang) - b * Math.sin(ang);
            k[64 + 2 * i + 1] = a * Math.sin(ang) + b * Math.cos(ang);
          }
          for (let d = 64; d < 128; d++) k[d] = roundBf16(k[d]!);
          const want = quantizeIndexerKey(k);
          expect(key.scale).toBe(want.scale);
          // Float32 summation order may move a code by one step at most.
          let off = 0;
          for (let d = 0; d < 128; d++) if (key.codes[d] !== want.codes[d]) off++;
          expect(off).toBeLessThanOrEqual(2);
        }
        checked++;
      }
      expect(checked).toBe(Math.floor(300 / r));
    }
  }, 60_000);

  it('chains MTP drafts through the shared LM head', () => {
    const model = new TinyV4Model(cfg, 7, 2, 512);
    const h = model.forward([{ pos: 0, tokenId: 5, blockTable: [1] }]).hidden[0]!;
    const three = model.proposeDrafts(h, 9, 3);
    expect(three).toHaveLength(3);
    expect(model.proposeDrafts(h, 9, 1)).toEqual(three.slice(0, 1));
    expect(three.every((t) => Number.isInteger(t) && t >= 0 && t < 512)).toBe(true);
    expect(() => model.embed(512)).toThrow(/tokenId|vocabulary/);
  });
});

/** The documented order: even-index products in one float64 sum, odd-index in another, then added. */
function rowByRow(w: ArrayLike<number>, x: ArrayLike<number>, outDim: number, inDim: number, xOffset: number): Float32Array {
  const y = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let even = 0;
    let odd = 0;
    for (let i = 0; i < inDim; i++) {
      const p = w[o * inDim + i]! * x[xOffset + i]!;
      if (i % 2 === 0) even += p;
      else odd += p;
    }
    y[o] = even + odd;
  }
  return y;
}

describe('matVec kernels', () => {
  it('give the row-by-row result bit for bit for every row-group remainder, odd widths and offsets', () => {
    let s = 12345;
    const next = (): number => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s / 2147483648 - 0.5) * 8;
    };
    for (const [outDim, inDim] of [[1, 1], [3, 5], [4, 2], [5, 7], [6, 64], [7, 33], [9, 256], [2048, 64]] as const) {
      const w = Float32Array.from({ length: outDim * inDim }, next);
      const x32 = Float32Array.from({ length: inDim + 3 }, next);
      const x64 = Float64Array.from({ length: inDim + 3 }, () => next() / 3);
      for (const off of [0, 3]) {
        const want32 = rowByRow(w, x32, outDim, inDim, off);
        const want64 = rowByRow(w, x64, outDim, inDim, off);
        expect(Array.from(matVec(w, x32, outDim, inDim, off)).map((v, i) => Object.is(v, want32[i]))).not.toContain(false);
        expect(Array.from(matVec64(w, x64, outDim, inDim, off)).map((v, i) => Object.is(v, want64[i]))).not.toContain(false);
      }
    }
  });

  it('keep the even/odd accumulator order where another order loses the small terms', () => {
    // One accumulator in index order gives 2^60 + 1 = 2^60, then 0, 1, 2; the documented order gives 1 + 2.
    const x = Float32Array.from([2 ** 60, 1, -(2 ** 60), 1, 1]);
    const w = new Float32Array(5 * 5).fill(1);
    expect(Array.from(matVec(w, x, 5, 5))).toEqual([3, 3, 3, 3, 3]);
    expect(Array.from(matVec64(w, Float64Array.from(x), 5, 5))).toEqual([3, 3, 3, 3, 3]);
  });
});
