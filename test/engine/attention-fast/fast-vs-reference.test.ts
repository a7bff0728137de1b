/**
 * The WebAssembly fast path against the readable reference (engine/attention/sparse-attention.ts)
 * on seeded random problems with −1 entries, duplicates, truncation, empty subsets and
 * all-invalid tokens, for both binaries (plain SIMD, relaxed SIMD) and for head-split runners.
 *
 * Tolerance: the fast path is float32 (fp32 products, fp32 sums over up to 640 candidates and 512
 * dims, a polynomial exp with ~2 ulp error), the reference float64; for unit-scale inputs the
 * observed gap is ≤ 5e-6 on outputs, so outputs must agree within 2e-5 and LSEs within 2e-5,
 * with −∞ LSEs (empty subsets) matching exactly.
 */
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { sparseMlaAttention, type AttentionSubset } from '../../../engine/attention/sparse-attention';
import { checkFastAgainstReference, randomSparseMlaProblem } from '../../../engine/attention/fast/agreement';
import { setSparseMlaHeadRunner, singleThreadHeadRunner, splitHeadRange, type SparseMlaHeadRunner } from '../../../engine/attention/fast/head-runner';
import { fastPathBlocker, sparseMlaAttentionFast } from '../../../engine/attention/fast/sparse-mla-fast';
import { allocateSparseMlaKv, loadSparseMlaWasm, resetSparseMlaKvArena, residentKvOffset, type SparseMlaWasmVariant } from '../../../engine/attention/fast/wasm-kernels';
import { decodeBase64 } from '../../../engine/attention/fast/base64';

// Node 20 keeps relaxed SIMD behind a V8 flag; it must be set before the module is first compiled.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const TOL = 2e-5;

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d;
  }
  return m;
}

function runnerFor(variant: SparseMlaWasmVariant, parts = 1): SparseMlaHeadRunner {
  const wasm = loadSparseMlaWasm(variant);
  if (!wasm) throw new Error(`${variant} unavailable`);
  return {
    name: `${variant}×${parts}`,
    wasm,
    attendHeads(w, c) {
      // Ranges run one after another here; a threaded runner runs them at once over the same memory.
      for (const [h0, h1] of splitHeadRange(c.numHeadsPad, parts).reverse()) {
        w.exports.attendHeads(c.q, c.k, c.s, c.o, c.sink, c.stats, h0, h1, c.numCandidates, c.numFirstSubset, c.headDim, c.kStride, c.scale);
      }
    },
  };
}

afterEach(() => {
  setSparseMlaHeadRunner(null);
});

describe('wasm binaries', () => {
  it('the plain SIMD build loads on Node 20', () => {
    expect(loadSparseMlaWasm('wasm-simd')).not.toBeNull();
  });
  it('the relaxed-SIMD build loads once V8 allows relaxed SIMD, and is the default then', () => {
    expect(loadSparseMlaWasm('wasm-relaxed-simd')).not.toBeNull();
    expect(loadSparseMlaWasm()!.variant).toBe('wasm-relaxed-simd');
  });
  it('heapBase leaves the module static data alone and is 16-aligned', () => {
    const base = loadSparseMlaWasm('wasm-simd')!.exports.heapBase();
    expect(base % 16).toBe(0);
    expect(base).toBeGreaterThan(0);
  });
});

describe.each(['wasm-simd', 'wasm-relaxed-simd'] as const)('%s agrees with the reference', (variant) => {
  it.each([
    [1, 9, 8, 64, [40, 16]],
    [2, 7, 5, 32, [13, 3]], // heads not a multiple of 4 (padding), odd candidate counts
    [3, 4, 64, 512, [512, 128]], // V4-Flash decode shape (token 3: empty compressed subset)
    [4, 14, 4, 8, [1, 2]], // tiny lists
  ] as const)('seed %i: T=%i H=%i D=%i widths=%j', (seed, T, H, D, widths) => {
    setSparseMlaHeadRunner(runnerFor(variant));
    const p = randomSparseMlaProblem(seed, T, H, D, widths);
    const fast = sparseMlaAttentionFast(p);
    expect(fast.path).toBe(variant);
    const ref = sparseMlaAttention(p);
    expect(maxAbs(fast.out, ref.out)).toBeLessThan(TOL);
    ref.subsets.forEach((r, j) => expect(maxAbs(fast.lse[j]!, r.lse)).toBeLessThan(TOL));
    // The problem really exercised empty subsets (−∞ LSE) and they match exactly.
    expect(Array.from(ref.subsets[0]!.lse).some((v) => v === -Infinity)).toBe(true);
  });

  it('the reference is chunk-size independent and the fast path matches every chunking', () => {
    setSparseMlaHeadRunner(runnerFor(variant));
    const p = randomSparseMlaProblem(11, 6, 8, 64, [50, 20]);
    const fast = sparseMlaAttentionFast(p);
    for (const topkChunkSize of [1, 3, 16, 512]) {
      const ref = sparseMlaAttention({ ...p, knobs: { topkChunkSize, headBlockSize: 2 } });
      expect(maxAbs(fast.out, ref.out)).toBeLessThan(TOL);
    }
  });

  it('splitting heads into ranges (as threads do) gives bit-identical results', () => {
    const p = randomSparseMlaProblem(5, 4, 64, 512, [100, 40]);
    setSparseMlaHeadRunner(runnerFor(variant, 1));
    const one = sparseMlaAttentionFast(p);
    for (const parts of [2, 3, 16]) {
      setSparseMlaHeadRunner(runnerFor(variant, parts));
      const split = sparseMlaAttentionFast(p);
      expect(Buffer.from(split.out.buffer).equals(Buffer.from(one.out.buffer))).toBe(true);
    }
  });
});

describe('resident KV pools (gathered inside WebAssembly)', () => {
  it('give bit-identical results to pools copied in from JavaScript, and are reclaimed by reset', () => {
    const p = randomSparseMlaProblem(17, 5, 64, 512, [200, 64]);
    const copied = sparseMlaAttentionFast(p);
    const wasm = loadSparseMlaWasm()!;
    const resident = p.subsets.map((s) => {
      const kv = allocateSparseMlaKv(s.kv.length / 512, 512);
      kv.set(s.kv);
      expect(residentKvOffset(wasm, kv)).not.toBeNull();
      return { kv, candidates: s.candidates };
    });
    const inWasm = sparseMlaAttentionFast({ ...p, subsets: resident });
    expect(Buffer.from(inWasm.out.buffer).equals(Buffer.from(copied.out.buffer))).toBe(true);
    // A NaN in a resident row that a valid candidate reads is still reported, naming the pool.
    const c = resident[1]!.candidates;
    c.slots[0] = 3;
    c.lens[0] = Math.max(1, c.lens[0]!);
    resident[1]!.kv[3 * 512 + 7] = NaN;
    expect(() => sparseMlaAttentionFast({ ...p, subsets: resident })).toThrow(/subsets\[1\]\.kv/);
    resetSparseMlaKvArena();
    expect(residentKvOffset(wasm, resident[0]!.kv)).toBeNull();
    expect(() => allocateSparseMlaKv(0, 512)).toThrow(/numRows/);
  });
});

describe('fast path semantics', () => {
  const base = () => randomSparseMlaProblem(21, 4, 4, 16, [6, 4]);

  it('an all-invalid token gives exactly 0 with a finite sink and with no sink, and −∞ LSEs', () => {
    const p = base();
    for (const s of p.subsets) for (let i = 0; i < s.candidates.width; i++) s.candidates.slots[0 * s.candidates.width + i] = -1;
    const fast = sparseMlaAttentionFast(p);
    expect(Array.from(fast.out.subarray(0, 4 * 16)).every((v) => v === 0)).toBe(true);
    for (const l of fast.lse) expect(Array.from(l.subarray(0, 4)).every((v) => v === -Infinity)).toBe(true);
  });

  it('duplicates count once per occurrence: doubling a list shifts LSE by ln 2 and keeps o', () => {
    const p = base();
    const one: AttentionSubset = p.subsets[0]!;
    const w = one.candidates.width;
    const doubled = new Int32Array(4 * 2 * w);
    const lens = new Int32Array(4);
    for (let t = 0; t < 4; t++) {
      const n = Math.min(one.candidates.lens[t]!, w);
      for (let i = 0; i < 2 * w; i++) doubled[t * 2 * w + i] = i < n ? one.candidates.slots[t * w + i]! : i < 2 * n ? one.candidates.slots[t * w + i - n]! : -1;
      lens[t] = 2 * n;
    }
    const sink = new Array(4).fill(-Infinity);
    const a = sparseMlaAttentionFast({ ...p, sink, subsets: [one] });
    const b = sparseMlaAttentionFast({ ...p, sink, subsets: [{ kv: one.kv, candidates: { slots: doubled, lens, width: 2 * w } }] });
    expect(maxAbs(a.out, b.out)).toBeLessThan(1e-6);
    for (let i = 0; i < a.lse[0]!.length; i++) {
      if (a.lse[0]![i] === -Infinity) expect(b.lse[0]![i]).toBe(-Infinity);
      else expect(Math.abs(b.lse[0]![i]! - a.lse[0]![i]! - Math.LN2)).toBeLessThan(1e-5);
    }
  });

  it('falls back to the reference where the kernels do not apply (headDim % 8, three subsets)', () => {
    const p = randomSparseMlaProblem(8, 3, 4, 12, [5, 5]);
    expect(fastPathBlocker(p)).toMatch(/multiple of 8/);
    const fast = sparseMlaAttentionFast(p);
    expect(fast.path).toBe('reference');
    expect(maxAbs(fast.out, Float32Array.from(sparseMlaAttention(p).out))).toBe(0);
    const three = { ...randomSparseMlaProblem(9, 3, 4, 16, [5, 5]) };
    const subsets = [...three.subsets, three.subsets[0]!];
    expect(sparseMlaAttentionFast({ ...three, subsets }).path).toBe('reference');
    expect(sparseMlaAttentionFast({ ...three, path: 'reference' }).path).toBe('reference');
  });

  it('checkFastAgainstReference reports agreement', () => {
    const r = checkFastAgainstReference(3);
    expect(r.path).not.toBe('reference');
    expect(r.maxAbsOut).toBeLessThan(TOL);
    expect(r.maxAbsLse).toBeLessThan(TOL);
    expect(r.lseInfinitiesAgree).toBe(true);
  });

  it('runs with the default runner restored', () => {
    expect(setSparseMlaHeadRunner(null)).toBe(singleThreadHeadRunner);
  });
});

describe('bad input names the argument', () => {
  const p = () => randomSparseMlaProblem(31, 3, 4, 16, [6, 4]);
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as { name: string; argument?: string; message: string };
    }
    throw new Error('expected a throw');
  };

  it('wrong q length', () => {
    const x = p();
    expect(err(() => sparseMlaAttentionFast({ ...x, q: x.q.subarray(1) })).argument).toBe('q');
  });
  it('NaN query', () => {
    const x = p();
    x.q[5] = NaN;
    expect(err(() => sparseMlaAttentionFast(x)).argument).toBe('q');
  });
  it('sink with the wrong head count, NaN or +∞ sink', () => {
    const x = p();
    expect(err(() => sparseMlaAttentionFast({ ...x, sink: [0, 0, 0] })).argument).toBe('sink');
    expect(err(() => sparseMlaAttentionFast({ ...x, sink: [0, NaN, 0, 0] })).argument).toBe('sink');
    expect(err(() => sparseMlaAttentionFast({ ...x, sink: [0, Infinity, 0, 0] })).argument).toBe('sink');
  });
  it('mismatched head count between q and numHeads', () => {
    const x = p();
    const e = err(() => sparseMlaAttentionFast({ ...x, numHeads: 8 }));
    expect(e.name).toBe('EngineError');
    expect(['q', 'sink']).toContain(e.argument);
  });
  it('slot outside the KV rows', () => {
    const x = p();
    x.subsets[1]!.candidates.slots[0] = 10_000;
    x.subsets[1]!.candidates.lens[0] = 4;
    expect(err(() => sparseMlaAttentionFast(x)).argument).toBe('subsets[1].candidates');
  });
  it('NaN in a row a valid candidate reads', () => {
    const x = p();
    const c = x.subsets[0]!.candidates;
    c.slots[0] = 2;
    c.lens[0] = Math.max(1, c.lens[0]!);
    x.subsets[0]!.kv[2 * 16 + 3] = NaN;
    const e = err(() => sparseMlaAttentionFast(x));
    expect(e.argument).toBe('subsets[0].kv');
    expect(e.message).toMatch(/row 2/);
  });
  it('bad scale, headDim and subsets', () => {
    const x = p();
    expect(err(() => sparseMlaAttentionFast({ ...x, scale: 0 })).argument).toBe('scale');
    expect(err(() => sparseMlaAttentionFast({ ...x, headDim: 0 })).argument).toBe('headDim');
    expect(err(() => sparseMlaAttentionFast({ ...x, subsets: [] })).argument).toBe('subsets');
    expect(err(() => sparseMlaAttentionFast({ ...x, subsets: [{ kv: new Float32Array(17), candidates: x.subsets[0]!.candidates }] })).argument).toBe('subsets[0].kv');
  });
});

describe('base64 decoder', () => {
  it('matches Buffer on every length remainder', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = Buffer.from(bytes).toString('base64');
      expect(Buffer.from(decodeBase64(text)).equals(Buffer.from(bytes))).toBe(true);
    }
  });
  it('rejects bad text', () => {
    expect(() => decodeBase64('abc')).toThrow(/multiple of 4/);
    expect(() => decodeBase64('ab$=')).toThrow(/invalid base64/);
  });
});
