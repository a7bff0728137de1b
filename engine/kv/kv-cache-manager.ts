/**
 * The KV-cache manager (engine-semantics.md §5.4–5.7): coordinates one or more KV-cache groups
 * (full attention, sliding window, or both for hybrid models) that share one block pool. It owns
 * the prefix-hash chain of each request, finds prefix hits common to all groups, and implements
 * `allocateSlots` with lookahead and draft slots: the blocks every group needs are summed first,
 * so an allocation either fits entirely or changes nothing.
 *
 * Back-pressure is a return value: `allocateSlots` returns `undefined` and changes nothing when
 * the blocks do not fit (except sliding-window blocks that already left the window, which are
 * freed regardless, as in vLLM).
 */
import { assert } from '../base/errors';
import type { Request } from '../request/request';
import { BlockPool, NULL_BLOCK_ID, type BlockPoolState } from './block-pool';
import { extraKeyOf, hashBlockTokens, noneHash } from './block-hash';
import { blockView, kvUsageView, type BlockView, type KVUsageView } from './block-view';
import { findCommonHit } from './prefix-cache-hit';
import { SingleTypeManager, type GroupSpec } from './single-type-manager';

export interface KVCacheManagerOptions {
  readonly numGpuBlocks: number;
  readonly blockSize: number;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  readonly enablePrefixCaching: boolean;
  /** EAGLE/MTP: the last matched prefix block is dropped (the drafter needs its hidden states). */
  readonly useEagle: boolean;
  /** Single group: `null` = full attention, else the window. Ignored when `groups` is given. */
  readonly slidingWindow?: number | null;
  /** KV-cache groups sharing the pool (hybrid models: full attention + sliding window). */
  readonly groups?: readonly GroupSpec[];
  readonly seed: number;
}

/** A prefix-cache hit: blocks to reuse per group and the tokens they cover (a block multiple). */
export interface ComputedBlocks {
  /** Hit blocks of group 0. */
  readonly blockIds: readonly number[];
  readonly numComputedTokens: number;
  /** Hit blocks of every group (same length each; window positions hold the null block). */
  readonly groupBlockIds: readonly (readonly number[])[];
}

export interface KVCacheManagerState {
  readonly pool: BlockPoolState;
  /** Per group: `[reqId, blockIds, numCachedBlocks]` in table insertion order. */
  readonly tables: [string, number[], number][][];
  readonly numQueries: number;
  readonly numHits: number;
}

const NO_BLOCKS: readonly number[] = Object.freeze([]);

export class KVCacheManager {
  readonly pool: BlockPool;
  readonly blockSize: number;
  readonly groups: readonly SingleTypeManager[];
  private readonly opts: KVCacheManagerOptions;
  private readonly rootHash: number;
  private readonly noHit: ComputedBlocks;
  /** Prefix-cache stats: tokens queried and tokens hit (cumulative). */
  numQueries = 0;
  numHits = 0;
  /** Blocks the last successful `allocateSlots` took, per group (vLLM's `KVCacheBlocks`). */
  lastNewBlockIdsPerGroup: readonly (readonly number[])[];

  constructor(opts: KVCacheManagerOptions) {
    this.opts = opts;
    this.blockSize = opts.blockSize;
    this.pool = new BlockPool(opts.numGpuBlocks);
    this.rootHash = noneHash(opts.seed);
    const specs = opts.groups ?? [{ slidingWindow: opts.slidingWindow ?? null }];
    assert(specs.length >= 1, 'at least one KV-cache group');
    // A block hash is cached separately per group: group 0 keys by the hash itself.
    this.groups = specs.map((spec, g) => new SingleTypeManager(
      g, spec, this.pool, opts.blockSize, opts.useEagle, g === 0 ? (h) => h : (h) => hashBlockTokens(h, [], 0, 0, g),
    ));
    this.noHit = { blockIds: NO_BLOCKS, numComputedTokens: 0, groupBlockIds: specs.map(() => NO_BLOCKS) };
    this.lastNewBlockIdsPerGroup = this.noHit.groupBlockIds;
  }

  get usage(): number {
    return this.pool.usage;
  }

  /** Block table of group 0 (the whole table for single-group models). */
  blockTable(reqId: string): readonly number[] | undefined {
    return this.groups[0]!.table(reqId);
  }

  /** Block tables of every group. */
  blockTables(reqId: string): (readonly number[])[] | undefined {
    if (!this.groups[0]!.entries.has(reqId)) return undefined;
    return this.groups.map((g) => g.table(reqId) ?? NO_BLOCKS);
  }

  requestIds(): IterableIterator<string> {
    return this.groups[0]!.entries.keys();
  }

  /** One block as notebooks see it, held by the requests whose tables reference it (table order). */
  blockView(blockId: number): BlockView {
    return blockView(this.pool, blockId, (b) => [...this.requestIds()].filter((id) => this.blockTables(id)!.some((t) => t.includes(b))));
  }

  usageView(): KVUsageView {
    return kvUsageView(this.pool);
  }

  /** Free-queue order, head (evicted next) first. */
  freeBlockQueue(): number[] {
    return this.pool.freeQueueOrder();
  }

  /** Extends `request.blockHashes` to cover every full block of its confirmed tokens. */
  ensureBlockHashes(request: Request): readonly number[] {
    const hashes = request.blockHashes;
    const bs = this.blockSize;
    const numFull = Math.floor(request.allTokenIds.length / bs);
    for (let i = hashes.length; i < numFull; i++) {
      const parent = i === 0 ? this.rootHash : hashes[i - 1]!;
      hashes.push(hashBlockTokens(parent, request.allTokenIds, i * bs, (i + 1) * bs, i === 0 ? extraKeyOf(request.cacheSalt) : 0));
    }
    return hashes;
  }

  /**
   * `get_computed_blocks`: the longest prefix (≤ numTokens − 1 tokens) cached in every group;
   * counts prefix-cache stats. Prompt-logprobs requests skip the lookup (and the stats).
   */
  getComputedBlocks(request: Request): ComputedBlocks {
    if (!this.opts.enablePrefixCaching || request.skipReadingPrefixCache) return this.noHit;
    const hashes = this.ensureBlockHashes(request);
    const bs = this.blockSize;
    const hits = findCommonHit(this.groups, hashes, Math.floor((request.numTokens - 1) / bs), this.opts.useEagle);
    const len = hits[0]!.length;
    this.numQueries += request.numTokens;
    this.numHits += len * bs;
    return len === 0 ? this.noHit : { blockIds: hits[0]!, numComputedTokens: len * bs, groupBlockIds: hits };
  }

  private sumBlocksToAllocate(reqId: string, computed: ComputedBlocks, numTokens: number, totalComputed: number, admissionCap: boolean): number {
    let n = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const grp = this.groups[g]!;
      let tokens = numTokens;
      const w = grp.spec.slidingWindow;
      if (admissionCap && w !== null) {
        // Per-request admission cap of a window group (engine-semantics.md §5.7).
        tokens = Math.min(tokens, (Math.ceil(Math.min(w - 1 + this.opts.maxNumBatchedTokens, this.opts.maxModelLen) / this.blockSize) + 1) * this.blockSize);
      }
      n += grp.numBlocksToAllocate(reqId, computed.groupBlockIds[g]!, tokens, admissionCap && w === null ? 0 : totalComputed);
    }
    return n;
  }

  /**
   * `allocate_slots`: reserves slots for `numNewTokens` more tokens plus `numLookaheadTokens`
   * drafter slots in every group, reusing `computed` hit blocks. Returns the newly allocated block
   * ids (group by group; possibly empty), or `undefined` when the free blocks do not suffice.
   */
  allocateSlots(
    request: Request,
    numNewTokens: number,
    computed: ComputedBlocks = this.noHit,
    numLookaheadTokens = 0,
    fullSequenceMustFit = false,
  ): readonly number[] | undefined {
    assert(numNewTokens > 0, 'allocateSlots needs numNewTokens > 0');
    const mml = this.opts.maxModelLen;
    const reqId = request.requestId;
    const totalComputed = Math.min(request.numComputedTokens + computed.numComputedTokens, mml);
    if (fullSequenceMustFit) {
      const seqTokens = Math.min(request.numTokens, mml);
      if (this.sumBlocksToAllocate(reqId, computed, seqTokens, totalComputed, true) > this.pool.numFreeBlocks) return undefined;
    }
    const numTokensNeeded = Math.min(totalComputed + numNewTokens + numLookaheadTokens, mml);
    const groups = this.groups;
    if (groups.length > 1 || groups[0]!.spec.slidingWindow !== null) {
      for (const g of groups) g.removeSkippedBlocks(reqId, request.numComputedTokens);
    }
    if (this.sumBlocksToAllocate(reqId, computed, numTokensNeeded, totalComputed, false) > this.pool.numFreeBlocks) return undefined;
    let fresh: readonly number[];
    if (groups.length === 1) {
      fresh = groups[0]!.allocate(reqId, computed.groupBlockIds[0]!, numTokensNeeded, totalComputed);
      // Most decode steps take no block: share the one empty per-group list (never mutated).
      this.lastNewBlockIdsPerGroup = fresh.length === 0 ? this.noHit.groupBlockIds : [fresh];
    } else {
      const all: number[] = [];
      const perGroup: (readonly number[])[] = [];
      for (let g = 0; g < groups.length; g++) {
        const got = groups[g]!.allocate(reqId, computed.groupBlockIds[g]!, numTokensNeeded, totalComputed);
        perGroup.push(got);
        all.push(...got);
      }
      fresh = all.length === 0 ? NO_BLOCKS : all;
      this.lastNewBlockIdsPerGroup = perGroup;
    }
    if (this.opts.enablePrefixCaching) this.cacheBlocks(request, Math.min(totalComputed + numNewTokens, request.numTokens));
    return fresh;
  }

  /** `cache_blocks`: registers the request's full blocks covering its first `numTokens` tokens. */
  cacheBlocks(request: Request, numTokens: number): void {
    if (!this.opts.enablePrefixCaching) return;
    // Only confirmed tokens have hashes: drafts and in-flight positions are never cached.
    const numFull = Math.floor(Math.min(numTokens, request.numTokens) / this.blockSize);
    if (numFull === 0) return;
    if (this.groups.length === 1 && this.groups[0]!.numCachedBlocks(request.requestId) >= numFull) return;
    const hashes = this.ensureBlockHashes(request);
    for (const g of this.groups) g.cacheBlocks(request.requestId, hashes, numFull);
  }

  /** Frees a request's blocks, group by group, each tail first. */
  free(reqId: string): void {
    for (const g of this.groups) g.free(reqId);
  }

  /** Leading blocks of `reqId` referenced by all `numRunning` requests (cascade-attention hint). */
  numCommonPrefixBlocks(reqId: string, numRunning: number): number {
    if (this.groups.length > 1 || this.groups[0]!.spec.slidingWindow !== null) return 0;
    const table = this.groups[0]!.table(reqId);
    if (table === undefined) return 0;
    let n = 0;
    while (n < table.length && this.pool.refCount(table[n]!) === numRunning) n++;
    return n;
  }

  resetPrefixCache(): boolean {
    return this.pool.resetPrefixCache();
  }

  /**
   * Evicts one block hash from group `groupId`'s prefix cache (every block cached under it),
   * the way vLLM tests pop a `BlockHashWithGroupId` from the cache map. Returns the block ids
   * that lost the hash; held blocks stay held.
   */
  evictBlockHash(blockHash: number, groupId = 0): number[] {
    const g = this.groups[groupId];
    assert(g !== undefined, () => `no KV-cache group ${groupId} (the model has ${this.groups.length})`);
    return this.pool.evictBlocks(this.pool.cachedBlocksOf(g.keyOf(blockHash)));
  }

  /** The block cached under `blockHash` in group `groupId` (vLLM `get_cached_block`), if any. */
  cachedBlock(blockHash: number, groupId = 0): number | undefined {
    const g = this.groups[groupId];
    return g === undefined ? undefined : this.pool.getCachedBlock(g.keyOf(blockHash));
  }

  /** Ref counts equal block-table references; pool invariants; tables are in bounds. */
  checkInvariants(): void {
    const refs = new Int32Array(this.pool.numGpuBlocks);
    const maxBlocks = Math.ceil(this.opts.maxModelLen / this.blockSize);
    const ids0 = [...this.groups[0]!.entries.keys()];
    for (const g of this.groups) {
      const ids = [...g.entries.keys()];
      assert(ids.length === ids0.length && ids.every((id) => this.groups[0]!.entries.has(id)), () => `group ${g.groupId} tables disagree with group 0`);
      for (const [reqId, { table, numCached }] of g.entries) {
        assert(table.length <= maxBlocks, () => `request ${reqId} holds ${table.length} blocks > ${maxBlocks} for maxModelLen`);
        for (const id of table) {
          assert(Number.isInteger(id) && id >= 0 && id < this.pool.numGpuBlocks, () => `request ${reqId} holds unknown block ${id}`);
          if (id !== NULL_BLOCK_ID) refs[id]!++;
        }
        if (g.spec.slidingWindow === null) assert(!table.includes(NULL_BLOCK_ID), () => `full-attention table of ${reqId} holds the null block`);
        assert(numCached <= table.length, () => `request ${reqId} caches more blocks than it holds`);
      }
    }
    this.pool.checkInvariants(refs);
  }

  snapshot(): KVCacheManagerState {
    const tables = this.groups.map((g) => [...g.entries].map(([reqId, e]) => [reqId, e.table.slice(), e.numCached] as [string, number[], number]));
    return { pool: this.pool.snapshot(), tables, numQueries: this.numQueries, numHits: this.numHits };
  }

  restore(s: KVCacheManagerState): void {
    assert(s.tables.length === this.groups.length, 'snapshot KV group count does not match the config');
    this.pool.restore(s.pool);
    for (let g = 0; g < this.groups.length; g++) {
      this.groups[g]!.reset(s.tables[g]!);
    }
    this.numQueries = s.numQueries;
    this.numHits = s.numHits;
  }
}
