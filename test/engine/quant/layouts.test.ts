// Cache layouts (sparse-mla.md §7): the V4 584-byte entry split inside a page (data region, then
// the scale footer), the V3.2 656-byte contiguous entry and the page-segregated 132-byte indexer
// entry — pack, unpack and dequantise by global slot through a block table; −1 → zeros.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../engine/base/errors';
import { Rng } from '../../../engine/base/rng';
import { roundBf16 } from '../../../engine/quant/bf16';
import { decodeE4m3 } from '../../../engine/quant/fp8-e4m3';
import {
  dequantizeIndexerSlots,
  gatherIndexerKeys,
  indexerCacheLayout,
  indexerEntryOffsets,
  quantizeIndexerKey,
  readIndexerEntryBytes,
  readIndexerKey,
  writeIndexerKey,
} from '../../../engine/quant/indexer-cache';
import { localToGlobalSlot, localToGlobalSlots, pagedCacheLayout } from '../../../engine/quant/paged-layout';
import { pow2ScaleExponent, pow2ScaleExponentFlashMla } from '../../../engine/quant/ue8m0';
import { dequantizeEntryV4, dissectEntryV4, quantizeEntryV4 } from '../../../engine/quant/v4-entry';
import { dequantizeCacheV4, dequantizeSlotsV4, readEntryV4, v4CacheLayout, v4EntryOffsets, writeEntryV4 } from '../../../engine/quant/v4-paged-cache';
import { dequantizeEntryV32, dequantizeSlotsV32, quantizeEntryV32, readEntryV32, v32CacheLayout, writeEntryV32 } from '../../../engine/quant/v32-entry';

function randomVector(rng: Rng, n: number, spread = 6): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = roundBf16(rng.normal() * 2 ** (rng.int(spread) - spread / 2));
  return x;
}

function expectThrowsNaming(fn: () => unknown, argument: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).argument).toBe(argument);
    return;
  }
  throw new Error(`expected an EngineError naming ${argument}`);
}

describe('V4 entry (584 logical bytes)', () => {
  it('dequantisation is decode(code)·2^(scale−127) for NoPE and the bf16 value for RoPE; error within half an fp8 step', () => {
    const rng = new Rng(1);
    for (let k = 0; k < 20; k++) {
      const x = randomVector(rng, 512);
      const e = quantizeEntryV4(x);
      const v = dequantizeEntryV4(e);
      for (let d = 0; d < 448; d++) {
        const scale = 2 ** (e[576 + (d >> 6)]! - 127);
        expect(v[d]).toBe(decodeE4m3(e[d]!) * scale);
        // Within one tile all |x|·2^−e ≤ 448; the e4m3 rounding error is ≤ 2^−4 relative (normals) or 2^−10 absolute.
        expect(Math.abs(v[d]! - x[d]!)).toBeLessThanOrEqual(Math.max(Math.abs(x[d]!) * 2 ** -4, 2 ** -10 * scale));
      }
      for (let d = 448; d < 512; d++) expect(v[d]).toBe(x[d]);
      expect(e[583]).toBe(0);
    }
  });
  it('inputs are rounded to bf16 before quantising (writer step 1)', () => {
    const x = new Float32Array(512).fill(0);
    x[448] = 1 + 2 ** -9; // rounds to 1 in bf16
    const v = dequantizeEntryV4(quantizeEntryV4(x));
    expect(v[448]).toBe(1);
  });
  it('dissection lists 448 + 64 + 7 + 1 fields covering all 584 bytes in order', () => {
    const e = quantizeEntryV4(randomVector(new Rng(2), 512));
    const rows = dissectEntryV4(e);
    expect(rows.length).toBe(520);
    let off = 0;
    for (const r of rows) {
      expect(r.offset).toBe(off);
      off += r.numBytes;
    }
    expect(off).toBe(584);
  });
  it('bad input names the argument', () => {
    expectThrowsNaming(() => quantizeEntryV4(new Float32Array(511)), 'x');
    const nan = new Float32Array(512);
    nan[3] = NaN;
    expectThrowsNaming(() => quantizeEntryV4(nan), 'x');
    expectThrowsNaming(() => dequantizeEntryV4(new Uint8Array(583)), 'entry');
  });
});

describe('V4 paged cache (split entry)', () => {
  it('§7.1 example: E = 64, stride 37,440, slot 70 → data at 40,896, scales at 74,352', () => {
    const layout = v4CacheLayout({ entriesPerPage: 64, numPages: 2 });
    expect(layout.pageStride).toBe(37440);
    expect(v4EntryOffsets(70, layout)).toEqual({ dataOffset: 40896, scaleOffset: 74352 });
    expect(v4CacheLayout({ entriesPerPage: 2, numPages: 1 }).pageStride).toBe(1728);
  });
  it('writes data then footer inside the page, leaves padding untouched, reads back and dequantises by slot', () => {
    const rng = new Rng(3);
    for (const [E, stride] of [[64, 37440], [2, 1728], [2, 4000]] as const) {
      const layout = v4CacheLayout({ entriesPerPage: E, numPages: 3, pageStride: stride });
      const cache = new Uint8Array(3 * stride).fill(0xaa);
      const slots = [0, E - 1, E, 2 * E + 1 < 3 * E ? 2 * E + 1 : 2 * E];
      const vectors = slots.map(() => randomVector(rng, 512));
      slots.forEach((s, i) => writeEntryV4(cache, s, quantizeEntryV4(vectors[i]!), layout));
      slots.forEach((s, i) => {
        const logical = quantizeEntryV4(vectors[i]!);
        expect(Array.from(readEntryV4(cache, s, layout))).toEqual(Array.from(logical));
        const page = Math.floor(s / E);
        const p = s % E;
        expect(Array.from(cache.subarray(page * stride + p * 576, page * stride + p * 576 + 576))).toEqual(Array.from(logical.subarray(0, 576)));
        const so = page * stride + E * 576 + p * 8;
        expect(Array.from(cache.subarray(so, so + 8))).toEqual(Array.from(logical.subarray(576)));
      });
      for (let page = 0; page < 3; page++) {
        for (let b = page * stride + E * 584; b < (page + 1) * stride; b++) expect(cache[b]).toBe(0xaa);
      }
      const rows = dequantizeSlotsV4(cache, [slots[1]!, -1, slots[0]!], layout);
      expect(Array.from(rows.subarray(0, 512))).toEqual(Array.from(dequantizeEntryV4(quantizeEntryV4(vectors[1]!))));
      expect(rows.subarray(512, 1024).every((v) => v === 0)).toBe(true);
      expect(Array.from(rows.subarray(1024))).toEqual(Array.from(dequantizeEntryV4(quantizeEntryV4(vectors[0]!))));
      const all = dequantizeCacheV4(cache, layout);
      expect(Array.from(all.subarray(slots[2]! * 512, slots[2]! * 512 + 512))).toEqual(Array.from(dequantizeEntryV4(quantizeEntryV4(vectors[2]!))));
    }
  });
  it('through a block table: request-local index → global slot → entry', () => {
    const layout = v4CacheLayout({ entriesPerPage: 64, numPages: 4 });
    const cache = new Uint8Array(4 * layout.pageStride);
    const blockTable = [3, 1];
    const x = randomVector(new Rng(4), 512);
    const slot = localToGlobalSlot(blockTable, 70, 64); // logical page 1 → physical 1, offset 6
    expect(slot).toBe(70);
    expect(localToGlobalSlot(blockTable, 5, 64)).toBe(197);
    writeEntryV4(cache, localToGlobalSlot(blockTable, 5, 64), quantizeEntryV4(x), layout);
    const rows = dequantizeSlotsV4(cache, localToGlobalSlots(blockTable, [5, -1], 64), layout);
    expect(Array.from(rows.subarray(0, 512))).toEqual(Array.from(dequantizeEntryV4(quantizeEntryV4(x))));
    expect(rows.subarray(512).every((v) => v === 0)).toBe(true);
  });
  it('bad input: slot outside the cache, wrong cache size, short stride, block table too short', () => {
    const layout = v4CacheLayout({ entriesPerPage: 64, numPages: 2 });
    const cache = new Uint8Array(2 * layout.pageStride);
    expectThrowsNaming(() => dequantizeSlotsV4(cache, [128], layout), 'slots');
    expectThrowsNaming(() => dequantizeSlotsV4(cache, [-2], layout), 'slots');
    expectThrowsNaming(() => readEntryV4(cache, 1.5, layout), 'slot');
    expectThrowsNaming(() => dequantizeSlotsV4(new Uint8Array(100), [0], layout), 'cache');
    expectThrowsNaming(() => writeEntryV4(cache, 0, new Uint8Array(576), layout), 'entry');
    expectThrowsNaming(() => v4CacheLayout({ entriesPerPage: 64, numPages: 1, pageStride: 64 * 584 - 1 }), 'pageStride');
    expectThrowsNaming(() => localToGlobalSlot([1], 64, 64), 'blockTable');
    expectThrowsNaming(() => pagedCacheLayout({ entriesPerPage: 0, entryBytes: 584, numPages: 1 }), 'entriesPerPage');
  });
});

describe('V3.2 entry (656 bytes, contiguous)', () => {
  it('byte layout: codes 0..511, fp32 scales at 512, bf16 RoPE at 528; scale = amax/448 (fp32)', () => {
    const rng = new Rng(5);
    const x = new Float32Array(576);
    x.set(randomVector(rng, 576));
    const e = quantizeEntryV32(x);
    const view = new DataView(e.buffer);
    for (let t = 0; t < 4; t++) {
      let amax = 0;
      for (let d = 128 * t; d < 128 * (t + 1); d++) amax = Math.max(amax, Math.abs(x[d]!));
      expect(view.getFloat32(512 + 4 * t, true)).toBe(Math.fround(amax / 448));
    }
    for (let j = 0; j < 64; j++) expect(view.getUint16(528 + 2 * j, true)).toBe(new Uint16Array(new Float32Array([x[512 + j]!]).buffer)[1]);
    const v = dequantizeEntryV32(e);
    for (let d = 0; d < 512; d++) {
      const scale = view.getFloat32(512 + 4 * (d >> 7), true);
      expect(Math.abs(v[d]! - x[d]!)).toBeLessThanOrEqual(Math.max(Math.abs(x[d]!) * 2 ** -4, 2 ** -10 * scale) * (1 + 1e-6));
    }
  });
  it('pages of 64 contiguous entries, slot addressing and −1 → zeros', () => {
    const layout = v32CacheLayout({ numPages: 2 });
    expect(layout.pageStride).toBe(64 * 656);
    const cache = new Uint8Array(2 * 64 * 656);
    const x = randomVector(new Rng(6), 576);
    const e = quantizeEntryV32(x);
    writeEntryV32(cache, 77, e, layout);
    expect(Array.from(cache.subarray(77 * 656, 78 * 656))).toEqual(Array.from(e));
    expect(Array.from(readEntryV32(cache, 77, layout))).toEqual(Array.from(e));
    const rows = dequantizeSlotsV32(cache, [-1, 77], layout);
    expect(rows.subarray(0, 576).every((v) => v === 0)).toBe(true);
    expect(Array.from(rows.subarray(576))).toEqual(Array.from(dequantizeEntryV32(e)));
    expectThrowsNaming(() => dequantizeSlotsV32(cache, [128], layout), 'slots');
    expectThrowsNaming(() => quantizeEntryV32(new Float32Array(512)), 'x');
  });
});

describe('indexer K cache (132 bytes, page-segregated)', () => {
  it('codes region then the scale region within a page; stride 8,640 for E = 64', () => {
    const layout = indexerCacheLayout({ numPages: 3 });
    expect(layout.pageStride).toBe(8640);
    expect(indexerEntryOffsets(70, layout)).toEqual({ codeOffset: 8640 + 6 * 128, scaleOffset: 8640 + 64 * 128 + 6 * 4 });
    const cache = new Uint8Array(3 * 8640);
    const rng = new Rng(8);
    const x = randomVector(rng, 128, 10);
    const key = quantizeIndexerKey(x);
    writeIndexerKey(cache, 70, key, layout);
    expect(Array.from(cache.subarray(8640 + 768, 8640 + 768 + 128))).toEqual(Array.from(key.codes));
    expect(new DataView(cache.buffer).getFloat32(8640 + 8192 + 24, true)).toBe(key.scale);
    const back = readIndexerKey(cache, 70, layout);
    expect(Array.from(back.codes)).toEqual(Array.from(key.codes));
    expect(back.scale).toBe(key.scale);
    const bytes = readIndexerEntryBytes(cache, 70, layout);
    expect(bytes.length).toBe(132);
    expect(new DataView(bytes.buffer).getFloat32(128, true)).toBe(key.scale);
  });
  it('power-of-two scale per entry, dequantisation and −1 → zeros', () => {
    const layout = indexerCacheLayout({ numPages: 1 });
    const cache = new Uint8Array(8640);
    const x = randomVector(new Rng(9), 128, 10);
    const key = quantizeIndexerKey(x);
    expect(Math.log2(key.scale)).toBe(Math.round(Math.log2(key.scale)));
    writeIndexerKey(cache, 3, key, layout);
    const { values, scales } = gatherIndexerKeys(cache, [3, -1], layout);
    expect(scales[1]).toBe(0);
    expect(values.subarray(128).every((v) => v === 0)).toBe(true);
    const deq = dequantizeIndexerSlots(cache, [3], layout);
    for (let d = 0; d < 128; d++) {
      expect(deq[d]).toBe(decodeE4m3(key.codes[d]!) * key.scale);
      expect(Math.abs(deq[d]! - x[d]!)).toBeLessThanOrEqual(Math.max(Math.abs(x[d]!) * 2 ** -4, 2 ** -10 * key.scale));
    }
    expectThrowsNaming(() => gatherIndexerKeys(cache, [64], layout), 'slots');
    expectThrowsNaming(() => quantizeIndexerKey(new Float32Array(127)), 'x');
  });
});

describe('FlashMLA test-quantiser quirk (§7.2)', () => {
  it('clamping the ratio: amax 0.01 → e −15 (vLLM) vs −13 (FlashMLA); large tiles agree; both decode the same way', () => {
    expect(pow2ScaleExponent(0.01)).toBe(-15);
    expect(pow2ScaleExponentFlashMla(0.01)).toBe(-13);
    expect(pow2ScaleExponentFlashMla(0)).toBe(-13);
    for (const a of [0.0448 * 1.01, 1, 3, 448]) expect(pow2ScaleExponentFlashMla(a)).toBe(pow2ScaleExponent(a));
    const x = new Float32Array(512);
    for (let d = 0; d < 512; d++) x[d] = d < 64 ? roundBf16(0.01 * ((d % 9) - 4) / 4) : roundBf16(Math.sin(d));
    const v = quantizeEntryV4(x);
    const f = quantizeEntryV4(x, { scaleRule: 'flashmla' });
    expect(v[576]).toBe(127 - 15);
    expect(f[576]).toBe(127 - 13);
    expect(Array.from(f.subarray(577, 584))).toEqual(Array.from(v.subarray(577, 584)));
    const dv = dequantizeEntryV4(v);
    const df = dequantizeEntryV4(f);
    for (let d = 0; d < 64; d++) expect(Math.abs(df[d]! - x[d]!)).toBeLessThanOrEqual(2 ** -13 * 2 ** -9 * 0.5 + Math.abs(x[d]!) * 2 ** -4);
    expect(Array.from(df.subarray(64))).toEqual(Array.from(dv.subarray(64)));
    expectThrowsNaming(() => quantizeEntryV4(x, { scaleRule: 'other' as 'vllm' }), 'scaleRule');
  });
});
