/**
 * Deterministic synthetic token ids and uniforms: pure functions of (seed, request key, position),
 * so the same request produces the same tokens whatever the batching, sync or async loop,
 * preemptions or snapshot/restore.
 */
import { fmix32, hashString } from '../base/rng';

function mix3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h = (h << 13) | (h >>> 19);
  h ^= Math.imul(c ^ 0x165667b1, 0x27d4eb2f);
  return fmix32(h);
}

/** Stable numeric key of a request id under a seed. */
export function requestKey(seed: number, requestId: string): number {
  return hashString(requestId, (hashString('request', seed >>> 0) ^ seed) >>> 0);
}

/** Token generated at absolute position `position` of the request with `key`. */
export function syntheticToken(seed: number, key: number, position: number, vocabSize: number): number {
  return mix3(seed, key, position) % vocabSize;
}

/** Prompt token `i` of a request built from `promptLen` alone. */
export function syntheticPromptToken(seed: number, key: number, i: number, vocabSize: number): number {
  return mix3(seed ^ 0x5bd1e995, key, i) % vocabSize;
}

/** Uniform in [0, 1) for draft `i` verified at sequence position `position`. */
export function acceptanceUniform(seed: number, key: number, position: number, i: number): number {
  return mix3(seed ^ 0x68e31da4, key ^ Math.imul(i + 1, 0x2545f491), position) / 4294967296;
}
