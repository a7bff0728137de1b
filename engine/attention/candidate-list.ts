/**
 * Candidate lists (sparse-mla.md §2.1) in vLLM's upstream format: per query token an ordered row
 * of slot ids ([T, width] Int32Array, −1 = none) and a length. Candidate i is valid iff i < len
 * and slot ≥ 0; duplicates count once per occurrence (multiset). The −1 sentinel is kept only at
 * this boundary because the upstream format uses it.
 */
import { EngineError } from '../base/errors';

/** Rows of candidates for `numTokens` tokens. */
export interface CandidateLists {
  /** [numTokens, width] slot ids, −1 = no candidate. */
  readonly slots: Int32Array;
  /** [numTokens] lengths (positional truncation). */
  readonly lens: Int32Array;
  readonly width: number;
}

/** Builds lists from plain rows (each row padded with −1 to the widest) and lengths (default: row lengths). */
export function candidateLists(rows: readonly (readonly number[])[], lens?: readonly number[]): CandidateLists {
  if (lens && lens.length !== rows.length) throw new EngineError(`lens has ${lens.length} entries for ${rows.length} rows`, 'lens');
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  const slots = new Int32Array(rows.length * width).fill(-1);
  rows.forEach((r, t) => r.forEach((s, i) => (slots[t * width + i] = s)));
  const l = new Int32Array(rows.length);
  rows.forEach((r, t) => (l[t] = lens ? lens[t]! : r.length));
  return { slots, lens: l, width };
}

/**
 * Validates lists against `numTokens` tokens and `numRows` KV rows: shapes, lengths ≥ 0, and every
 * candidate inside its length is −1 or a row id < numRows. `name` prefixes errors.
 */
export function checkCandidateLists(c: CandidateLists, numTokens: number, numRows: number, name = 'candidates'): void {
  if (!(c.slots instanceof Int32Array)) throw new EngineError(`${name}.slots must be an Int32Array`, name);
  if (!Number.isInteger(c.width) || c.width < 0) throw new EngineError(`${name}.width must be a non-negative integer`, name);
  if (c.slots.length !== numTokens * c.width) {
    throw new EngineError(`${name}.slots has ${c.slots.length} entries, expected numTokens·width = ${numTokens * c.width}`, name);
  }
  if (c.lens.length !== numTokens) throw new EngineError(`${name}.lens has ${c.lens.length} entries, expected ${numTokens}`, name);
  for (let t = 0; t < numTokens; t++) {
    const len = c.lens[t]!;
    if (len < 0) throw new EngineError(`${name}.lens[${t}] = ${len} is negative`, name);
    const n = Math.min(len, c.width);
    for (let i = 0; i < n; i++) {
      const s = c.slots[t * c.width + i]!;
      if (s < -1 || s >= numRows) {
        throw new EngineError(`${name}.slots[${t}][${i}] = ${s} is outside the KV rows (0 … ${numRows - 1}, or −1)`, name);
      }
    }
  }
}

/** Whether candidate i of token t is valid (i < len and slot ≥ 0). */
export function isCandidateValid(c: CandidateLists, t: number, i: number): boolean {
  return i < c.lens[t]! && i < c.width && c.slots[t * c.width + i]! >= 0;
}

/**
 * Concatenates per-token the first len entries of each list (−1 entries kept, so positions and
 * multiplicities are preserved); the result's len is the sum. This is S_0 ⊎ … ⊎ S_{J−1} of §2.7.
 */
export function concatCandidateLists(lists: readonly CandidateLists[], numTokens: number): CandidateLists {
  lists.forEach((c, j) => {
    if (c.lens.length !== numTokens) throw new EngineError(`lists[${j}].lens has ${c.lens.length} entries, expected ${numTokens}`, 'lists');
  });
  const rows: number[][] = [];
  for (let t = 0; t < numTokens; t++) {
    const row: number[] = [];
    for (const c of lists) {
      const n = Math.min(c.lens[t]!, c.width);
      for (let i = 0; i < n; i++) row.push(c.slots[t * c.width + i]!);
    }
    rows.push(row);
  }
  return candidateLists(rows);
}

/** Number of valid candidates of each token. */
export function countValidCandidates(c: CandidateLists): Int32Array {
  const T = c.lens.length;
  const out = new Int32Array(T);
  for (let t = 0; t < T; t++) for (let i = 0; i < Math.min(c.lens[t]!, c.width); i++) if (c.slots[t * c.width + i]! >= 0) out[t]!++;
  return out;
}
