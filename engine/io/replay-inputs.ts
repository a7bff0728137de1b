/**
 * The pieces `replayDump` needs from a dump record and from caller-supplied tensors: cache
 * geometry read from tensor summaries (pages, entries per page, and the page stride taken from
 * the real stride, as sparse-mla.md §4.1 demands), checks that supplied tensors match the
 * recorded shapes and dtypes (errors name `tensors.<field>`), and seeded synthesis of the values
 * a dump never contains (queries, sink logits, fp8_ds_mla cache entries).
 */
import { EngineError } from '../base/errors';
import type { Rng } from '../base/rng';
import { bf16Bits, v4CacheLayout, writeEntryV4, quantizeEntryV4, V4_ENTRY_BYTES, V4_HEAD_DIM } from '../quant/index';
import type { PagedCacheLayout } from '../quant/index';
import { makeTensor, numElements, tensorToFloat64 } from './dtype';
import type { DType, Tensor } from './dtype';
import { check } from './format-error';
import type { TensorSummary } from './tensor-summary';

/** Page geometry of a paged fp8_ds_mla cache summary (`[pages, E, (1,) 584]` uint8, any page stride). */
export function cacheLayoutFromSummary(ts: TensorSummary | null, part: string, expectedEntriesPerPage: number): PagedCacheLayout {
  check(ts !== null, 'vllm-dump', part, 'is null, but this layer reads that cache');
  check(ts.dtype === 'torch.uint8', 'vllm-dump', `${part}.dtype`, `is ${ts.dtype}; fp8_ds_mla caches are torch.uint8`);
  check(ts.shape.length >= 3 && ts.shape.at(-1) === V4_ENTRY_BYTES, 'vllm-dump', `${part}.shape`,
    `[${ts.shape.join(', ')}] is not [pages, E, (1,) ${V4_ENTRY_BYTES}]`);
  const E = ts.shape[1]!;
  check(E === expectedEntriesPerPage, 'vllm-dump', `${part}.shape`, `has ${E} entries per page; this layer uses ${expectedEntriesPerPage}`);
  const pageStride = ts.stride[0]!;
  check(pageStride >= E * V4_ENTRY_BYTES, 'vllm-dump', `${part}.stride`, `page stride ${pageStride} is below E·584 = ${E * V4_ENTRY_BYTES}`);
  return v4CacheLayout({ entriesPerPage: E, numPages: ts.shape[0]!, pageStride });
}

/** The last dimension of a summary (a list width), checked to exist. */
export function widthOf(ts: TensorSummary | null, part: string): number {
  check(ts !== null && ts.shape.length >= 1, 'vllm-dump', part, 'is missing, so the list width is unknown');
  return ts.shape.at(-1)!;
}

export type SuppliedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

export function suppliedMap(t: SuppliedTensors | undefined): ReadonlyMap<string, Tensor> {
  if (t === undefined) return new Map();
  if (t instanceof Map) return t;
  if (typeof t !== 'object' || t === null) throw new EngineError('tensors must be a Map or a record of tensors', 'tensors');
  return new Map(Object.entries(t));
}

/** Checks a supplied tensor: one of `dtypes`, and `numel` elements (any shape with that size). */
export function checkSupplied(t: Tensor, name: string, dtypes: readonly DType[], numel: number, shapeText: string): Tensor {
  const arg = `tensors.${name}`;
  if (!t || typeof t !== 'object' || !('dtype' in t)) throw new EngineError(`${arg} must be a Tensor`, arg);
  if (!dtypes.includes(t.dtype)) throw new EngineError(`${arg} is ${t.dtype}; the record needs ${dtypes.join(' or ')}`, arg);
  const n = numElements(t.shape);
  if (n !== numel || t.data.length !== numel) {
    throw new EngineError(`${arg} has shape [${t.shape.join(', ')}] (${n} elements); the record needs ${shapeText} (${numel})`, arg);
  }
  return t;
}

/** Supplied integer list tensor (I32 or I64) as Int32Array. */
export function asInt32(t: Tensor): Int32Array {
  if (t.dtype === 'I32') return t.data as Int32Array;
  return Int32Array.from(tensorToFloat64(t));
}

/** Seeded bf16 queries `[T, Hp, D]`: heads ≥ numHeads are zero (padding), as vLLM pads them. */
export function seededQueries(rng: Rng, T: number, Hp: number, D: number, numHeads: number): Tensor<'BF16'> {
  const bits = new Uint16Array(T * Hp * D);
  for (let t = 0; t < T; t++) for (let h = 0; h < numHeads; h++) for (let d = 0; d < D; d++) bits[(t * Hp + h) * D + d] = bf16Bits(0.5 * rng.normal());
  return makeTensor('BF16', [T, Hp, D], bits);
}

/** Seeded sink logits: finite for real heads, −∞ for padded heads (vLLM's initial value). */
export function seededSink(rng: Rng, Hp: number, numHeads: number): Tensor<'F32'> {
  const s = new Float32Array(Hp).fill(-Infinity);
  for (let h = 0; h < numHeads; h++) s[h] = rng.normal();
  return makeTensor('F32', [Hp], s);
}

/** One seeded latent vector with per-dimension magnitudes from 0.05 to 3 (so tile scales differ). */
export function seededLatent(rng: Rng): Float64Array {
  const x = new Float64Array(V4_HEAD_DIM);
  for (let d = 0; d < V4_HEAD_DIM; d++) x[d] = rng.normal() * (0.05 + (2.95 * d) / (V4_HEAD_DIM - 1));
  return x;
}

/** A zeroed cache with seeded, vLLM-quantised entries at `slots` (each written once). */
export function seededCache(rng: Rng, layout: PagedCacheLayout, slots: Iterable<number>): Uint8Array {
  const cache = new Uint8Array(layout.numPages * layout.pageStride);
  const done = new Set<number>();
  for (const s of [...slots].sort((a, b) => a - b)) {
    if (s < 0 || s >= layout.numPages * layout.entriesPerPage || done.has(s)) continue; // out-of-range slots are reported by the replay
    done.add(s);
    writeEntryV4(cache, s, quantizeEntryV4(seededLatent(rng)), layout);
  }
  return cache;
}

/** Query values as float32 `[T, H, D]` for the first `H` heads of a `[T, Hp, D]` tensor. */
export function queryHeads(q: Tensor, T: number, Hp: number, D: number, H: number, t0 = 0, t1 = T): Float32Array {
  const out = new Float32Array((t1 - t0) * H * D);
  for (let t = t0; t < t1; t++) {
    const rows = makeTensor(q.dtype, [H * D], q.data.slice((t * Hp) * D, (t * Hp + H) * D) as never);
    out.set(tensorToFloat64(rows), (t - t0) * H * D);
  }
  return out;
}

/** Default real head count: the leading heads with a finite sink (padded heads carry −∞); all if none. */
export function defaultNumHeads(sink: Float64Array): number {
  let n = 0;
  while (n < sink.length && Number.isFinite(sink[n]!)) n++;
  return n === 0 ? sink.length : n;
}

/** Int32 tensor helper. */
export const i32 = (a: Int32Array, shape: number[]): Tensor<'I32'> => makeTensor('I32', shape, a);

/** The reference output `[T, H, D]` placed into `[T, H_pad, D]` (padded heads zero), as float32 and its bf16 store. */
export function finishOutput(out: Float64Array, T: number, H: number, Hp: number, D: number): { output: Tensor<'F32'>; outputBf16: Tensor<'BF16'> } {
  const f = new Float32Array(T * Hp * D);
  for (let t = 0; t < T; t++) for (let h = 0; h < H; h++) f.set(out.subarray((t * H + h) * D, (t * H + h + 1) * D), (t * Hp + h) * D);
  const b = new Uint16Array(f.length);
  for (let i = 0; i < f.length; i++) b[i] = bf16Bits(f[i]!);
  return { output: makeTensor('F32', [T, Hp, D], f), outputBf16: makeTensor('BF16', [T, Hp, D], b) };
}

/** Real head count: `numHeads` if given (checked), else `defaultNumHeads(sink)`. */
export function resolveHeads(numHeads: number | undefined, sink: Float64Array, Hp: number): number {
  const H = numHeads ?? defaultNumHeads(sink);
  if (!Number.isInteger(H) || H < 1 || H > Hp) throw new EngineError(`numHeads must be an integer in 1 … ${Hp}, got ${H}`, 'numHeads');
  return H;
}
