/**
 * Does one request of `max_model_len` fit the block pool? vLLM refuses to start when it does not
 * (`check_enough_kv_cache_memory`, engine-semantics.md §6): the blocks one request can ever hold
 * are summed over every KV-cache group, because hybrid models (full attention + sliding window)
 * draw all their groups from ONE shared pool. A config that passes a full-attention-only check
 * but not this one admits requests that can never run: they wait forever with blocks free.
 *
 * Per group, the most blocks one request holds (vLLM `max_memory_usage_bytes` / page size):
 *   full attention   ceil(maxModelLen / blockSize)
 *   sliding window   ceil(min(W − 1 + maxNumBatchedTokens + lookahead, maxModelLen) / blockSize) + 1
 * (+1: the window need not start on a block boundary). `lookahead` is the EAGLE/MTP draft slots
 * `allocate_slots` reserves in every group; vLLM's formula omits it, which can be one block short
 * when a running chunk takes the whole budget; with lookahead 0 this is vLLM's number exactly.
 */
import type { ConfigIssue } from '../base/errors';

/** The pool and scheduler sizes the fit depends on. */
export interface KVCacheFitInput {
  readonly numGpuBlocks: number;
  readonly blockSize: number;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  /** Draft slots allocated per running request (k for EAGLE/MTP, else 0). */
  readonly numLookaheadTokens: number;
  /** The KV-cache groups sharing the pool (`null` window = full attention). */
  readonly groups: readonly { readonly slidingWindow: number | null }[];
}

export interface GroupFit {
  readonly slidingWindow: number | null;
  /** Most blocks one request holds in this group. */
  readonly numBlocks: number;
  /** The arithmetic behind `numBlocks`. */
  readonly formula: string;
}

export interface KVCacheFit {
  readonly groups: readonly GroupFit[];
  /** Sum over groups: blocks one request of maxModelLen needs from the shared pool. */
  readonly numBlocksNeeded: number;
  /** `numGpuBlocks − 1` (block 0 is the null block). */
  readonly numUsableBlocks: number;
  readonly fits: boolean;
  /** Largest maxModelLen whose request fits these blocks (0 when none does). */
  readonly estimatedMaxModelLen: number;
}

function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** The most blocks one request of `maxModelLen` tokens holds in a group. */
export function maxBlocksPerRequest(slidingWindow: number | null, p: Omit<KVCacheFitInput, 'numGpuBlocks' | 'groups'>): GroupFit {
  const bs = p.blockSize;
  if (slidingWindow === null) {
    return { slidingWindow, numBlocks: cdiv(p.maxModelLen, bs), formula: `ceil(${p.maxModelLen} / ${bs}) = ${cdiv(p.maxModelLen, bs)}` };
  }
  const span = slidingWindow - 1 + p.maxNumBatchedTokens + p.numLookaheadTokens;
  const tokens = Math.min(span, p.maxModelLen);
  const n = cdiv(tokens, bs) + 1;
  const la = p.numLookaheadTokens > 0 ? ` + ${p.numLookaheadTokens}` : '';
  return { slidingWindow, numBlocks: n, formula: `ceil(min(${slidingWindow} − 1 + ${p.maxNumBatchedTokens}${la}, ${p.maxModelLen}) / ${bs}) + 1 = ${n}` };
}

function blocksNeeded(p: KVCacheFitInput, maxModelLen: number): number {
  let n = 0;
  for (const g of p.groups) n += maxBlocksPerRequest(g.slidingWindow, { ...p, maxModelLen }).numBlocks;
  return n;
}

/** vLLM `estimate_max_model_len` in blocks: binary search for the longest request that fits. */
export function estimateMaxModelLen(p: KVCacheFitInput): number {
  const usable = p.numGpuBlocks - 1;
  let lo = 0;
  let hi = p.maxModelLen;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (blocksNeeded(p, mid) <= usable) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function kvCacheFit(p: KVCacheFitInput): KVCacheFit {
  const groups = p.groups.map((g) => maxBlocksPerRequest(g.slidingWindow, p));
  const numBlocksNeeded = groups.reduce((a, g) => a + g.numBlocks, 0);
  const numUsableBlocks = p.numGpuBlocks - 1;
  const fits = numBlocksNeeded <= numUsableBlocks;
  return { groups, numBlocksNeeded, numUsableBlocks, fits, estimatedMaxModelLen: fits ? p.maxModelLen : estimateMaxModelLen(p) };
}

function groupName(w: number | null): string {
  return w === null ? 'full-attention group' : `sliding-window group (window ${w})`;
}

/** The config issue for a pool that cannot hold one max-length request; `null` when it can. */
export function kvCacheFitIssue(p: KVCacheFitInput): ConfigIssue | null {
  const fit = kvCacheFit(p);
  if (fit.fits) return null;
  const parts = fit.groups.map((g) => `the ${groupName(g.slidingWindow)} needs ${g.formula} blocks`);
  const shared = fit.groups.length > 1 ? `, ${fit.numBlocksNeeded} in all from the one shared pool` : '';
  const largest = fit.estimatedMaxModelLen > 0
    ? `the largest maxModelLen these blocks hold is ${fit.estimatedMaxModelLen}`
    : 'no request length fits these blocks';
  return {
    path: 'numGpuBlocks',
    message: `${fit.numUsableBlocks} usable blocks (numGpuBlocks ${p.numGpuBlocks} − the null block) cannot hold one request of `
      + `maxModelLen ${p.maxModelLen}: ${parts.join('; ')}${shared}. Raise numGpuBlocks to at least ${fit.numBlocksNeeded + 1} `
      + `(memory) or lower maxModelLen (${largest}).`,
  };
}
