/**
 * Seeded schedules consistent with a dump record's shapes: which request each token belongs to,
 * its position, and block tables that fit the recorded caches (decode); or sequence and query
 * lengths that reproduce the recorded prefill workspace height Mw (sparse-mla.md §4.3). A dump
 * holds shapes only, so these choices are the replay's "index patterns"; any schedule that
 * satisfies the recorded shapes is as good as another, and the seed picks one reproducibly.
 */
import type { Rng } from '../base/rng';
import type { PagedCacheLayout } from '../quant/index';
import { TensorFormatError } from './format-error';

export interface DecodeSchedule {
  readonly requestOfToken: Int32Array;
  readonly positions: Int32Array;
  readonly seqLens: Int32Array;
  /** Block-table rows per request (physical page ids in logical order, 0-padded to the recorded width). */
  readonly swaBlockTable: Int32Array[];
  readonly compressedBlockTable: Int32Array[];
}

function permutation(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Shuffled request-local indices 0 … n−1 (a stand-in for the indexer's selection order). */
export function shuffledIndices(rng: Rng, n: number): number[] {
  return permutation(rng, n);
}

/**
 * Decode: `numTokens` tokens over `numRequests` requests (more tokens than requests = MTP; the
 * first requests take the remainder), each request's tokens being its last positions. Lengths
 * are drawn so every request's pages fit its share of each cache and of each block-table row.
 */
export function seededDecodeSchedule(rng: Rng, o: {
  numTokens: number; numRequests: number; ratio: number;
  swa: PagedCacheLayout; swaTableWidth: number;
  compressed?: PagedCacheLayout; compressedTableWidth?: number;
}): DecodeSchedule {
  const R = o.numRequests;
  if (R < 1) throw new TensorFormatError('vllm-dump', 'fields.num_decodes', 'is 0: nothing to replay');
  const perReq = Array.from({ length: R }, (_, r) => Math.floor(o.numTokens / R) + (r < o.numTokens % R ? 1 : 0));
  const swaPages = Math.min(Math.floor(o.swa.numPages / R), o.swaTableWidth);
  let maxLen = swaPages * o.swa.entriesPerPage;
  let compPages = 0;
  if (o.compressed) {
    compPages = Math.min(Math.floor(o.compressed.numPages / R), o.compressedTableWidth ?? 0);
    maxLen = Math.min(maxLen, compPages * o.compressed.entriesPerPage * o.ratio + o.ratio - 1);
  }
  const need = Math.max(...perReq);
  if (maxLen < need) {
    throw new TensorFormatError('vllm-dump', 'fields', `the recorded caches/block tables hold at most ${maxLen} tokens per request, but ${need} decode tokens per request are recorded`);
  }
  const swaPerm = permutation(rng, o.swa.numPages);
  const compPerm = o.compressed ? permutation(rng, o.compressed.numPages) : [];
  const requestOfToken = new Int32Array(o.numTokens);
  const positions = new Int32Array(o.numTokens);
  const seqLens = new Int32Array(R);
  const swaBlockTable: Int32Array[] = [];
  const compressedBlockTable: Int32Array[] = [];
  let t = 0;
  for (let r = 0; r < R; r++) {
    const L = rng.intRange(perReq[r]!, maxLen);
    seqLens[r] = L;
    for (let j = 0; j < perReq[r]!; j++, t++) {
      requestOfToken[t] = r;
      positions[t] = L - perReq[r]! + j;
    }
    const st = new Int32Array(o.swaTableWidth);
    st.set(swaPerm.slice(r * swaPages, (r + 1) * swaPages));
    swaBlockTable.push(st);
    const ct = new Int32Array(o.compressedTableWidth ?? 0);
    if (o.compressed) ct.set(compPerm.slice(r * compPages, (r + 1) * compPages));
    compressedBlockTable.push(ct);
  }
  return { requestOfToken, positions, seqLens, swaBlockTable, compressedBlockTable };
}

/**
 * Prefill: sequence and query lengths of `numRequests` requests with `numTokens` query tokens in
 * total whose workspace has exactly `rowsPerRequest` (Mw) rows: Mw = max⌊seq/r⌋ + max gather_len.
 * The longest request is found first (a whole-prompt prefill, or one with a short cached prefix
 * when the floor makes Mw unreachable otherwise); the rest of the tokens are split at random.
 */
export function seededPrefillLengths(rng: Rng, o: {
  numTokens: number; numRequests: number; rowsPerRequest: number; ratio: number; window: number;
}): { seqLens: number[]; queryLens: number[] } {
  const { numTokens: T, numRequests: B, rowsPerRequest: Mw, ratio: r, window: W } = o;
  const height = (q: number, p: number) => q + Math.min(p, W - 1) + (r > 1 ? Math.floor((q + p) / r) : 0);
  for (let m = Math.min(T - (B - 1), Mw); m >= 1; m--) {
    const rest = T - m;
    if (rest < B - 1 || rest > (B - 1) * m) continue;
    for (let p = 0; p < W; p++) {
      if (height(m, p) !== Mw) continue;
      const queryLens = [m];
      let left = rest;
      for (let b = 1; b < B; b++) {
        const slots = B - 1 - b; // requests still to fill after this one
        const lo = Math.max(1, left - slots * m);
        const hi = Math.min(m, left - slots);
        const q = rng.intRange(lo, hi);
        queryLens.push(q);
        left -= q;
      }
      // Other requests are whole prompts no longer than the first, so N and gather stay set by it.
      return { seqLens: queryLens.map((q, b) => (b === 0 ? q + p : q)), queryLens };
    }
  }
  throw new TensorFormatError('vllm-dump', 'fields.gathered_kv', `no request lengths give ${T} tokens over ${B} requests with Mw = ${Mw} rows (ratio ${r})`);
}
