/**
 * The fast path of sparse MLA attention (sparse-mla.md §2): same inputs and math as
 * `sparseMlaAttention` (the readable float64 reference, which stays the fallback), computed in
 * fp32 by WebAssembly SIMD kernels. Per token the valid candidate rows of both subsets are
 * gathered once into one block shared by all heads (MLA has a single KV head), then
 * S = s·Q·Kᵀ, the two subsets' softmax states (m_j, l_j), the sink-aware merge weights of §2.6
 * (raw-state form) and O = P·K. The whole list is one chunk: TOPK_CHUNK_SIZE and the other knobs
 * change only rounding (§2.3, §8.4), so the fast path ignores them. Candidate order within a
 * subset is kept; invalid candidates are never read; duplicates are gathered once per occurrence.
 */
import { EngineError } from '../../base/errors';
import { checkAttentionCall } from '../check-attention-call';
import { sparseMlaAttention, type AttentionArgs, type AttentionSubset } from '../sparse-attention';
import { getSparseMlaHeadRunner, type AttendHeadsCall, type SparseMlaPath } from './head-runner';
import { ensureWasmMemory, loadSparseMlaWasm, residentKvOffset, sparseMlaScratchBase, type SparseMlaWasm } from './wasm-kernels';

export type { SparseMlaPath } from './head-runner';

/** Result of the fast path: fp32 merged output [T, H, D], and per subset lse_no_sink [T, H]. */
export interface FastSparseMlaResult {
  readonly out: Float32Array;
  readonly lse: Float64Array[];
  /** Which implementation produced it. */
  readonly path: SparseMlaPath;
  /** The head runner that ran the kernels ('single-thread', 'native-avx2×2', …); 'reference' on the fallback. */
  readonly runner: string;
}

export interface FastSparseMlaArgs extends AttentionArgs {
  readonly subsets: readonly AttentionSubset[];
  readonly sink: ArrayLike<number>;
  /** 'auto' (default): wasm when supported, else the reference; 'reference' forces the fallback. */
  readonly path?: 'auto' | 'reference';
}

/** Why the wasm path cannot take these arguments, or null when it can. */
export function fastPathBlocker(args: { readonly headDim: number; readonly subsets: readonly unknown[] }): string | null {
  if (args.headDim % 8 !== 0) return `headDim ${args.headDim} is not a multiple of 8`;
  if (args.subsets.length > 2) return `${args.subsets.length} subsets (the kernels merge one or two)`;
  if (loadSparseMlaWasm() === null) return 'this JavaScript engine lacks WebAssembly SIMD or shared memory';
  return null;
}

/**
 * Whether every value is finite. x·0 is 0 for finite x and NaN for ±∞ and NaN, and a sum of four
 * fp32 values cannot overflow a double, so one multiply per four values decides it (about twice
 * as fast as Number.isFinite per element, which showed up at 5% of a decode step).
 */
function allFinite(o: Float32Array): boolean {
  let z = 0;
  const n4 = o.length & ~3;
  for (let i = 0; i < n4; i += 4) z += (o[i]! + o[i + 1]! + o[i + 2]! + o[i + 3]!) * 0;
  for (let i = n4; i < o.length; i++) z += o[i]! * 0;
  return z === 0;
}

/** Finds the first non-finite value among the token's valid rows and throws naming it. */
function throwNonFiniteRow(args: FastSparseMlaArgs, t: number): never {
  const D = args.headDim;
  args.subsets.forEach((s, j) => {
    const c = s.candidates;
    for (let i = 0; i < Math.min(c.lens[t]!, c.width); i++) {
      const slot = c.slots[t * c.width + i]!;
      if (slot < 0) continue;
      for (let d = 0; d < D; d++) {
        const v = s.kv[slot * D + d]!;
        if (!Number.isFinite(v)) {
          throw new EngineError(`subsets[${j}].kv row ${slot} (candidate ${i} of token ${t}) holds ${v}`, `subsets[${j}].kv`);
        }
      }
    }
  });
  throw new EngineError(`token ${t}: scores overflowed fp32 (inputs too large for the fp32 kernels)`, 'q');
}

/**
 * Sparse MLA attention with the sink merge, fast. Same arguments as `sparseMlaAttention`
 * (knobs are accepted and ignored by the wasm path); falls back to the reference when the wasm
 * path cannot run (see `fastPathBlocker`).
 */
export function sparseMlaAttentionFast(args: FastSparseMlaArgs): FastSparseMlaResult {
  const T = checkAttentionCall(args);
  const { numHeads: H, headDim: D } = args;
  const blocker = args.path === 'reference' ? 'reference forced' : fastPathBlocker(args);
  if (blocker !== null) {
    const ref = sparseMlaAttention(args);
    return { out: Float32Array.from(ref.out), lse: ref.subsets.map((r) => r.lse), path: 'reference', runner: 'reference' };
  }
  const runner = getSparseMlaHeadRunner();
  const wasm: SparseMlaWasm = runner.wasm ?? loadSparseMlaWasm()!;
  const Hp = Math.ceil(H / 4) * 4;
  const J = args.subsets.length;
  const maxN = args.subsets.reduce((n, s) => n + s.candidates.width, 0);
  // Layout (bytes, 16-aligned) above the resident pools: idx | sink | stats | q | o | k | s.
  const align = (x: number) => Math.ceil(x / 16) * 16;
  const resident = args.subsets.map((s) => residentKvOffset(wasm, s.kv));
  const idxOff = sparseMlaScratchBase(wasm);
  const sinkOff = align(idxOff + Math.max(1, maxN) * 4);
  const statsOff = align(sinkOff + Hp * 4);
  const qOff = align(statsOff + Hp * 16);
  const oOff = align(qOff + Hp * D * 4);
  const kOff = align(oOff + Hp * D * 4);
  const ldk = D + 16; // padded row stride (floats): keeps P·K's walk down the rows off one L1 set
  const sOff = align(kOff + Math.max(1, maxN) * ldk * 4);
  ensureWasmMemory(wasm, sOff + Hp * Math.max(1, maxN) * 4);
  const mem = new Float32Array(wasm.memory.buffer);
  const idx = new Int32Array(wasm.memory.buffer, idxOff, Math.max(1, maxN));
  mem.fill(0, qOff / 4 + H * D, oOff / 4); // padded heads' queries stay zero (real heads are written per token)
  for (let h = 0; h < Hp; h++) mem[sinkOff / 4 + h] = h < H ? args.sink[h]! : -Infinity;

  const out = new Float32Array(T * H * D);
  const lse = args.subsets.map(() => new Float64Array(T * H));
  for (let t = 0; t < T; t++) {
    mem.set(args.q.subarray(t * H * D, (t + 1) * H * D), qOff / 4);
    let n = 0;
    let n0 = 0;
    args.subsets.forEach((s, j) => {
      const c = s.candidates;
      const len = Math.min(c.lens[t]!, c.width);
      const pool = resident[j];
      if (pool !== null && pool !== undefined) {
        // Resident pool: collect the valid slots, copy the rows inside WebAssembly.
        let count = 0;
        for (let i = 0; i < len; i++) {
          const slot = c.slots[t * c.width + i]!;
          if (slot >= 0) idx[count++] = slot;
        }
        wasm.exports.gatherRows(pool, idxOff, kOff + n * ldk * 4, count, D, ldk);
        n += count;
      } else {
        for (let i = 0; i < len; i++) {
          const slot = c.slots[t * c.width + i]!;
          if (slot < 0) continue;
          mem.set(s.kv.subarray(slot * D, slot * D + D), kOff / 4 + n * ldk);
          n++;
        }
      }
      if (j === 0) n0 = n;
    });
    const call: AttendHeadsCall = {
      q: qOff, k: kOff, s: sOff, o: oOff, sink: sinkOff, stats: statsOff,
      numHeadsPad: Hp, numCandidates: n, numFirstSubset: n0, headDim: D, kStride: ldk, scale: args.scale,
    };
    runner.attendHeads(wasm, call);
    for (let h = 0; h < H; h++) {
      const st = statsOff / 4 + h * 4;
      for (let j = 0; j < J; j++) {
        const m = mem[st + 2 * j]!;
        const l = mem[st + 2 * j + 1]!;
        if (l > 0 && !(Number.isFinite(m) && Number.isFinite(l))) throwNonFiniteRow(args, t);
        lse[j]![t * H + h] = l > 0 ? m + Math.log(l) : -Infinity;
      }
    }
    const o = mem.subarray(oOff / 4, oOff / 4 + H * D);
    if (!allFinite(o)) throwNonFiniteRow(args, t);
    out.set(o, t * H * D);
  }
  return { out, lse, path: runner.path ?? wasm.variant, runner: runner.name };
}
