/**
 * How the fast path runs its per-token kernels over the heads. Heads are independent (they share
 * the gathered candidate rows, MLA's single KV head), so a runner may split [0, numHeadsPad) into
 * ranges on several threads. The engine ships the single-thread runner; a multi-thread runner
 * (worker_threads + the shared memory) lives outside engine/, which is pure, and is installed with
 * `setSparseMlaHeadRunner`. A runner must return only after every head's output is written.
 */
import { EngineError } from '../../base/errors';
import type { SparseMlaWasm, SparseMlaWasmVariant } from './wasm-kernels';

/** Which implementation produced a fast-path result: a wasm build, a native runner, or the float64 reference. */
export type SparseMlaPath = SparseMlaWasmVariant | 'native-avx2' | 'reference';

/** Byte offsets and sizes of one token's problem in the shared kernel memory. */
export interface AttendHeadsCall {
  readonly q: number;
  readonly k: number;
  readonly s: number;
  readonly o: number;
  readonly sink: number;
  readonly stats: number;
  /** Heads including padding (a multiple of 4); ranges must start and end on multiples of 4. */
  readonly numHeadsPad: number;
  /** Gathered valid candidate rows: subset 0 first, then subset 1. */
  readonly numCandidates: number;
  /** Rows of subset 0. */
  readonly numFirstSubset: number;
  readonly headDim: number;
  /** Row stride of the gathered rows in floats (headDim + 16; see assembly/sparse-mla.ts). */
  readonly kStride: number;
  readonly scale: number;
}

export interface SparseMlaHeadRunner {
  readonly name: string;
  /**
   * The implementation that runs the kernels, when it is not the wasm instance's own code (a
   * native runner operating in place on the wasm memory says 'native-avx2'); reported as the
   * fast path's `path`. Absent: the wasm variant.
   */
  readonly path?: SparseMlaPath;
  /** The wasm instance whose memory the calls address (null: use the engine's default instance). */
  readonly wasm: SparseMlaWasm | null;
  attendHeads(wasm: SparseMlaWasm, call: AttendHeadsCall): void;
}

/** Runs all heads on the calling thread. */
export const singleThreadHeadRunner: SparseMlaHeadRunner = {
  name: 'single-thread',
  wasm: null,
  attendHeads(wasm, c) {
    wasm.exports.attendHeads(c.q, c.k, c.s, c.o, c.sink, c.stats, 0, c.numHeadsPad, c.numCandidates, c.numFirstSubset, c.headDim, c.kStride, c.scale);
  },
};

let current: SparseMlaHeadRunner = singleThreadHeadRunner;

/** Installs a runner (null restores the single-thread one); returns the previous runner. */
export function setSparseMlaHeadRunner(runner: SparseMlaHeadRunner | null): SparseMlaHeadRunner {
  if (runner !== null && (typeof runner !== 'object' || typeof runner.attendHeads !== 'function')) {
    throw new EngineError('runner must have an attendHeads(wasm, call) method', 'runner');
  }
  const prev = current;
  current = runner ?? singleThreadHeadRunner;
  return prev;
}

export function getSparseMlaHeadRunner(): SparseMlaHeadRunner {
  return current;
}

/** Splits [0, numHeadsPad) into `parts` ranges on multiples of 4 (some may be empty). */
export function splitHeadRange(numHeadsPad: number, parts: number): Array<[number, number]> {
  const blocks = numHeadsPad / 4;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < parts; i++) {
    const b0 = Math.floor((blocks * i) / parts);
    const b1 = Math.floor((blocks * (i + 1)) / parts);
    out.push([b0 * 4, b1 * 4]);
  }
  return out;
}
