/**
 * The native AVX2 head runner (native/sparse-mla via kernel/native) against the WebAssembly
 * kernels and the float64 reference: same semantics on seeded problems of many shapes (heads
 * not a multiple of 4, one head, odd candidate counts, empty subsets, all-invalid tokens,
 * duplicates, −1 entries, −∞ sinks, the V4-Flash decode shape over resident KV pools), bit-
 * identical results for any thread count, and clear errors for bad arguments.
 *
 * Tolerances: native and wasm are both fp32 with the same exp polynomial; they differ only in
 * summation order (8-lane vs 4-lane dot products), so outputs agree within 1e-5 relative to the
 * largest |output| (observed ~1e-6) and LSEs within 1e-5; against the float64 reference the
 * fast-path bound of test/engine/attention-fast (2e-5) holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sparseMlaAttention, type AttentionSubset } from '../../../engine/attention/sparse-attention';
import { randomSparseMlaProblem } from '../../../engine/attention/fast/agreement';
import { getSparseMlaHeadRunner, setSparseMlaHeadRunner } from '../../../engine/attention/fast/head-runner';
import { sparseMlaAttentionFast, type FastSparseMlaArgs } from '../../../engine/attention/fast/sparse-mla-fast';
import { allocateSparseMlaKv, ensureWasmMemory, loadSparseMlaWasm, sparseMlaScratchBase } from '../../../engine/attention/fast/wasm-kernels';
import { EngineError } from '../../../engine/base/errors';
import { Rng } from '../../../engine/base/rng';
import { createNativeHeadRunner, loadNativeHeadRunner, type NativeHeadRunner } from '../../../kernel/native/sparse-mla-native';
import { requireAddon, skipNative } from './native-available';

const REF_TOL = 2e-5;
const WASM_REL_TOL = 1e-5;

afterEach(() => {
  setSparseMlaHeadRunner(null);
});

function runner(threads: number): NativeHeadRunner {
  return createNativeHeadRunner(requireAddon(), { threads });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN makes the difference NaN, which fails every bound below
  }
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function runWith(r: NativeHeadRunner | null, p: FastSparseMlaArgs) {
  setSparseMlaHeadRunner(r);
  return sparseMlaAttentionFast(p);
}

/** Native (1 thread) vs wasm vs reference on one problem; returns the native result. */
function expectAgreement(p: FastSparseMlaArgs) {
  const wasm = runWith(null, p);
  const native = runWith(runner(1), p);
  const ref = sparseMlaAttention(p);
  expect(wasm.path).toBe('wasm-relaxed-simd');
  expect(native.path).toBe('native-avx2');
  expect(native.runner).toBe('native-avx2×1');
  const scale = Math.max(1e-30, maxAbs(wasm.out));
  expect(maxAbsDiff(native.out, wasm.out) / scale).toBeLessThanOrEqual(WASM_REL_TOL);
  expect(maxAbsDiff(native.out, ref.out)).toBeLessThanOrEqual(REF_TOL);
  native.lse.forEach((l, j) => {
    const w = wasm.lse[j]!;
    const r = ref.subsets[j]!.lse;
    for (let i = 0; i < l.length; i++) {
      if (!Number.isFinite(r[i]!)) {
        expect(l[i]).toBe(r[i]); // empty subset: −∞ exactly, on every path
        expect(w[i]).toBe(r[i]);
      } else {
        expect(Math.abs(l[i]! - w[i]!)).toBeLessThanOrEqual(WASM_REL_TOL * Math.max(1, Math.abs(w[i]!)));
        expect(Math.abs(l[i]! - r[i]!)).toBeLessThanOrEqual(REF_TOL * Math.max(1, Math.abs(r[i]!)));
      }
    }
  });
  return native;
}

/** A problem built by hand: every token has the given per-subset slot lists. */
function handProblem(seed: number, H: number, D: number, lists: ReadonlyArray<ReadonlyArray<ReadonlyArray<number>>>, sink?: number[]): FastSparseMlaArgs {
  const rng = new Rng(seed);
  const T = lists.length;
  const numRows = 50;
  const subsets: AttentionSubset[] = [0, 1].map((j) => {
    const width = Math.max(0, ...lists.map((l) => l[j]!.length));
    const slots = new Int32Array(T * width).fill(-1);
    const lens = new Int32Array(T);
    lists.forEach((l, t) => {
      l[j]!.forEach((s, i) => (slots[t * width + i] = s));
      lens[t] = l[j]!.length;
    });
    const kv = new Float32Array(numRows * D).map(() => Math.fround(rng.normal()));
    return { kv, candidates: { slots, lens, width } };
  });
  const q = new Float32Array(T * H * D).map(() => Math.fround(rng.normal() * 2));
  return { q, subsets, sink: sink ?? Array.from({ length: H }, () => rng.normal()), numHeads: H, headDim: D, scale: 1 / Math.sqrt(D) };
}

describe.skipIf(skipNative)('native sparse-MLA head runner', () => {
  it.each([
    [1, 9, 8, 64, [40, 16]],
    [2, 7, 5, 32, [13, 3]], // heads not a multiple of 4, odd candidate counts
    [5, 6, 1, 16, [7, 5]], // one head (three padded heads with −∞ sinks)
    [6, 8, 7, 40, [23, 9]], // D = 40: a 24-dim tile and a 16-dim tail
    [7, 8, 9, 24, [31, 1]], // D = 24: exactly one 24-dim tile
    [8, 5, 3, 8, [97, 33]], // D = 8: only the 8-dim tail; rows past a 96/128-row block
    [9, 4, 12, 136, [200, 70]], // D = 136: 5 tiles of 24 + 16, rows over several blocks
    [4, 14, 4, 8, [1, 2]], // tiny lists
  ] as const)('seed %i: T=%i H=%i D=%i widths=%j agrees with wasm and the f64 reference', (seed, T, H, D, widths) => {
    expectAgreement(randomSparseMlaProblem(seed, T, H, D, widths));
  });

  it('V4-Flash decode shape (64 heads, 512+128 candidates, D=512) over resident KV pools', () => {
    const H = 64, D = 512, rng = new Rng(11);
    const kvC = allocateSparseMlaKv(1024, D);
    const kvS = allocateSparseMlaKv(256, D);
    for (const kv of [kvC, kvS]) for (let i = 0; i < kv.length; i++) kv[i] = Math.fround(rng.normal());
    const T = 3;
    const slotsC = new Int32Array(T * 512).map(() => (rng.next() < 0.05 ? -1 : rng.int(1024)));
    const slotsS = new Int32Array(T * 128).map((_, i) => (i % 128) + (i >> 7));
    const p: FastSparseMlaArgs = {
      q: new Float32Array(T * H * D).map(() => Math.fround(rng.normal())), numHeads: H, headDim: D, scale: 1 / Math.sqrt(D),
      sink: Array.from({ length: H }, (_, h) => (h % 9 === 0 ? -Infinity : rng.normal())),
      subsets: [
        { kv: kvC, candidates: { slots: slotsC, lens: new Int32Array([512, 300, 0]), width: 512 } },
        { kv: kvS, candidates: { slots: slotsS, lens: new Int32Array([128, 128, 128]), width: 128 } },
      ],
    };
    expectAgreement(p);
  });

  it('n0 = 0, n0 = n, n = 0, all-invalid rows, duplicates and −1 entries', () => {
    const p = handProblem(21, 6, 32, [
      [[], [3, 4, 5]], // subset 0 empty: n0 = 0
      [[1, 2, 3, 4, 5, 6, 7], []], // subset 1 empty: n0 = n
      [[], []], // n = 0: output 0 unless only the sink
      [[-1, -1, -1], [-1, -1]], // all invalid
      [[9, 9, 9, -1, 9], [9, -1, 9]], // duplicates inside and across subsets
      [[0, 49, 17, -1, 30, 2, 2, 41, 12, 13, 14], [48, -1, 47]], // odd counts
    ]);
    const native = expectAgreement(p);
    const D = 32, H = 6;
    for (const t of [2, 3]) for (let i = t * H * D; i < (t + 1) * H * D; i++) expect(native.out[i]).toBe(0);
    for (const t of [2, 3]) for (const l of native.lse) for (let h = 0; h < H; h++) expect(l[t * H + h]).toBe(-Infinity);
  });

  it('−∞ sinks everywhere and large score ranges', () => {
    const p = handProblem(22, 5, 16, [[[1, 2, 3], [4, 5]], [[6], [7, 8, 9, 10]]], Array(5).fill(-Infinity));
    const q = p.q as Float32Array;
    for (let i = 0; i < q.length; i++) q[i] = q[i]! * 40; // scores spread over hundreds: exp underflows to 0 for most
    expectAgreement(p);
  });

  it.each([2, 3, 5])('%i threads give the 1-thread bits (V4-shaped and odd-shaped problems)', (threads) => {
    for (const p of [randomSparseMlaProblem(41, 3, 64, 512, [300, 128]), randomSparseMlaProblem(42, 9, 6, 24, [17, 5]), randomSparseMlaProblem(43, 4, 36, 64, [70, 20])]) {
      const one = runWith(runner(1), p);
      const many = runWith(runner(threads), p);
      expect(many.runner).toBe(`native-avx2×${threads}`);
      expect(Buffer.from(many.out.buffer).equals(Buffer.from(one.out.buffer))).toBe(true);
      many.lse.forEach((l, j) => expect(Buffer.from(l.buffer).equals(Buffer.from(one.lse[j]!.buffer))).toBe(true));
    }
  });

  it('300 back-to-back threaded calls of changing shapes all give the 1-thread bits (pool hand-offs)', () => {
    const problems = [randomSparseMlaProblem(51, 1, 64, 64, [40, 8]), randomSparseMlaProblem(52, 1, 8, 16, [3, 2]), randomSparseMlaProblem(53, 1, 20, 32, [9, 0])];
    const expected = problems.map((p) => runWith(runner(1), p).out);
    const r2 = runner(2), r3 = runner(3);
    for (let i = 0; i < 300; i++) {
      const k = i % problems.length;
      const got = runWith(i % 2 ? r2 : r3, problems[k]!).out;
      if (!Buffer.from(got.buffer).equals(Buffer.from(expected[k]!.buffer))) throw new Error(`call ${i} (problem ${k}) differs`);
    }
  });

  it('writes in place into the wasm memory it is handed (the addon aliases the shared buffer)', () => {
    const addon = requireAddon();
    const wasm = loadSparseMlaWasm()!;
    expect(wasm.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const H = 4, D = 8, n = 2, ldk = 8;
    const q = sparseMlaScratchBase(wasm), k = q + H * D * 4, s = k + n * ldk * 4, o = s + H * n * 4, sink = o + H * D * 4, stats = sink + H * 4;
    ensureWasmMemory(wasm, stats + H * 16);
    const g = new Float32Array(wasm.memory.buffer);
    g.fill(0, q / 4, (stats + H * 16) / 4);
    for (let d = 0; d < D; d++) {
      g[k / 4 + d] = 1; // row 0 = ones, row 1 = twos
      g[k / 4 + ldk + d] = 2;
    }
    g.fill(-Infinity, sink / 4, sink / 4 + H);
    g.fill(123, o / 4, o / 4 + H * D);
    addon.attendHeads(new Uint8Array(wasm.memory.buffer), q, k, s, o, sink, stats, H, n, 1, D, ldk, 1, 1);
    // Zero queries: equal scores, weights 1/2 each (one row per subset), output 1.5 everywhere;
    // stats per head: m0 = 0, l0 = 1, m1 = 0, l1 = 1; the weights are left in s.
    for (let i = 0; i < H * D; i++) expect(g[o / 4 + i]).toBe(1.5);
    for (let h = 0; h < H; h++) expect(Array.from(g.subarray(stats / 4 + 4 * h, stats / 4 + 4 * h + 4))).toEqual([0, 1, 0, 1]);
    expect(Array.from(g.subarray(s / 4, s / 4 + H * n))).toEqual(Array(H * n).fill(0.5));
  });

  it('the fast path names the native runner in its result and the installed runner', () => {
    const r = runner(2);
    setSparseMlaHeadRunner(r);
    expect(getSparseMlaHeadRunner()).toBe(r);
    const res = sparseMlaAttentionFast(randomSparseMlaProblem(3, 2, 4, 16, [5, 2]));
    expect(res.path).toBe('native-avx2');
    expect(res.runner).toBe('native-avx2×2');
    setSparseMlaHeadRunner(null);
    expect(sparseMlaAttentionFast(randomSparseMlaProblem(3, 2, 4, 16, [5, 2])).runner).toBe('single-thread');
  });

  it.each([Infinity, -Infinity, NaN])('a KV row holding %s gives the same EngineError as on the wasm path', (bad) => {
    const p = handProblem(23, 4, 16, [[[1, 2], [3]]]);
    (p.subsets[0]!.kv as Float32Array)[2 * 16 + 5] = bad;
    setSparseMlaHeadRunner(null);
    const wasmError = (() => { try { sparseMlaAttentionFast(p); } catch (e) { return e; } return null; })();
    expect(wasmError).toBeInstanceOf(EngineError);
    expect((wasmError as Error).message).toMatch(/subsets\[0\]\.kv row 2 \(candidate 1 of token 0\) holds/);
    setSparseMlaHeadRunner(runner(2));
    expect(() => sparseMlaAttentionFast(p)).toThrow((wasmError as Error).message);
  });
});

describe.skipIf(skipNative)('native runner: bad arguments', () => {
  const wasm = () => loadSparseMlaWasm()!;
  const mem = () => new Uint8Array(wasm().memory.buffer);
  // A small valid problem in the scratch area (above every resident pool, never the module's data).
  const ok = () => {
    const b = sparseMlaScratchBase(wasm());
    ensureWasmMemory(wasm(), b + 16384);
    return [mem(), b, b + 1024, b + 2048, b + 4096, b + 8192, b + 8448, 4, 2, 1, 8, 8, 0.5, 1] as const;
  };
  const call = (args: readonly unknown[]) => () => (requireAddon().attendHeads as (...a: unknown[]) => void)(...args);
  const withArg = (i: number, v: unknown) => {
    const a: unknown[] = [...ok()];
    a[i] = v === 'unaligned' ? (a[1] as number) + 2 : v;
    return a;
  };

  it('accepts the well-formed call used as the base of the others', () => {
    expect(call(ok())).not.toThrow();
  });
  it.each([
    [7, 6, /numHeadsPad must be a multiple of 4/],
    [7, 0, /numHeadsPad must be an integer in \[4/],
    [10, 12, /headDim must be a multiple of 8/],
    [11, 4, /kStride must be an integer in \[8|kStride must be at least headDim/],
    [9, 3, /numFirstSubset must not exceed numCandidates/],
    [8, -1, /numCandidates must be an integer/],
    [13, 0, /threads must be an integer in \[1, 64\]/],
    [13, 1.5, /threads must be an integer/],
    [1, 'unaligned', /q \(byte offset \d+, .*not 4-byte aligned/],
    [4, 1e12, /o must be an integer in \[0/],
    [12, Number.NaN, /scale must be finite/],
    [2, 'x', /k must be a number/],
  ] as const)('argument %i = %s: %s', (i, v, msg) => {
    expect(call(withArg(i, v))).toThrow(msg);
  });
  it('rejects spans past the end of the memory, naming the buffer', () => {
    const len = mem().byteLength;
    expect(call(withArg(4, len - 16))).toThrow(/o \(byte offset \d+, 128 bytes\) is outside the \d+-byte memory/);
    expect(call(withArg(2, len - 16))).toThrow(/k \(byte offset/);
  });
  it('rejects a memory that is not a typed array, and a wrong argument count', () => {
    expect(call(withArg(0, wasm().memory.buffer))).toThrow(/memory must be a typed array/);
    expect(call(ok().slice(0, 13))).toThrow(/expected 14 arguments/);
  });
  it('the runner factory rejects a bad thread count with an EngineError naming threads', () => {
    for (const threads of [0, -1, 2.5, 65]) {
      expect(() => createNativeHeadRunner(requireAddon(), { threads })).toThrow(EngineError);
      expect(() => createNativeHeadRunner(requireAddon(), { threads })).toThrow(/threads must be an integer in \[1, 64\]/);
    }
    expect(loadNativeHeadRunner({ threads: 2 }).runner?.threads).toBe(2);
  });
});
