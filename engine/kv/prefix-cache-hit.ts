/**
 * The prefix-cache hit common to every KV-cache group (vLLM's `find_longest_cache_hit` of the
 * hybrid coordinator, engine-semantics.md §5.4/§5.7). Each group finds its own hit under a length
 * bound; the bound shrinks to the shortest answer and every group is asked again until all agree,
 * because a window group's hit is only valid where its contiguous run ends (truncating it is not).
 * With EAGLE/MTP the last agreed block is dropped in every group.
 */

/** One group's view of the cache: its longest hit over `hashes` of at most `maxBlocks` blocks. */
export interface HitFinder {
  findHit(hashes: readonly number[], maxBlocks: number): number[];
}

/** Per-group hit blocks, all of the same length (window positions hold the null block). */
export function findCommonHit(groups: readonly HitFinder[], hashes: readonly number[], maxBlocks: number, useEagle: boolean): number[][] {
  let len = maxBlocks;
  let hits: number[][] = [];
  for (;;) {
    let shrunk = false;
    hits = [];
    for (const g of groups) {
      const h = g.findHit(hashes, len);
      hits.push(h);
      if (h.length < len) {
        len = h.length;
        shrunk = true;
      }
    }
    // One pass with no group answering below the bound: every group's hit is valid at `len`.
    if (!shrunk || groups.length === 1) break;
  }
  for (const h of hits) h.length = len;
  if (useEagle && len > 0) for (const h of hits) h.length = len - 1;
  return hits;
}
