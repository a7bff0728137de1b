/**
 * Chained prefix-cache hashes of full token blocks (engine-semantics.md §5.3):
 * `hash_i = H(hash_{i−1}, tokens of block i, extra keys of block i)`, with a seed-derived
 * `NONE_HASH` as the parent of block 0. vLLM uses sha256; a simulator only needs a stable,
 * well-mixed key, so H here is two 32-bit murmur-style lanes folded into a 53-bit safe integer
 * (collision odds ~2^-53 per pair, far below anything a notebook workload reaches).
 */
import { fmix32, hashString } from '../base/rng';

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const TWO32 = 4294967296;

/** The parent hash of block 0 (vLLM's `NONE_HASH`, derived from the seed as with PYTHONHASHSEED). */
export function noneHash(seed: number): number {
  const lo = hashString(`NONE_HASH:${seed}`);
  const hi = hashString(`NONE_HASH_HI:${seed}`) & 0x1fffff;
  return hi * TWO32 + lo;
}

/** Extra key of a block (cache salt on block 0, LoRA name); 0 = none. */
export function extraKeyOf(s: string | null): number {
  return s === null ? 0 : hashString(s) || 1;
}

/** Hash of `tokens[start, end)` chained on `parent`. */
export function hashBlockTokens(parent: number, tokens: readonly number[], start: number, end: number, extraKey: number): number {
  const pLo = parent % TWO32 | 0;
  const pHi = Math.floor(parent / TWO32) | 0;
  let a = mix(0x3c6ef372 ^ pLo, pHi);
  let b = mix(0x510e527f ^ pHi, pLo);
  a = mix(a, extraKey);
  b = mix(b, extraKey ^ 0x5bd1e995);
  for (let i = start; i < end; i++) {
    const t = tokens[i]! | 0;
    a = mix(a, t);
    b = mix(b, t ^ 0x27d4eb2f);
  }
  a = fmix32(a ^ (end - start));
  b = fmix32(b ^ (end - start) ^ a);
  return (b & 0x1fffff) * TWO32 + a;
}
