/**
 * Argument checks shared by every whole-call attention entry point (dense reference, matmul
 * decode path, fast path): one place decides what a well-formed call is, and every caller names
 * the same culprit for the same mistake.
 */
import { EngineError } from '../base/errors';
import { checkCandidateLists } from './candidate-list';
import { checkQueries, type AttentionSubset } from './sparse-attention';

export interface AttentionCall {
  readonly q: Float32Array | Float64Array;
  readonly subsets: readonly AttentionSubset[];
  readonly sink: ArrayLike<number>;
  readonly numHeads: number;
  readonly headDim: number;
  readonly scale: number;
}

/** Validates a call and returns its token count `T`; throws `EngineError` naming the argument. */
export function checkAttentionCall(args: AttentionCall): number {
  const { numHeads: H, headDim: D, scale, subsets, sink } = args;
  if (!Number.isInteger(H) || H <= 0) throw new EngineError(`numHeads must be a positive integer, got ${H}`, 'numHeads');
  if (!Number.isInteger(D) || D <= 0) throw new EngineError(`headDim must be a positive integer, got ${D}`, 'headDim');
  if (!Number.isFinite(scale) || scale <= 0) throw new EngineError(`scale must be a positive finite number, got ${scale}`, 'scale');
  if (!Array.isArray(subsets) || subsets.length === 0) throw new EngineError('subsets must hold at least one subset', 'subsets');
  const T = subsets[0]!.candidates.lens.length;
  checkQueries(args.q, T, H, D);
  if (!sink || sink.length !== H) throw new EngineError(`sink has ${sink?.length} heads, expected numHeads = ${H}`, 'sink');
  for (let h = 0; h < H; h++) {
    const v = sink[h]!;
    if (Number.isNaN(v) || v === Infinity) throw new EngineError(`sink[${h}] = ${v}; a sink must be finite or −Infinity (no sink)`, 'sink');
  }
  subsets.forEach((s, j) => {
    const name = `subsets[${j}]`;
    if (!(s.kv instanceof Float32Array || s.kv instanceof Float64Array)) throw new EngineError(`${name}.kv must be a Float32Array or Float64Array`, `${name}.kv`);
    if (s.kv.length % D !== 0) throw new EngineError(`${name}.kv has ${s.kv.length} values, not a multiple of headDim ${D}`, `${name}.kv`);
    checkCandidateLists(s.candidates, T, s.kv.length / D, `${name}.candidates`);
  });
  return T;
}
