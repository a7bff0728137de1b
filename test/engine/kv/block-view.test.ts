import { describe, expect, it } from 'vitest';
import { makeKV, makeRequest, range } from '../sched/factories';

describe('KVCacheManager views (block size 4, 10 usable blocks)', () => {
  it('a block held by two requests: ref count, hash, holders in table order, not in the free queue', () => {
    const kv = makeKV();
    const a = makeRequest('A', range(0, 10));
    kv.allocateSlots(a, 10);
    const b = makeRequest('B', [...range(0, 8), 100, 101, 102]);
    kv.allocateSlots(b, 3, kv.getComputedBlocks(b));
    expect(kv.blockView(1)).toEqual({ blockId: 1, isNull: false, refCount: 2, blockHash: a.blockHashes[0], isFree: false, freeQueuePosition: null, heldBy: ['A', 'B'] });
    expect(kv.blockView(3)).toMatchObject({ refCount: 1, blockHash: null, heldBy: ['A'] });
    expect(kv.usageView()).toEqual({ numGpuBlocks: 11, numUsableBlocks: 10, numFreeBlocks: 6, numUsedBlocks: 4, numCachedBlocks: 2, usage: 0.4 });
  });

  it('a freed block keeps its hash and reports its free-queue position; the null block is held by nobody', () => {
    const kv = makeKV();
    kv.allocateSlots(makeRequest('A', range(0, 10)), 10);
    kv.free('A');
    expect(kv.freeBlockQueue()).toEqual([4, 5, 6, 7, 8, 9, 10, 3, 2, 1]);
    expect(kv.blockView(2)).toMatchObject({ isFree: true, freeQueuePosition: 8, refCount: 0, heldBy: [] });
    expect(kv.blockView(2).blockHash).not.toBeNull();
    expect(kv.blockView(0)).toMatchObject({ isNull: true, isFree: false, freeQueuePosition: null, heldBy: [] });
    // Reading changes nothing: the same view twice, the queue untouched.
    expect(kv.blockView(2)).toEqual(kv.blockView(2));
    expect(kv.freeBlockQueue()).toEqual([4, 5, 6, 7, 8, 9, 10, 3, 2, 1]);
  });

  it('a sliding-window table holding the null block does not make the null block held', () => {
    const kv = makeKV({ slidingWindow: 6, numGpuBlocks: 21, maxModelLen: 80 });
    const a = makeRequest('A', range(0, 16));
    kv.allocateSlots(a, 16);
    a.numComputedTokens = 16;
    kv.allocateSlots(a, 1);
    expect(kv.blockTable('A')).toEqual([0, 0, 3, 4, 5]);
    expect(kv.blockView(3).heldBy).toEqual(['A']);
    expect(kv.blockView(0).heldBy).toEqual([]);
  });

  it('names a bad block id', () => {
    const kv = makeKV();
    for (const bad of [-1, 11, 1.5, Number.NaN]) {
      expect(() => kv.blockView(bad)).toThrowError(/blockId must be an integer in \[0, 11\)/);
    }
  });
});
