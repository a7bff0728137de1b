/**
 * The block pool (engine-semantics.md §5.1–5.2): `numGpuBlocks` blocks, block 0 reserved as the
 * null block (never ref-counted, freed or cached), a free-block queue in eviction order, reference
 * counts, and the prefix-cache map from block hash to block ids.
 *
 * Ownership: only the KV-cache manager calls the mutating methods. Invariants (checked by
 * `checkInvariants`): a block is in the free queue iff its ref count is 0; free + used = usable;
 * every cache-map entry points at a block holding exactly that hash, and every hashed block is in
 * the map. Eviction is lazy: a cached free block loses its hash only when it is popped for reuse.
 */
import { assert } from '../base/errors';
import { FreeBlockQueue } from './free-block-queue';

export const NULL_BLOCK_ID = 0;

/** Serialisable pool state for snapshots. */
export interface BlockPoolState {
  readonly refCounts: number[];
  /** `[blockId, hash]` pairs in cache-map insertion order (first entry of a hash wins lookups). */
  readonly cached: [number, number][];
  readonly freeQueue: number[];
}

export class BlockPool {
  readonly numGpuBlocks: number;
  private readonly refCnt: Int32Array;
  private readonly hash: Float64Array;
  private readonly hasHash: Uint8Array;
  private readonly free: FreeBlockQueue;
  /**
   * hash → first block holding it; further blocks with the same hash (duplicates are allowed and
   * never merged) wait in `cacheDupes` in insertion order, so the common case allocates nothing.
   */
  private readonly cacheMap = new Map<number, number>();
  private readonly cacheDupes = new Map<number, number[]>();
  /** Per-step event log read by the engine core (cleared by `drainEvents`). */
  private newIds: number[] = [];
  private freedIds: number[] = [];

  constructor(numGpuBlocks: number) {
    assert(Number.isInteger(numGpuBlocks) && numGpuBlocks >= 2, 'numGpuBlocks must be an integer >= 2');
    this.numGpuBlocks = numGpuBlocks;
    this.refCnt = new Int32Array(numGpuBlocks);
    this.hash = new Float64Array(numGpuBlocks);
    this.hasHash = new Uint8Array(numGpuBlocks);
    this.free = new FreeBlockQueue(numGpuBlocks);
    for (let id = 1; id < numGpuBlocks; id++) this.free.append(id);
  }

  get numUsableBlocks(): number {
    return this.numGpuBlocks - 1;
  }

  get numFreeBlocks(): number {
    return this.free.length;
  }

  /** vLLM's `get_usage`: `1 − free / usable`. */
  get usage(): number {
    return 1 - this.free.length / (this.numGpuBlocks - 1);
  }

  refCount(id: number): number {
    return this.refCnt[id]!;
  }

  blockHash(id: number): number | undefined {
    return this.hasHash[id] === 1 ? this.hash[id]! : undefined;
  }

  isFree(id: number): boolean {
    return this.free.has(id);
  }

  freeQueueOrder(): number[] {
    return this.free.toArray();
  }

  /** First cached block with `hash` (any one of duplicates; vLLM returns the first). */
  getCachedBlock(hash: number): number | undefined {
    return this.cacheMap.get(hash);
  }

  /** Pops `n` blocks from the free-queue head, evicting their cached hashes; ref count 1 each. */
  getNewBlocks(n: number, out: number[]): void {
    assert(n <= this.free.length, () => `cannot allocate ${n} blocks with ${this.free.length} free`);
    for (let i = 0; i < n; i++) {
      const id = this.free.popHead();
      if (this.hasHash[id] === 1) this.evict(id);
      this.refCnt[id] = 1;
      out.push(id);
      this.newIds.push(id);
    }
  }

  /** Prefix hit: `ref_cnt += 1`, unlinking blocks that were free. The null block is skipped. */
  touch(ids: readonly number[]): void {
    for (const id of ids) {
      if (id === NULL_BLOCK_ID) continue;
      if (this.refCnt[id] === 0) this.free.remove(id);
      this.refCnt[id]!++;
    }
  }

  /** Decrements ref counts in the given order; blocks reaching 0 join the free-queue tail. */
  freeBlocks(ids: readonly number[]): void {
    for (const id of ids) {
      if (id === NULL_BLOCK_ID) continue;
      assert(this.refCnt[id]! > 0, () => `double free of block ${id}`);
      if (--this.refCnt[id]! === 0) {
        this.free.append(id);
        this.freedIds.push(id);
      }
    }
  }

  /** Registers `id` under `hash` (no-op for the null block or a block that already has a hash). */
  cacheBlock(id: number, hash: number): void {
    if (id === NULL_BLOCK_ID || this.hasHash[id] === 1) return;
    this.hash[id] = hash;
    this.hasHash[id] = 1;
    if (!this.cacheMap.has(hash)) this.cacheMap.set(hash, id);
    else {
      const d = this.cacheDupes.get(hash);
      if (d === undefined) this.cacheDupes.set(hash, [id]);
      else d.push(id);
    }
  }

  /**
   * vLLM `_maybe_evict_cached_block`: drops `id`'s hash from the prefix cache (other blocks with
   * the same hash stay cached). Returns false when the block held no hash. Its ref count and
   * free-queue place are untouched.
   */
  evictCachedBlock(id: number): boolean {
    if (id === NULL_BLOCK_ID || this.hasHash[id] !== 1) return false;
    this.evict(id);
    return true;
  }

  /** vLLM `evict_blocks`: evicts the cached hash of every listed block; returns those evicted. */
  evictBlocks(ids: Iterable<number>): number[] {
    const done: number[] = [];
    for (const id of ids) if (this.evictCachedBlock(id)) done.push(id);
    return done;
  }

  /** Every block holding `key`, first (the one lookups return) first. */
  cachedBlocksOf(key: number): number[] {
    const first = this.cacheMap.get(key);
    return first === undefined ? [] : [first, ...(this.cacheDupes.get(key) ?? [])];
  }

  private evict(id: number): void {
    const h = this.hash[id]!;
    const first = this.cacheMap.get(h);
    assert(first !== undefined, () => `hashed block ${id} missing from the cache map`);
    const d = this.cacheDupes.get(h);
    if (first === id) {
      if (d === undefined) this.cacheMap.delete(h);
      else {
        this.cacheMap.set(h, d.shift()!);
        if (d.length === 0) this.cacheDupes.delete(h);
      }
    } else {
      const at = d === undefined ? -1 : d.indexOf(id);
      assert(at >= 0, () => `hashed block ${id} missing from its cache-map entry`);
      d!.splice(at, 1);
      if (d!.length === 0) this.cacheDupes.delete(h);
    }
    this.hasHash[id] = 0;
    this.hash[id] = 0;
  }

  /** `reset_prefix_cache`: only when no block is in use; drops every hash. */
  resetPrefixCache(): boolean {
    if (this.free.length !== this.numGpuBlocks - 1) return false;
    this.cacheMap.clear();
    this.cacheDupes.clear();
    this.hasHash.fill(0);
    this.hash.fill(0);
    return true;
  }

  get numCachedBlocks(): number {
    let n = this.cacheMap.size;
    for (const ids of this.cacheDupes.values()) n += ids.length;
    return n;
  }

  /** Returns and clears this step's allocation and free events. */
  drainEvents(): { newBlockIds: number[]; freedBlockIds: number[] } {
    const r = { newBlockIds: this.newIds, freedBlockIds: this.freedIds };
    this.newIds = [];
    this.freedIds = [];
    return r;
  }

  /**
   * Checks pool invariants against `expectedRefs[id]` = number of block-table references (computed
   * by the caller from every request's block table). Throws `InvariantError`.
   */
  checkInvariants(expectedRefs: Int32Array): void {
    assert(this.refCnt[NULL_BLOCK_ID] === 0 && !this.free.has(NULL_BLOCK_ID), 'null block must stay out of the free queue');
    assert(this.hasHash[NULL_BLOCK_ID] === 0, 'null block must never be cached');
    let used = 0;
    for (let id = 1; id < this.numGpuBlocks; id++) {
      const rc = this.refCnt[id]!;
      assert(rc === expectedRefs[id], () => `block ${id}: ref count ${rc} but ${expectedRefs[id]} block-table references`);
      assert((rc === 0) === this.free.has(id), () => `block ${id}: ref count ${rc} but free-queue membership ${this.free.has(id)}`);
      if (rc > 0) used++;
    }
    const order = this.free.toArray();
    assert(order.length === this.free.length, 'free-queue length disagrees with its links');
    assert(used + this.free.length === this.numGpuBlocks - 1, () => `free ${this.free.length} + used ${used} != usable ${this.numGpuBlocks - 1}`);
    let mapped = 0;
    for (const [h, d] of this.cacheDupes) {
      assert(d.length > 0 && this.cacheMap.has(h), () => `duplicate list for hash ${h} without a first block`);
    }
    for (const [h, first] of this.cacheMap) {
      for (const id of [first, ...(this.cacheDupes.get(h) ?? [])]) {
        assert(this.hasHash[id] === 1 && this.hash[id] === h, () => `cache map points hash ${h} at block ${id}, which holds ${this.blockHash(id)}`);
        mapped++;
      }
    }
    let hashed = 0;
    for (let id = 0; id < this.numGpuBlocks; id++) hashed += this.hasHash[id]!;
    assert(hashed === mapped, () => `${hashed} hashed blocks but ${mapped} cache-map entries`);
  }

  snapshot(): BlockPoolState {
    const cached: [number, number][] = [];
    for (const [h, first] of this.cacheMap) {
      cached.push([first, h]);
      for (const id of this.cacheDupes.get(h) ?? []) cached.push([id, h]);
    }
    return { refCounts: Array.from(this.refCnt), cached, freeQueue: this.free.toArray() };
  }

  restore(s: BlockPoolState): void {
    assert(s.refCounts.length === this.numGpuBlocks, 'snapshot block count does not match numGpuBlocks');
    this.refCnt.set(s.refCounts);
    this.cacheMap.clear();
    this.cacheDupes.clear();
    this.hasHash.fill(0);
    this.hash.fill(0);
    for (const [id, h] of s.cached) this.cacheBlock(id, h);
    this.free.reset(s.freeQueue);
    this.newIds = [];
    this.freedIds = [];
  }
}
