/**
 * Sampling from the tiny model's logits: greedy (argmax, ties to the lower id) at temperature 0,
 * otherwise a seeded draw whose uniform is a pure function of (seed, request key, position), so
 * the token at a position never depends on batching or on speculative decoding.
 */
import { hashString, Rng } from '../base/rng';
import { argMax } from './linalg';

export interface TopLogit {
  readonly tokenId: number;
  readonly logit: number;
}

/** The `k` largest logits, value descending then lower id. */
export function topLogits(logits: ArrayLike<number>, k: number): TopLogit[] {
  const ids = Array.from({ length: logits.length }, (_, i) => i);
  ids.sort((a, b) => logits[b]! - logits[a]! || a - b);
  return ids.slice(0, k).map((tokenId) => ({ tokenId, logit: logits[tokenId]! }));
}

/** Samples the token at `pos` of the request with key `key`. */
export function sampleToken(logits: Float32Array, temperature: number, seed: number, key: number, pos: number): number {
  if (temperature === 0) return argMax(logits);
  const u = new Rng(hashString(`${key}:${pos}`, seed >>> 0)).next();
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]! / temperature);
  let total = 0;
  const p = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) total += p[i] = Math.exp(logits[i]! / temperature - m);
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += p[i]! / total;
    if (u < acc) return i;
  }
  return p.length - 1;
}
