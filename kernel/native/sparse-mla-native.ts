/**
 * The native head runner for the sparse-MLA fast path: the AVX2 + FMA kernels of
 * native/sparse-mla run the three phases (scores, merged softmax, output) of every head range
 * in place on the WebAssembly kernel memory, so the row gather and all of the engine's
 * bookkeeping stay as they are; only `attendHeads` changes hands. Heads are split over a
 * persistent native thread pool (`threads`, caller included). Install it with
 * `setSparseMlaHeadRunner(runner)`; the fast path then reports `path: 'native-avx2'`.
 */
import { EngineError, type AttendHeadsCall, type SparseMlaHeadRunner, type SparseMlaWasm } from '../../engine/index';
import { loadSparseMlaNativeAddon, type SparseMlaNativeAddon } from './native-addon';

export interface NativeHeadRunnerOptions {
  /** Threads per call, the caller's included (default 1). */
  readonly threads?: number;
}

export interface NativeHeadRunner extends SparseMlaHeadRunner {
  readonly threads: number;
}

export type NativeHeadRunnerLoad = { readonly runner: NativeHeadRunner; readonly reason: null } | { readonly runner: null; readonly reason: string };

/** A runner over `addon` (exported for tests, which also drive the addon directly). */
export function createNativeHeadRunner(addon: SparseMlaNativeAddon, options: NativeHeadRunnerOptions = {}): NativeHeadRunner {
  const threads = options.threads ?? 1;
  const max = addon.info().maxThreads;
  if (!Number.isInteger(threads) || threads < 1 || threads > max) {
    throw new EngineError(`threads must be an integer in [1, ${max}], got ${threads}`, 'threads');
  }
  // One byte view per wasm memory buffer; a grown shared memory hands out a new, longer buffer.
  const views = new WeakMap<SparseMlaWasm, Uint8Array>();
  const viewOf = (wasm: SparseMlaWasm): Uint8Array => {
    const buffer = wasm.memory.buffer;
    let v = views.get(wasm);
    if (v === undefined || v.buffer !== buffer || v.byteLength !== buffer.byteLength) {
      v = new Uint8Array(buffer);
      views.set(wasm, v);
    }
    return v;
  };
  return {
    name: `native-avx2×${threads}`,
    path: 'native-avx2',
    wasm: null,
    threads,
    attendHeads(wasm: SparseMlaWasm, c: AttendHeadsCall) {
      addon.attendHeads(viewOf(wasm), c.q, c.k, c.s, c.o, c.sink, c.stats, c.numHeadsPad, c.numCandidates, c.numFirstSubset, c.headDim, c.kStride, c.scale, threads);
    },
  };
}

/** The native runner, or null with the reason (missing or stale build, CPU without AVX2, …). */
export function loadNativeHeadRunner(options: NativeHeadRunnerOptions = {}): NativeHeadRunnerLoad {
  const loaded = loadSparseMlaNativeAddon();
  if (loaded.addon === null) return { runner: null, reason: loaded.reason };
  return { runner: createNativeHeadRunner(loaded.addon, options), reason: null };
}
