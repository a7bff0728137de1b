/**
 * Ported from vLLM `tests/v1/core/test_prefix_caching.py` (hybrid groups) and
 * `test_single_type_kv_cache_manager.py`: one full-attention group plus two sliding-window
 * groups sharing one pool, the common hit when single block hashes are evicted per group (with
 * and without EAGLE), and the sliding-window manager's hit scan, skipped-block removal and
 * block counting.
 */
import { describe, expect, it } from 'vitest';
import { BlockPool, NULL_BLOCK_ID } from '../../../engine/testing/index';
import { SingleTypeManager } from '../../../engine/kv/single-type-manager';
import { blocksOf, fill, kvManager, req } from './kv-helpers';

/** req0 + req1 allocated and freed; returns the manager and req1's block hashes. */
function hybridWarm(eagle: boolean) {
  const bs = 16;
  const m = kvManager({ blockSize: bs, numBlocks: eagle ? 31 : 21, windows: [null, (eagle ? 3 : 2) * bs, (eagle ? 3 : 2) * bs], useEagle: eagle });
  const nFull = eagle ? 6 : 3;
  const common = blocksOf(nFull, bs);
  const r0 = req('0', [...common, ...fill(nFull, 7)]);
  expect(m.getComputedBlocks(r0).numComputedTokens).toBe(0);
  const got0 = m.allocateSlots(r0, r0.numTokens)!;
  const r1 = req('1', [...common, ...fill(nFull, 5)]);
  const hit = m.getComputedBlocks(r1);
  const got1 = m.allocateSlots(r1, r1.numTokens - hit.numComputedTokens, hit)!;
  m.free('0');
  m.free('1');
  return { m, got0, got1, hit, hashes: r1.blockHashes.slice(), tokens: r1.allTokenIds.slice(), nFull };
}

describe('test_prefix_caching.py: hybrid full + sliding-window groups', () => {
  it('test_prefill_hybrid_model: per-group blocks and the common hit', () => {
    const { got0, got1, hit, m } = hybridWarm(false);
    expect(got0).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // Window 32 = 2 blocks: the window groups need blocks 1 and 2 only.
    expect(hit.groupBlockIds).toEqual([[1, 2, 3], [0, 6, 7], [0, 10, 11]]);
    expect(hit.numComputedTokens).toBe(48);
    expect(got1).toEqual([13, 14, 15]);
    expect(m.lastNewBlockIdsPerGroup).toEqual([[13], [14], [15]]);
  });

  it.each([
    ['window blocks outside the window', [[0, 1], [0, 2]], 3],
    ['first full-attention block', [[0, 0]], 0],
    ['last block of every group', [[2, 0], [2, 1], [2, 2]], 2],
    ['last full-attention block', [[2, 0]], 2],
    ['last block of window group 1', [[2, 1]], 2],
    ['last block of window group 2', [[2, 2]], 2],
    ['different blocks per group (full hit 2, windows need blocks 0-1)', [[2, 0], [0, 1], [0, 2]], 0],
    // Group 2 shortens the hit to 2 after group 1 said 3; group 1 has no valid window ending at 2
    // (its block 0 is gone), so the groups must be asked again until they agree: 0.
    ['window group 1 block 0 + window group 2 block 2', [[0, 1], [2, 2]], 0],
  ] as const)('_test_partial_request_hit: evict %s → %i blocks', (_n, evict, expected) => {
    const { m, hashes, tokens } = hybridWarm(false);
    for (const [b, g] of evict) expect(m.evictBlockHash(hashes[b]!, g).length).toBeGreaterThan(0);
    const hit = m.getComputedBlocks(req('x', tokens));
    expect(hit.numComputedTokens).toBe(expected * 16);
    for (const g of hit.groupBlockIds) expect(g).toHaveLength(expected);
    m.checkInvariants();
  });

  it('test_prefill_hybrid_model_eagle: EAGLE drops the last common block in every group', () => {
    const { got0, got1, hit } = hybridWarm(true);
    expect(got0).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(hit.groupBlockIds).toEqual([[1, 2, 3, 4, 5], [0, 0, 10, 11, 12], [0, 0, 17, 18, 19]]);
    expect(hit.numComputedTokens).toBe(80);
    expect(got1).toEqual([22, 23, 24, 25, 26, 27]);
  });

  it.each([
    ['window blocks outside the window', [[0, 1], [0, 2]], 5],
    ['first full-attention block', [[0, 0]], 0],
    ['last block of every group', [[5, 0], [5, 1], [5, 2]], 4],
    ['last full-attention block', [[5, 0]], 4],
    ['second-last block of window group 1', [[4, 1]], 3],
    ['second-last block of window group 2', [[4, 2]], 3],
    ['full last block + window block 0', [[5, 0], [0, 1], [0, 2]], 4],
  ] as const)('eagle partial hit: evict %s → %i blocks', (_n, evict, expected) => {
    const { m, hashes, tokens } = hybridWarm(true);
    for (const [b, g] of evict) m.evictBlockHash(hashes[b]!, g);
    const hit = m.getComputedBlocks(req('x', tokens));
    expect(hit.numComputedTokens).toBe(expected * 16);
    for (const g of hit.groupBlockIds) expect(g).toHaveLength(expected);
  });

  it('test_eagle_with_sliding_window: window of one block, EAGLE keeps one; evicting block 0 empties the hit', () => {
    const m = kvManager({ blockSize: 16, numBlocks: 10, windows: [16], useEagle: true });
    const tokens = fill(0, 2 * 16 + 5);
    const r = req('a', tokens);
    m.getComputedBlocks(r);
    m.allocateSlots(r, tokens.length);
    const first = r.blockHashes[0]!;
    m.free('a');
    expect(m.getComputedBlocks(req('b', tokens)).numComputedTokens).toBe(16);
    expect(m.cachedBlock(first, 0)).toBeDefined();
    m.evictBlockHash(first, 0);
    expect(m.cachedBlock(first, 0)).toBeUndefined();
    expect(m.getComputedBlocks(req('c', tokens)).numComputedTokens).toBe(0);
  });
});

function swManager(window: number, bs: number, pool: BlockPool): SingleTypeManager {
  return new SingleTypeManager(0, { slidingWindow: window }, pool, bs, false, (h) => h);
}

describe('test_single_type_kv_cache_manager.py: sliding window', () => {
  it.each([
    [[false, false, false, false, false, false, false, false, false, false], 0],
    [[true], 1], [[true, false], 1], [[true, true], 2], [[true, true, false], 2], [[true, true, true], 3], [[true, true, true, false], 3],
    [[true, true, false, true, false, false, true, true, false, true, true, true], 12],
    [[true, true, false, true, false, false, true, true, false, false, false], 8],
    [[true, true, false, true, false, false, true, true, false, false, false, true], 8],
  ])('test_sliding_window_possible_cached_prefix %j → %i', (cached, expected) => {
    const pool = new BlockPool(100);
    const m = swManager(4, 2, pool);
    const hashes = cached.map((_, i) => 1000 + i);
    cached.forEach((c, i) => { if (c) pool.cacheBlock(i + 10, hashes[i]!); });
    const hit = m.findHit(hashes, cached.length);
    expect(hit).toHaveLength(expected);
    expect(hit.slice(0, Math.max(0, expected - 2)).every((id) => id === NULL_BLOCK_ID)).toBe(true);
    for (let i = 0; i < 2 && i < expected; i++) expect(hit[expected - i - 1]).toBe(expected - i - 1 + 10);
  });

  it('test_sliding_window_remove_skipped_blocks: whole blocks out of the window become null, newest freed first', () => {
    const pool = new BlockPool(20);
    const m = swManager(4, 2, pool);
    const ids: number[] = [];
    pool.getNewBlocks(11, ids);
    m.reset([['test', ids.slice(), 0]]);
    const table = (): number[] => m.table('test')!;
    m.removeSkippedBlocks('test', 0);
    expect(table()).toEqual(ids);
    m.removeSkippedBlocks('test', 4); // only token 0 is out; block 0 still holds token 1
    expect(table()).toEqual(ids);
    m.removeSkippedBlocks('test', 5);
    expect(table()).toEqual([0, ...ids.slice(1)]);
    m.removeSkippedBlocks('test', 6);
    expect(table()).toEqual([0, ...ids.slice(1)]);
    m.removeSkippedBlocks('test', 7);
    expect(table()).toEqual([0, 0, ...ids.slice(2)]);
    const before = pool.freeQueueOrder().length;
    m.removeSkippedBlocks('test', 11);
    expect(table()).toEqual([0, 0, 0, 0, ...ids.slice(4)]);
    // The longer prefix (block 3) is evicted before block 2.
    expect(pool.freeQueueOrder().slice(before)).toEqual([ids[3], ids[2]]);
  });

  it('test_get_num_blocks_to_allocate: cached free hit blocks count against free capacity, null ones do not', () => {
    const pool = new BlockPool(100);
    const m = swManager(4, 2, pool);
    const cached1 = Array.from({ length: 10 }, (_, i) => i + 1);
    const cached2 = [...fill(0, 5), ...Array.from({ length: 5 }, (_, i) => i + 1)];
    expect(m.numBlocksToAllocate('1', cached1, 40, 0)).toBe(20);
    expect(m.numBlocksToAllocate('2', cached2, 40, 0)).toBe(15);
  });

  it('test_evictable_cached_blocks_not_double_allocated', () => {
    const pool = new BlockPool(100);
    const m = swManager(4, 2, pool);
    expect(m.numBlocksToAllocate('req', [1], 4, 2)).toBe(2);
    const fresh = m.allocate('req', [1], 4, 2);
    expect(fresh).toHaveLength(1);
    expect(m.table('req')).toHaveLength(2);
  });

  it('test_predictor_matches_allocator_blocks_calculation: the count equals the blocks allocate pulls', () => {
    const pool = new BlockPool(100);
    const m = swManager(8, 2, pool);
    let computed = 0;
    for (const n of [4, 8, 12, 16]) {
      m.removeSkippedBlocks('req', computed);
      const predicted = m.numBlocksToAllocate('req', [], n, computed);
      expect(m.allocate('req', [], n, computed)).toHaveLength(predicted);
      computed = n;
    }
  });
});
