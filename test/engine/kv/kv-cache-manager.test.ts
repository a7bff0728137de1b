import { describe, expect, it } from 'vitest';
import { makeKV, makeRequest, range } from '../sched/factories';

describe('KVCacheManager: prefix caching with exact block ids (block size 4, 10 usable blocks)', () => {
  it('shares cached full blocks, frees in reverse, and evicts lazily in free-queue order', () => {
    const kv = makeKV();
    const a = makeRequest('A', range(0, 10));
    expect(kv.getComputedBlocks(a)).toMatchObject({ blockIds: [], numComputedTokens: 0 });
    expect(kv.allocateSlots(a, 10)).toEqual([1, 2, 3]);
    // Blocks are registered at scheduling time: the two full blocks of A are cached now.
    expect(kv.pool.blockHash(1)).toBe(a.blockHashes[0]);
    expect(kv.pool.blockHash(2)).toBe(a.blockHashes[1]);
    expect(kv.pool.blockHash(3)).toBeUndefined();

    const b = makeRequest('B', [...range(0, 8), 100, 101, 102]);
    const hit = kv.getComputedBlocks(b);
    expect(hit).toMatchObject({ blockIds: [1, 2], numComputedTokens: 8 });
    expect(kv.allocateSlots(b, 3, hit)).toEqual([4]);
    expect(kv.blockTable('B')).toEqual([1, 2, 4]);
    expect([1, 2, 3, 4].map((id) => kv.pool.refCount(id))).toEqual([2, 2, 1, 1]);
    expect(kv.numQueries).toBe(21);
    expect(kv.numHits).toBe(8);
    kv.checkInvariants();

    kv.free('A');
    expect(kv.pool.freeQueueOrder()).toEqual([5, 6, 7, 8, 9, 10, 3]);
    kv.free('B');
    expect(kv.pool.freeQueueOrder()).toEqual([5, 6, 7, 8, 9, 10, 3, 4, 2, 1]);
    kv.checkInvariants();

    // A long request takes 8 blocks: 5..10, 3, 4 (uncached tails first), then 2 — evicting A's block 2.
    const c = makeRequest('C', range(500, 36));
    expect(kv.allocateSlots(c, 36)).toEqual([5, 6, 7, 8, 9, 10, 3, 4, 2]);
    const again = makeRequest('A2', range(0, 10));
    expect(kv.getComputedBlocks(again)).toMatchObject({ blockIds: [1], numComputedTokens: 4 });
    kv.checkInvariants();
  });

  it('never hits the last token: a prompt that is exactly cached recomputes its last block', () => {
    const kv = makeKV();
    const a = makeRequest('A', range(0, 8));
    kv.allocateSlots(a, 8);
    const b = makeRequest('B', range(0, 8));
    expect(kv.getComputedBlocks(b)).toMatchObject({ blockIds: [1], numComputedTokens: 4 });
  });

  it('EAGLE/MTP drops the last matched block', () => {
    const kv = makeKV({ useEagle: true });
    kv.allocateSlots(makeRequest('A', range(0, 12)), 12);
    expect(kv.getComputedBlocks(makeRequest('B', range(0, 13))).numComputedTokens).toBe(8);
  });

  it('cache salt changes the first block hash and so the whole chain', () => {
    const kv = makeKV();
    kv.allocateSlots(makeRequest('A', range(0, 9)), 9);
    expect(kv.getComputedBlocks(makeRequest('B', range(0, 9), { cacheSalt: 's' })).numComputedTokens).toBe(0);
    expect(kv.getComputedBlocks(makeRequest('C', range(0, 9))).numComputedTokens).toBe(8);
  });

  it('with caching off there are no hits and no stats', () => {
    const kv = makeKV({ enablePrefixCaching: false });
    kv.allocateSlots(makeRequest('A', range(0, 9)), 9);
    expect(kv.getComputedBlocks(makeRequest('B', range(0, 9))).numComputedTokens).toBe(0);
    expect(kv.numQueries).toBe(0);
    expect(kv.pool.numCachedBlocks).toBe(0);
  });

  it('a failed allocation changes nothing, hit blocks included (ref counts stay)', () => {
    const kv = makeKV();
    const a = makeRequest('A', range(0, 9));
    kv.allocateSlots(a, 9); // [1,2,3]
    kv.free('A'); // free queue: 4..10, 3, 2, 1 — blocks 1 and 2 still cached
    const filler = makeRequest('F', range(900, 24));
    expect(kv.allocateSlots(filler, 24)).toEqual([4, 5, 6, 7, 8, 9]);
    const b = makeRequest('B', range(0, 20));
    const hit = kv.getComputedBlocks(b);
    expect(hit.blockIds).toEqual([1, 2]);
    // needs 5 blocks: 3 new + 2 free hit blocks = 5 > 4 free → fail.
    expect(kv.allocateSlots(b, 12, hit)).toBeUndefined();
    expect(kv.pool.refCount(1)).toBe(0);
    expect(kv.pool.freeQueueOrder()).toEqual([10, 3, 2, 1]);
    expect(kv.blockTable('B')).toBeUndefined();
    kv.checkInvariants();
  });

  it('allocates lookahead slots for drafts and reuses them next step', () => {
    const kv = makeKV();
    const a = makeRequest('A', range(0, 7));
    expect(kv.allocateSlots(a, 7)).toEqual([1, 2]);
    a.numComputedTokens = 7;
    // 1 + 2 drafts with lookahead 2: need 7 + 3 + 2 = 12 slots = 3 blocks.
    expect(kv.allocateSlots(a, 3, undefined, 2)).toEqual([3]);
    a.numComputedTokens = 8; // both drafts rejected: the slots written for them are reused
    expect(kv.allocateSlots(a, 1, undefined, 2)).toEqual([]);
    expect(kv.allocateSlots(a, 3, undefined, 2)).toEqual([4]);
  });

  it('full_sequence_must_fit refuses admission when the whole prompt does not fit', () => {
    const kv = makeKV();
    kv.allocateSlots(makeRequest('F', range(900, 28)), 28); // 7 blocks, 3 left
    const b = makeRequest('B', range(0, 16));
    expect(kv.allocateSlots(b, 4, undefined, 0, true)).toBeUndefined();
    expect(kv.allocateSlots(b, 4, undefined, 0, false)).toEqual([8]);
  });

  it('never allocates beyond maxModelLen', () => {
    const kv = makeKV({ maxModelLen: 10 });
    const a = makeRequest('A', range(0, 9));
    kv.allocateSlots(a, 9);
    a.numComputedTokens = 9;
    expect(kv.allocateSlots(a, 1, undefined, 4)).toEqual([]);
    expect(kv.blockTable('A')).toHaveLength(3);
  });
});

describe('KVCacheManager: sliding window', () => {
  it('frees blocks that left the window (newest first) and replaces them with the null block', () => {
    const kv = makeKV({ slidingWindow: 6, numGpuBlocks: 21, maxModelLen: 80 });
    const a = makeRequest('A', range(0, 16));
    expect(kv.allocateSlots(a, 16)).toEqual([1, 2, 3, 4]);
    a.numComputedTokens = 16;
    // Skipped tokens = 16 − 6 + 1 = 11 → blocks 0 and 1 (positions 0..7) are out of the window.
    expect(kv.allocateSlots(a, 1)).toEqual([5]);
    expect(kv.blockTable('A')).toEqual([0, 0, 3, 4, 5]);
    expect(kv.pool.freeQueueOrder().slice(-2)).toEqual([2, 1]);
    kv.checkInvariants();
    kv.free('A');
    kv.checkInvariants();
  });

  it('a hit needs ceil((W−1)/bs) contiguous cached blocks found right to left; earlier positions are null', () => {
    const kv = makeKV({ slidingWindow: 6, numGpuBlocks: 21, maxModelLen: 80 });
    kv.allocateSlots(makeRequest('A', range(0, 17)), 17); // blocks 1..5, 4 full cached
    const hit = kv.getComputedBlocks(makeRequest('B', range(0, 17)));
    // max 4 blocks; the last two cached blocks (ids 3, 4) form the window run; 0..1 become null.
    expect(hit).toMatchObject({ blockIds: [0, 0, 3, 4], numComputedTokens: 16 });
  });
});

describe('KVCacheManager: hybrid model (full attention + sliding window share one pool)', () => {
  it('allocates per group from one pool, caches per group, hits only what both groups hold', () => {
    const kv = makeKV({ groups: [{ slidingWindow: null }, { slidingWindow: 6 }], numGpuBlocks: 21, maxModelLen: 40 });
    const a = makeRequest('A', range(0, 12));
    expect(kv.allocateSlots(a, 12)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(kv.blockTables('A')).toEqual([[1, 2, 3], [4, 5, 6]]);
    // The same token block has a different cache key per group.
    expect(kv.pool.blockHash(1)).toBe(a.blockHashes[0]);
    expect(kv.pool.blockHash(4)).not.toBe(a.blockHashes[0]);
    a.numComputedTokens = 12;
    // 13 tokens: window group drops blocks before position 12 − 6 + 1 = 7 → its block 0 (4).
    expect(kv.allocateSlots(a, 1)).toEqual([7, 8]);
    expect(kv.blockTables('A')).toEqual([[1, 2, 3, 7], [0, 5, 6, 8]]);
    kv.checkInvariants();
    // Same prompt: full group hits 3 blocks, window group needs its last ceil(5/4) = 2 → common 12 tokens... capped at numTokens − 1.
    const hit = kv.getComputedBlocks(makeRequest('B', range(0, 13)));
    expect(hit.numComputedTokens).toBe(12);
    expect(hit.groupBlockIds).toEqual([[1, 2, 3], [0, 5, 6]]);
    kv.free('A');
    kv.checkInvariants();
    expect(kv.pool.numFreeBlocks).toBe(20);
  });

  it('a failed allocation in one group changes neither group', () => {
    const kv = makeKV({ groups: [{ slidingWindow: null }, { slidingWindow: 8 }], numGpuBlocks: 7, maxModelLen: 24 });
    const a = makeRequest('A', range(0, 13));
    expect(kv.allocateSlots(a, 13)).toBeUndefined();
    expect(kv.pool.numFreeBlocks).toBe(6);
    expect(kv.blockTables('A')).toBeUndefined();
    expect(kv.allocateSlots(a, 8)).toEqual([1, 2, 3, 4]);
    kv.checkInvariants();
  });
});
