/**
 * The KV-cache manager (engine-semantics.md §5.4–5.7) for one KV-cache group (full attention or a
 * sliding window): per-request block tables (append-only; window-skipped positions become the null
 * block), prefix-cache lookup, `allocateSlots` with lookahead and draft slots, reverse-order frees
 * and block registration in the prefix cache.
 *
 * Back-pressure is a return value: `allocateSlots` returns `undefined` and changes nothing when
 * the blocks do not fit.
 */
import { assert } from '../base/errors';
import type { Request } from '../request/request';
import { BlockPool, NULL_BLOCK_ID, type BlockPoolState } from './block-pool';
import { extraKeyOf, hashBlockTokens, noneHash } from './block-hash';

export interface KVCacheManagerOptions {
  readonly numGpuBlocks: number;
  readonly blockSize: number;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  readonly enablePrefixCaching: boolean;
  /** EAGLE/MTP: the last matched prefix block is dropped (the drafter needs its hidden states). */
  readonly useEagle: boolean;
  /** `null` = full attention. */
  readonly slidingWindow: number | null;
  readonly seed: number;
}

/** A prefix-cache hit: blocks to reuse and the tokens they cover (a block multiple). */
export interface ComputedBlocks {
  readonly blockIds: readonly number[];
  readonly numComputedTokens: number;
}

export interface KVCacheManagerState {
  readonly pool: BlockPoolState;
  /** `[reqId, blockIds, numCachedBlocks]` in table insertion order. */
  readonly tables: [string, number[], number][];
  readonly numQueries: number;
  readonly numHits: number;
}

const NO_BLOCKS: readonly number[] = Object.freeze([]);
const NO_HIT: ComputedBlocks = { blockIds: [], numComputedTokens: 0 };

export class KVCacheManager {
  readonly pool: BlockPool;
  readonly blockSize: number;
  private readonly opts: KVCacheManagerOptions;
  private readonly rootHash: number;
  private readonly tables = new Map<string, number[]>();
  /** Blocks of each request already registered in the prefix cache. */
  private readonly numCached = new Map<string, number>();
  /** Prefix-cache stats: tokens queried and tokens hit (cumulative). */
  numQueries = 0;
  numHits = 0;

  constructor(opts: KVCacheManagerOptions) {
    this.opts = opts;
    this.blockSize = opts.blockSize;
    this.pool = new BlockPool(opts.numGpuBlocks);
    this.rootHash = noneHash(opts.seed);
  }

  get usage(): number {
    return this.pool.usage;
  }

  blockTable(reqId: string): readonly number[] | undefined {
    return this.tables.get(reqId);
  }

  requestIds(): IterableIterator<string> {
    return this.tables.keys();
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

  /** `get_computed_blocks`: the longest cached prefix (≤ numTokens − 1 tokens); counts stats. */
  getComputedBlocks(request: Request): ComputedBlocks {
    if (!this.opts.enablePrefixCaching) return NO_HIT;
    const hashes = this.ensureBlockHashes(request);
    const bs = this.blockSize;
    const maxBlocks = Math.floor((request.numTokens - 1) / bs);
    const ids = this.opts.slidingWindow === null ? this.fullAttentionHit(hashes, maxBlocks) : this.slidingWindowHit(hashes, maxBlocks);
    this.numQueries += request.numTokens;
    this.numHits += ids.length * bs;
    return ids.length === 0 ? NO_HIT : { blockIds: ids, numComputedTokens: ids.length * bs };
  }

  private fullAttentionHit(hashes: readonly number[], maxBlocks: number): number[] {
    const ids: number[] = [];
    for (let i = 0; i < maxBlocks; i++) {
      const id = this.pool.getCachedBlock(hashes[i]!);
      if (id === undefined) break;
      ids.push(id);
    }
    if (this.opts.useEagle && ids.length > 0) ids.pop();
    return ids;
  }

  /** Right-to-left scan for `ceil((W−1)/bs)` contiguous cached blocks; earlier positions are null. */
  private slidingWindowHit(hashes: readonly number[], maxBlocks: number): number[] {
    const w = this.opts.slidingWindow!;
    const needed = Math.ceil((w - 1) / this.blockSize) + (this.opts.useEagle ? 1 : 0);
    const ids: number[] = new Array<number>(maxBlocks).fill(NULL_BLOCK_ID);
    let run = 0;
    for (let i = maxBlocks - 1; i >= 0; i--) {
      const id = this.pool.getCachedBlock(hashes[i]!);
      if (id === undefined) {
        run = 0;
        continue;
      }
      ids[i] = id;
      run++;
      if (run >= needed) {
        ids.length = i + needed;
        if (this.opts.useEagle) ids.pop();
        return ids;
      }
    }
    // No full window run: the cached run starting at block 0, if any.
    let n = 0;
    while (n < maxBlocks && ids[n] !== NULL_BLOCK_ID) n++;
    ids.length = n;
    if (this.opts.useEagle && ids.length > 0) ids.pop();
    return ids;
  }

  private numSkippedBlocks(numComputedTokens: number): number {
    const w = this.opts.slidingWindow;
    if (w === null) return 0;
    return Math.floor(Math.max(0, numComputedTokens - w + 1) / this.blockSize);
  }

  /** Frees blocks wholly outside the window (newest skipped first), replacing them by null. */
  removeSkippedBlocks(reqId: string, numComputedTokens: number): void {
    const table = this.tables.get(reqId);
    if (table === undefined || this.opts.slidingWindow === null) return;
    const skipped = Math.min(this.numSkippedBlocks(numComputedTokens), table.length);
    const freed: number[] = [];
    for (let i = skipped - 1; i >= 0; i--) {
      if (table[i] === NULL_BLOCK_ID) break;
      freed.push(table[i]!);
      table[i] = NULL_BLOCK_ID;
    }
    this.pool.freeBlocks(freed);
  }

  /** Blocks a request needs beyond what it holds or hits, plus hit blocks that are free. */
  private numBlocksToAllocate(held: number, hits: readonly number[], numTokensNeeded: number, totalComputed: number): number {
    const needBlocks = Math.ceil(numTokensNeeded / this.blockSize);
    let n: number;
    if (held > 0) n = Math.max(needBlocks - held, 0);
    else n = Math.max(needBlocks - Math.max(this.numSkippedBlocks(totalComputed), hits.length), 0);
    for (const id of hits) if (id !== NULL_BLOCK_ID && this.pool.refCount(id) === 0) n++;
    return n;
  }

  /**
   * `allocate_slots`: reserves slots for `numNewTokens` more tokens plus `numLookaheadTokens`
   * drafter slots, reusing `computed` hit blocks. Returns the newly allocated block ids (possibly
   * empty), or `undefined` when the free blocks do not suffice (nothing changes then, except
   * sliding-window blocks that already left the window, which are freed regardless).
   */
  allocateSlots(
    request: Request,
    numNewTokens: number,
    computed: ComputedBlocks = NO_HIT,
    numLookaheadTokens = 0,
    fullSequenceMustFit = false,
  ): readonly number[] | undefined {
    assert(numNewTokens > 0, 'allocateSlots needs numNewTokens > 0');
    const bs = this.blockSize;
    const mml = this.opts.maxModelLen;
    const reqId = request.requestId;
    const existing = this.tables.get(reqId);
    const held = existing === undefined ? 0 : existing.length;
    const hits = computed.blockIds;
    const totalComputed = Math.min(request.numComputedTokens + computed.numComputedTokens, mml);
    if (fullSequenceMustFit) {
      let seqTokens = Math.min(request.numTokens, mml);
      if (this.opts.slidingWindow !== null) {
        const cap = (Math.ceil(Math.min(this.opts.slidingWindow - 1 + this.opts.maxNumBatchedTokens, mml) / bs) + 1) * bs;
        seqTokens = Math.min(seqTokens, cap);
      }
      const full = this.opts.slidingWindow === null
        ? this.numBlocksToAllocate(held, hits, seqTokens, 0)
        : this.numBlocksToAllocate(held, hits, seqTokens, totalComputed);
      if (full > this.pool.numFreeBlocks) return undefined;
    }
    const numTokensNeeded = Math.min(totalComputed + numNewTokens + numLookaheadTokens, mml);
    if (existing !== undefined && this.opts.slidingWindow !== null) this.removeSkippedBlocks(reqId, request.numComputedTokens);
    const numNew = this.numBlocksToAllocate(held, hits, numTokensNeeded, totalComputed);
    if (numNew > this.pool.numFreeBlocks) return undefined;

    let table = existing;
    if (table === undefined) {
      table = [];
      this.tables.set(reqId, table);
      this.numCached.set(reqId, 0);
    }
    if (hits.length > 0) {
      this.pool.touch(hits);
      for (const id of hits) table.push(id);
      this.numCached.set(reqId, hits.length);
    } else if (held === 0) {
      // Window-skipped prefix positions of a fresh request hold the null block.
      const skipped = this.numSkippedBlocks(totalComputed);
      for (let i = 0; i < skipped; i++) table.push(NULL_BLOCK_ID);
    }
    const want = Math.ceil(numTokensNeeded / bs) - table.length;
    let fresh: readonly number[] = NO_BLOCKS;
    if (want > 0) {
      const got: number[] = [];
      this.pool.getNewBlocks(want, got);
      for (const id of got) table.push(id);
      fresh = got;
    }
    if (this.opts.enablePrefixCaching) this.cacheBlocks(request, Math.min(totalComputed + numNewTokens, request.numTokens));
    return fresh;
  }

  /** `cache_blocks`: registers the request's full blocks covering its first `numTokens` tokens. */
  cacheBlocks(request: Request, numTokens: number): void {
    if (!this.opts.enablePrefixCaching) return;
    const reqId = request.requestId;
    const table = this.tables.get(reqId);
    if (table === undefined) return;
    // Only confirmed tokens have hashes: drafts and in-flight positions are never cached.
    const numFull = Math.min(Math.floor(Math.min(numTokens, request.numTokens) / this.blockSize), table.length);
    const from = this.numCached.get(reqId) ?? 0;
    if (from >= numFull) return;
    const hashes = this.ensureBlockHashes(request);
    for (let i = from; i < numFull; i++) this.pool.cacheBlock(table[i]!, hashes[i]!);
    this.numCached.set(reqId, numFull);
  }

  /** Frees a request's blocks tail first (its longest prefixes are evicted first). */
  free(reqId: string): void {
    const table = this.tables.get(reqId);
    if (table === undefined) return;
    const reversed = table.slice().reverse();
    this.pool.freeBlocks(reversed);
    this.tables.delete(reqId);
    this.numCached.delete(reqId);
  }

  /** Leading blocks of `reqId` referenced by all `numRunning` requests (cascade-attention hint). */
  numCommonPrefixBlocks(reqId: string, numRunning: number): number {
    const table = this.tables.get(reqId);
    if (table === undefined || this.opts.slidingWindow !== null) return 0;
    let n = 0;
    while (n < table.length && this.pool.refCount(table[n]!) === numRunning) n++;
    return n;
  }

  resetPrefixCache(): boolean {
    return this.pool.resetPrefixCache();
  }

  /** Ref counts equal block-table references; pool invariants; tables are in bounds. */
  checkInvariants(): void {
    const refs = new Int32Array(this.pool.numGpuBlocks);
    const maxBlocks = Math.ceil(this.opts.maxModelLen / this.blockSize);
    for (const [reqId, table] of this.tables) {
      assert(table.length <= maxBlocks, () => `request ${reqId} holds ${table.length} blocks > ${maxBlocks} for maxModelLen`);
      for (const id of table) {
        assert(id >= 0 && id < this.pool.numGpuBlocks, () => `request ${reqId} holds unknown block ${id}`);
        if (id !== NULL_BLOCK_ID) refs[id]!++;
      }
      assert((this.numCached.get(reqId) ?? 0) <= table.length, () => `request ${reqId} caches more blocks than it holds`);
    }
    this.pool.checkInvariants(refs);
  }

  snapshot(): KVCacheManagerState {
    const tables: [string, number[], number][] = [];
    for (const [reqId, table] of this.tables) tables.push([reqId, table.slice(), this.numCached.get(reqId) ?? 0]);
    return { pool: this.pool.snapshot(), tables, numQueries: this.numQueries, numHits: this.numHits };
  }

  restore(s: KVCacheManagerState): void {
    this.pool.restore(s.pool);
    this.tables.clear();
    this.numCached.clear();
    for (const [reqId, table, numCached] of s.tables) {
      this.tables.set(reqId, table.slice());
      this.numCached.set(reqId, numCached);
    }
    this.numQueries = s.numQueries;
    this.numHits = s.numHits;
  }
}
