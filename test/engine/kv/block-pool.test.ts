import { describe, expect, it } from 'vitest';
import { BlockPool } from '../../../engine/kv/block-pool';
import { FreeBlockQueue } from '../../../engine/kv/free-block-queue';
import { InvariantError } from '../../../engine/base/errors';

function refs(pool: BlockPool, held: number[][]): Int32Array {
  const r = new Int32Array(pool.numGpuBlocks);
  for (const t of held) for (const id of t) if (id !== 0) r[id]!++;
  return r;
}

describe('FreeBlockQueue', () => {
  it('pops the head, appends to the tail and unlinks from the middle in O(1)', () => {
    const q = new FreeBlockQueue(8);
    for (const id of [1, 2, 3, 4, 5]) q.append(id);
    expect(q.popHead()).toBe(1);
    q.remove(3);
    q.append(1);
    expect(q.toArray()).toEqual([2, 4, 5, 1]);
    expect(q.length).toBe(4);
    expect(q.has(3)).toBe(false);
    expect(() => q.append(2)).toThrow(InvariantError);
    expect(() => q.remove(3)).toThrow(InvariantError);
  });
});

describe('BlockPool', () => {
  it('reserves block 0 as the null block and starts with the free queue in id order', () => {
    const pool = new BlockPool(6);
    expect(pool.numFreeBlocks).toBe(5);
    expect(pool.freeQueueOrder()).toEqual([1, 2, 3, 4, 5]);
    expect(pool.usage).toBe(0);
    expect(pool.isFree(0)).toBe(false);
  });

  it('allocates from the head and frees in the given order to the tail (LRU)', () => {
    const pool = new BlockPool(8);
    const a: number[] = [];
    const b: number[] = [];
    pool.getNewBlocks(3, a);
    pool.getNewBlocks(2, b);
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([4, 5]);
    expect(pool.usage).toBeCloseTo(5 / 7);
    pool.freeBlocks([...a].reverse());
    pool.freeBlocks([...b].reverse());
    expect(pool.freeQueueOrder()).toEqual([6, 7, 3, 2, 1, 5, 4]);
    const drained = pool.drainEvents();
    expect(drained.newBlockIds).toEqual([1, 2, 3, 4, 5]);
    expect(drained.freedBlockIds).toEqual([3, 2, 1, 5, 4]);
    expect(pool.drainEvents().newBlockIds).toEqual([]);
  });

  it('touching a free cached block takes it out of the free queue; eviction is lazy, at reuse', () => {
    const pool = new BlockPool(5);
    const a: number[] = [];
    pool.getNewBlocks(2, a);
    pool.cacheBlock(1, 111);
    pool.cacheBlock(2, 222);
    pool.freeBlocks([2, 1]);
    expect(pool.getCachedBlock(111)).toBe(1);
    expect(pool.freeQueueOrder()).toEqual([3, 4, 2, 1]);
    pool.touch([1]);
    expect(pool.refCount(1)).toBe(1);
    expect(pool.freeQueueOrder()).toEqual([3, 4, 2]);
    const b: number[] = [];
    pool.getNewBlocks(3, b);
    expect(b).toEqual([3, 4, 2]);
    // Block 2 was reused: its hash is gone; block 1 still holds its hash.
    expect(pool.getCachedBlock(222)).toBeUndefined();
    expect(pool.blockHash(2)).toBeUndefined();
    expect(pool.blockHash(1)).toBe(111);
    pool.checkInvariants(refs(pool, [[1], b]));
  });

  it('keeps duplicate blocks for one hash and returns the first', () => {
    const pool = new BlockPool(5);
    const a: number[] = [];
    pool.getNewBlocks(2, a);
    pool.cacheBlock(1, 7);
    pool.cacheBlock(2, 7);
    expect(pool.getCachedBlock(7)).toBe(1);
    expect(pool.numCachedBlocks).toBe(2);
    pool.freeBlocks([1]);
    const b: number[] = [];
    pool.getNewBlocks(3, b); // 3, 4, then 1 (evicting the first entry of hash 7)
    expect(b).toEqual([3, 4, 1]);
    expect(pool.getCachedBlock(7)).toBe(2);
    pool.checkInvariants(refs(pool, [[2], b]));
  });

  it('checkInvariants catches ref counts that disagree with block tables', () => {
    const pool = new BlockPool(5);
    const a: number[] = [];
    pool.getNewBlocks(2, a);
    expect(() => pool.checkInvariants(refs(pool, [[1]]))).toThrow(/block 2: ref count 1 but 0/);
    expect(() => pool.checkInvariants(refs(pool, [a]))).not.toThrow();
    expect(() => pool.freeBlocks([1, 1])).toThrow(/double free/);
  });

  it('resetPrefixCache only succeeds when nothing is in use', () => {
    const pool = new BlockPool(4);
    const a: number[] = [];
    pool.getNewBlocks(1, a);
    pool.cacheBlock(1, 9);
    expect(pool.resetPrefixCache()).toBe(false);
    pool.freeBlocks(a);
    expect(pool.resetPrefixCache()).toBe(true);
    expect(pool.getCachedBlock(9)).toBeUndefined();
    expect(pool.blockHash(1)).toBeUndefined();
  });

  it('snapshot/restore reproduces ref counts, hashes and free-queue order', () => {
    const pool = new BlockPool(6);
    const a: number[] = [];
    pool.getNewBlocks(4, a);
    pool.cacheBlock(2, 5);
    pool.cacheBlock(3, 5);
    pool.freeBlocks([3, 1]);
    const snap = JSON.parse(JSON.stringify(pool.snapshot()));
    const copy = new BlockPool(6);
    copy.restore(snap);
    expect(copy.snapshot()).toEqual(pool.snapshot());
    expect(copy.getCachedBlock(5)).toBe(2);
    const x: number[] = [];
    const y: number[] = [];
    pool.getNewBlocks(3, x);
    copy.getNewBlocks(3, y);
    expect(y).toEqual(x);
  });
});
