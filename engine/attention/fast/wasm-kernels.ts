/**
 * Loads the sparse-MLA WebAssembly kernels (built from ./assembly by scripts/build-wasm.mjs and
 * embedded in sparse-mla-wasm.generated.ts) synchronously, with no I/O. The relaxed-SIMD build
 * (f32x4.relaxed_madd, an FMA on x86 with FMA3) is used when this engine validates it (Node 20
 * needs V8's --experimental-wasm-relaxed-simd, which a host may set before first use); otherwise
 * the plain SIMD build. Both import one shared memory, so worker threads outside engine/ can
 * instantiate the same module over the same memory and run disjoint head ranges.
 */
import { EngineError } from '../../base/errors';
import { decodeBase64 } from './base64';
import {
  SPARSE_MLA_WASM_MAX_PAGES,
  SPARSE_MLA_WASM_RELAXED_BASE64,
  SPARSE_MLA_WASM_SIMD_BASE64,
} from './sparse-mla-wasm.generated';

/** The slice of the WebAssembly JS API used here (tsconfig's lib has no DOM, so it is typed locally). */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
/** A compiled WebAssembly.Module (opaque; structured-cloneable to workers). */
export type WasmModuleLike = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModuleLike;
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemoryLike;
  Instance: new (module: WasmModuleLike, imports: object) => { readonly exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export type SparseMlaWasmVariant = 'wasm-relaxed-simd' | 'wasm-simd';

/** The exported kernel functions (byte offsets into the shared memory; see assembly/sparse-mla.ts). */
export interface SparseMlaWasmExports {
  qkScores(q: number, k: number, s: number, hBegin: number, hEnd: number, n: number, d: number, ldk: number, scale: number): void;
  softmaxMerge(s: number, hBegin: number, hEnd: number, n: number, n0: number, sink: number, stats: number): void;
  pvAccumulate(p: number, k: number, o: number, hBegin: number, hEnd: number, n: number, d: number, ldk: number): void;
  attendHeads(q: number, k: number, s: number, o: number, sink: number, stats: number,
    hBegin: number, hEnd: number, n: number, n0: number, d: number, ldk: number, scale: number): void;
  /** First byte (16-aligned) above the module's static data; the host lays its buffers out from here. */
  heapBase(): number;
  gatherRows(pool: number, idx: number, k: number, count: number, d: number, ldk: number): void;
}

/** One loaded kernel instance with its memory. */
export interface SparseMlaWasm {
  readonly variant: SparseMlaWasmVariant;
  /** Compiled module: post it (with `memory`) to a worker to run head ranges there. */
  readonly module: WasmModuleLike;
  readonly memory: WasmMemoryLike;
  readonly exports: SparseMlaWasmExports;
}

const PAGE = 65536;
const cache = new Map<SparseMlaWasmVariant, SparseMlaWasm | null>();

/** Whether this JavaScript engine accepts the given variant's binary. */
export function isSparseMlaWasmVariantSupported(variant: SparseMlaWasmVariant): boolean {
  return loadSparseMlaWasm(variant) !== null;
}

/**
 * The kernels of `variant` (default: relaxed SIMD if supported, else plain SIMD), or null when
 * this engine has no WebAssembly SIMD / shared memory. Loaded once per variant and kept.
 */
export function loadSparseMlaWasm(variant?: SparseMlaWasmVariant): SparseMlaWasm | null {
  if (variant === undefined) return loadSparseMlaWasm('wasm-relaxed-simd') ?? loadSparseMlaWasm('wasm-simd');
  if (variant !== 'wasm-relaxed-simd' && variant !== 'wasm-simd') throw new EngineError(`unknown wasm variant ${String(variant)}`, 'variant');
  if (cache.has(variant)) return cache.get(variant)!;
  let loaded: SparseMlaWasm | null = null;
  if (wasmApi !== undefined) {
    const bytes = decodeBase64(variant === 'wasm-relaxed-simd' ? SPARSE_MLA_WASM_RELAXED_BASE64 : SPARSE_MLA_WASM_SIMD_BASE64);
    if (wasmApi.validate(bytes)) {
      try {
        const module = new wasmApi.Module(bytes);
        const memory = new wasmApi.Memory({ initial: 64, maximum: SPARSE_MLA_WASM_MAX_PAGES, shared: true });
        const instance = new wasmApi.Instance(module, { env: { memory } });
        loaded = { variant, module, memory, exports: instance.exports as unknown as SparseMlaWasmExports };
      } catch {
        loaded = null; // e.g. shared memory disabled in this host: the reference path runs instead
      }
    }
  }
  cache.set(variant, loaded);
  return loaded;
}

/**
 * KV rows resident in the kernels' memory (like a KV cache in device memory): the fast path
 * gathers candidate rows of such a pool inside WebAssembly instead of copying them in from
 * JavaScript. Allocations are bump-allocated above the module's static data and live until
 * `resetSparseMlaKvArena`; per-call scratch space lies above them.
 */
interface Arena {
  end: number;
  readonly offsets: WeakMap<Float32Array, number>;
}
const arenas = new WeakMap<SparseMlaWasm, Arena>();

function arenaOf(wasm: SparseMlaWasm): Arena {
  let a = arenas.get(wasm);
  if (!a) {
    a = { end: wasm.exports.heapBase(), offsets: new WeakMap() };
    arenas.set(wasm, a);
  }
  return a;
}

/** A zeroed [numRows, headDim] float32 pool inside the kernels' memory (default instance unless given). */
export function allocateSparseMlaKv(numRows: number, headDim: number, wasm: SparseMlaWasm | null = loadSparseMlaWasm()): Float32Array {
  if (!Number.isInteger(numRows) || numRows <= 0) throw new EngineError(`numRows must be a positive integer, got ${numRows}`, 'numRows');
  if (!Number.isInteger(headDim) || headDim <= 0) throw new EngineError(`headDim must be a positive integer, got ${headDim}`, 'headDim');
  if (!wasm) throw new EngineError('the WebAssembly kernels are unavailable in this runtime', 'wasm');
  const arena = arenaOf(wasm);
  const offset = Math.ceil(arena.end / 64) * 64;
  const bytes = numRows * headDim * 4;
  ensureWasmMemory(wasm, offset + bytes);
  arena.end = offset + bytes;
  const view = new Float32Array(wasm.memory.buffer, offset, numRows * headDim);
  view.fill(0);
  arena.offsets.set(view, offset);
  return view;
}

/** Byte offset of a pool from `allocateSparseMlaKv` in `wasm`'s memory, or null for any other array. */
export function residentKvOffset(wasm: SparseMlaWasm, kv: Float32Array | Float64Array): number | null {
  return kv instanceof Float32Array ? (arenaOf(wasm).offsets.get(kv) ?? null) : null;
}

/** First byte free for per-call scratch space (above every resident pool). */
export function sparseMlaScratchBase(wasm: SparseMlaWasm): number {
  return Math.ceil(arenaOf(wasm).end / 64) * 64;
}

/** Frees every resident pool of `wasm` (their views must no longer be used). */
export function resetSparseMlaKvArena(wasm: SparseMlaWasm | null = loadSparseMlaWasm()): void {
  if (wasm) arenas.delete(wasm);
}

/** Grows `wasm.memory` to at least `bytes`; throws when that exceeds the declared maximum. */
export function ensureWasmMemory(wasm: SparseMlaWasm, bytes: number): void {
  const have = wasm.memory.buffer.byteLength;
  if (bytes <= have) return;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > SPARSE_MLA_WASM_MAX_PAGES) {
    throw new EngineError(`the problem needs ${bytes} bytes of kernel memory, more than the ${SPARSE_MLA_WASM_MAX_PAGES * PAGE} available`, 'subsets');
  }
  wasm.memory.grow(pages);
}
