/**
 * Ported from vLLM `tests/v1/core/test_prefix_caching.py` (single full-attention group): exact
 * block ids through prefill, decode and eviction, the free-queue order (the snapshot's rule: a
 * freed request's blocks join the tail, its longest prefix first), prompt-logprobs requests that
 * skip reads but still write, cache salts, the untouched hit blocks of a failed allocation,
 * reset, and evicting single cached blocks with duplicate hashes.
 */
import { describe, expect, it } from 'vitest';
import { BlockPool, hashBlockTokens, noneHash } from '../../../engine/testing/index';
import { blocksOf, fill, kvManager, range, req } from './kv-helpers';

describe('test_prefix_caching.py', () => {
  it('test_prefill: hits while in use and while free, eviction order', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const common = blocksOf(3, 16);
    const r0 = req('0', [...common, ...fill(3, 7)]);
    expect(m.getComputedBlocks(r0).numComputedTokens).toBe(0);
    expect(r0.blockHashes).toHaveLength(3);
    expect(m.allocateSlots(r0, 55)).toEqual([1, 2, 3, 4]);
    // Chained hashes of the three full blocks; the partial block has none.
    let parent = noneHash(0);
    for (const id of [1, 2, 3]) {
      const h = hashBlockTokens(parent, r0.allTokenIds, (id - 1) * 16, id * 16, 0);
      expect(m.pool.blockHash(id)).toBe(h);
      expect(m.pool.refCount(id)).toBe(1);
      parent = h;
    }
    expect([m.pool.blockHash(4), m.pool.refCount(4)]).toEqual([undefined, 1]);

    const r1 = req('1', [...common, ...fill(3, 5)]);
    const hit1 = m.getComputedBlocks(r1);
    expect([hit1.blockIds, hit1.numComputedTokens]).toEqual([[1, 2, 3], 48]);
    expect(m.allocateSlots(r1, 53 - 48, hit1)).toEqual([5]);
    expect([1, 2, 3].map((id) => m.pool.refCount(id))).toEqual([2, 2, 2]);
    expect(m.pool.numFreeBlocks).toBe(5);
    m.free('0');
    m.free('1');
    expect(m.pool.numFreeBlocks).toBe(10);
    expect(m.pool.freeQueueOrder()).toEqual([6, 7, 8, 9, 10, 4, 5, 3, 2, 1]);

    const r2 = req('2', [...common, ...fill(3, 6)]);
    const hit2 = m.getComputedBlocks(r2);
    expect(hit2.blockIds).toEqual([1, 2, 3]);
    expect(m.allocateSlots(r2, 54 - 48, hit2)).toEqual([6]);
    expect(m.pool.numFreeBlocks).toBe(6);
    m.free('2');
    // Cache miss and eviction: the block ids come out in eviction order.
    const r3 = req('3', fill(99, 160));
    expect(m.getComputedBlocks(r3).numComputedTokens).toBe(0);
    expect(m.allocateSlots(r3, 160)).toEqual([7, 8, 9, 10, 4, 5, 6, 3, 2, 1]);
    expect(m.pool.numFreeBlocks).toBe(0);
    m.checkInvariants();
  });

  it('test_prefill_plp: prompt-logprobs requests never read the cache but still write duplicates', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const common = blocksOf(3, 16);
    const r0 = req('0', [...common, ...fill(3, 7)], { promptLogprobs: 5 });
    expect(m.getComputedBlocks(r0).numComputedTokens).toBe(0);
    expect(m.allocateSlots(r0, 55)).toEqual([1, 2, 3, 4]);
    const r0Hashes = [1, 2, 3].map((id) => m.pool.blockHash(id));
    expect(r0Hashes.every((h) => h !== undefined)).toBe(true);
    const r1 = req('1', [...common, ...fill(3, 5)]);
    const hit1 = m.getComputedBlocks(r1);
    expect(hit1.blockIds).toEqual([1, 2, 3]);
    expect(m.allocateSlots(r1, 5, hit1)).toEqual([5]);
    m.free('0');
    m.free('1');
    const queries = m.numQueries;
    const r2 = req('2', [...common, ...fill(3, 6)], { promptLogprobs: 5 });
    const hit2 = m.getComputedBlocks(r2);
    expect([hit2.numComputedTokens, m.numQueries]).toEqual([0, queries]);
    const got = m.allocateSlots(r2, 54)!;
    expect(got).not.toEqual([1, 2, 3, 4]);
    expect(got.slice(0, 3).map((id) => m.pool.blockHash(id))).toEqual(r0Hashes);
    expect(got.every((id) => m.pool.refCount(id) === 1)).toBe(true);
    m.checkInvariants();
  });

  it('test_decode: slots without a new block, then a new block and the previous one hashed', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const r0 = req('0', [...blocksOf(3, 16), ...fill(3, 7)]);
    expect(m.allocateSlots(r0, 55)).toEqual([1, 2, 3, 4]);
    r0.numComputedTokens = 55;
    for (let i = 0; i < 4; i++) r0.appendOutputToken(8, 8192);
    expect(m.allocateSlots(r0, 4)).toEqual([]);
    expect(m.pool.blockHash(4)).toBeUndefined();
    r0.numComputedTokens = 59;
    for (let i = 0; i < 19; i++) r0.appendOutputToken(7, 8192);
    expect(m.allocateSlots(r0, 19)).toHaveLength(1);
    const t = m.blockTable('0')!;
    expect(m.pool.blockHash(t[t.length - 2]!)).toBeDefined();
    expect(m.pool.blockHash(t[t.length - 1]!)).toBeUndefined();
  });

  it('test_evict: LRU across requests, tail first within one; touching cached free blocks', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const last = 5 * 16 + 7;
    expect(m.allocateSlots(req('0', range(0, last)), last)).toHaveLength(6);
    expect(m.allocateSlots(req('1', range(last, last + 48)), 48)).toHaveLength(3);
    expect(m.pool.numFreeBlocks).toBe(1);
    m.free('0');
    expect(m.pool.freeQueueOrder()).toEqual([10, 6, 5, 4, 3, 2, 1]);
    m.free('1');
    expect(m.pool.freeQueueOrder()).toEqual([10, 6, 5, 4, 3, 2, 1, 9, 8, 7]);
    const r2 = req('2', range(0, 35));
    const hit = m.getComputedBlocks(r2);
    expect([hit.blockIds, hit.numComputedTokens]).toEqual([[1, 2], 32]);
    expect(m.allocateSlots(r2, 3, hit)).toEqual([10]);
    expect(m.pool.numFreeBlocks).toBe(7);
  });

  it('test_hash_block_correct_reuse / test_computed_blocks_not_evicted', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 2 });
    m.allocateSlots(req('0', range(0, 16)), 16);
    m.free('0');
    const got = m.allocateSlots(req('1', range(0, 15)), 15)!;
    expect(got).toHaveLength(1);
    expect(m.pool.blockHash(got[0]!)).toBeUndefined();

    const n = kvManager({ blockSize: 16, numBlocks: 3 });
    expect(n.allocateSlots(req('0', range(0, 16)), 16)).toEqual([1]);
    expect(n.allocateSlots(req('1', range(16, 32)), 16)).toEqual([2]);
    n.free('0');
    n.free('1');
    const r2 = req('2', range(0, 32));
    const hit = n.getComputedBlocks(r2);
    expect([hit.blockIds, hit.numComputedTokens]).toEqual([[1], 16]);
    // The hit block is touched before new blocks are popped: block 2 is evicted, not 1.
    expect(n.allocateSlots(r2, 16, hit)).toEqual([2]);
  });

  it('test_basic_prefix_caching_disabled', () => {
    const m = kvManager({ blockSize: 4, numBlocks: 5, enableCaching: false });
    expect(m.allocateSlots(req('1', range(0, 10)), 10)).toHaveLength(3);
    m.free('1');
    const r2 = req('2', range(0, 16));
    expect(m.getComputedBlocks(r2).numComputedTokens).toBe(0);
    expect(m.allocateSlots(r2, 16)).toHaveLength(4);
    expect(m.allocateSlots(req('3', range(0, 4)), 4)).toBeUndefined();
  });

  it('test_cache_key_salting: the salt enters block 0 only, and separates the caches', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const common = blocksOf(3, 16);
    const r0 = req('0', [...common, ...fill(3, 11)], { cacheSalt: 'salt1' });
    expect(m.getComputedBlocks(r0).numComputedTokens).toBe(0);
    const h = r0.blockHashes;
    const unsalted = req('u', r0.allTokenIds);
    m.ensureBlockHashes(unsalted);
    expect(h[0]).not.toBe(unsalted.blockHashes[0]);
    expect(h[1]).toBe(hashBlockTokens(h[0]!, r0.allTokenIds, 16, 32, 0));
    expect(h[2]).toBe(hashBlockTokens(h[1]!, r0.allTokenIds, 32, 48, 0));
    expect(m.allocateSlots(r0, 59)).toEqual([1, 2, 3, 4]);
    expect(m.getComputedBlocks(req('1', [...common, ...fill(4, 11)], { cacheSalt: 'salt1' })).numComputedTokens).toBe(48);
    expect(m.getComputedBlocks(req('2', [...common, ...fill(4, 11)], { cacheSalt: 'salt2' })).numComputedTokens).toBe(0);
    expect(m.getComputedBlocks(req('3', [...common, ...fill(4, 11)])).numComputedTokens).toBe(0);
  });

  it('test_prefill_not_enough_free_blocks_with_computed_blocks: a failed allocation touches no hit block', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const common = blocksOf(3, 16);
    m.allocateSlots(req('0', common), 48);
    const part0 = m.blockTable('0')!.slice();
    const r1 = req('1', [...common, ...common]);
    const hit1 = m.getComputedBlocks(r1);
    expect(hit1.blockIds).toEqual(part0);
    m.allocateSlots(r1, 48, hit1);
    const part1 = m.blockTable('1')!.slice();
    m.free('1');
    expect(part1.slice(0, 3).map((id) => m.pool.refCount(id))).toEqual([1, 1, 1]);
    expect(part1.slice(3).map((id) => m.pool.refCount(id))).toEqual([0, 0, 0]);
    m.allocateSlots(req('2', fill(7, 32)), 32);
    expect(m.pool.numFreeBlocks).toBe(5);
    const r3 = req('3', [...common, ...common, ...common]);
    const hit3 = m.getComputedBlocks(r3);
    expect([hit3.blockIds, hit3.numComputedTokens]).toEqual([part1, 96]);
    expect(m.allocateSlots(r3, 48, hit3)).toBeUndefined();
    expect(part1.slice(0, 3).map((id) => m.pool.refCount(id))).toEqual([1, 1, 1]);
    expect(part1.slice(3).map((id) => m.pool.refCount(id))).toEqual([0, 0, 0]);
    m.checkInvariants();
  });

  it('test_reset_prefix_cache: refused while blocks are held; afterwards no block holds a hash', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 11 });
    const full = blocksOf(3, 16);
    expect(m.allocateSlots(req('0', [...full, ...fill(3, 7)]), 55)).toEqual([1, 2, 3, 4]);
    const r1 = req('1', [...full, ...fill(4, 7)]);
    const hit = m.getComputedBlocks(r1);
    expect(hit.blockIds).toHaveLength(3);
    expect(m.allocateSlots(r1, 7, hit)).toEqual([5]);
    expect(m.resetPrefixCache()).toBe(false);
    expect(m.pool.numCachedBlocks).toBeGreaterThan(0);
    m.free('0');
    m.free('1');
    expect(m.resetPrefixCache()).toBe(true);
    expect(m.pool.numCachedBlocks).toBe(0);
    for (let id = 0; id < 11; id++) expect(m.pool.blockHash(id)).toBeUndefined();
  });

  it('test_maybe_evict_cached_block: evicting one of two blocks with the same hash keeps the other cached', () => {
    const pool = new BlockPool(5);
    const [h0, h1, h2] = [10, 20, 30];
    [h0, h1, h2, h0].forEach((h, i) => pool.cacheBlock(i + 1, h));
    expect([pool.cachedBlocksOf(h0), pool.cachedBlocksOf(h1), pool.cachedBlocksOf(h2)]).toEqual([[1, 4], [2], [3]]);
    expect(pool.evictCachedBlock(2)).toBe(true);
    expect([pool.cachedBlocksOf(h0), pool.cachedBlocksOf(h1), pool.cachedBlocksOf(h2)]).toEqual([[1, 4], [], [3]]);
    expect(pool.evictCachedBlock(1)).toBe(true);
    expect([pool.cachedBlocksOf(h0), pool.getCachedBlock(h0)]).toEqual([[4], 4]);
    expect(pool.evictCachedBlock(3)).toBe(true);
    expect(pool.evictCachedBlock(4)).toBe(true);
    expect([pool.numCachedBlocks, pool.evictCachedBlock(4)]).toEqual([0, false]);
    pool.checkInvariants(new Int32Array(5));
  });
});
