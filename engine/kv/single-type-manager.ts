/**
 * Block tables of one KV-cache group (vLLM `SingleTypeKVCacheManager`): full attention or a
 * sliding window. Knows how its attention type finds prefix hits, which blocks fall out of the
 * window (replaced by the null block and freed), and how many blocks an allocation needs. The
 * pool is shared by all groups; this class never decides whether an allocation fits — the
 * coordinator sums every group's needs first.
 */
import type { BlockPool } from './block-pool';
import { NULL_BLOCK_ID } from './block-pool';

/** A group's attention type: `slidingWindow === null` means full attention. */
export interface GroupSpec {
  readonly slidingWindow: number | null;
}

const NO_BLOCKS: readonly number[] = Object.freeze([]);

/** One request's blocks in this group. */
export interface RequestBlocks {
  /** Block ids in position order (append-only; window-skipped positions hold the null block). */
  readonly table: number[];
  /** Leading blocks already registered in the prefix cache. */
  numCached: number;
}

export class SingleTypeManager {
  /** Per request, in insertion order. */
  readonly entries = new Map<string, RequestBlocks>();
  /** One-entry memo: the scheduler asks about the same request several times in a row. */
  private lastId: string | undefined;
  private lastEntry: RequestBlocks | undefined;

  constructor(
    readonly groupId: number,
    readonly spec: GroupSpec,
    private readonly pool: BlockPool,
    private readonly blockSize: number,
    private readonly useEagle: boolean,
    /** Cache key of a block hash in this group (the hash itself for group 0). */
    readonly keyOf: (hash: number) => number,
  ) {}

  /**
   * Prefix hit of this group over `hashes`, at most `maxBlocks` blocks (null-padded for windows).
   * With EAGLE/MTP a window hit looks for one extra block; the coordinator drops the last block.
   */
  findHit(hashes: readonly number[], maxBlocks: number): number[] {
    return this.spec.slidingWindow === null ? this.fullHit(hashes, maxBlocks) : this.windowHit(hashes, maxBlocks, this.spec.slidingWindow);
  }

  private fullHit(hashes: readonly number[], maxBlocks: number): number[] {
    const ids: number[] = [];
    for (let i = 0; i < maxBlocks; i++) {
      const id = this.pool.getCachedBlock(this.keyOf(hashes[i]!));
      if (id === undefined) break;
      ids.push(id);
    }
    return ids;
  }

  /** Right-to-left scan for `ceil((W−1)/bs)` contiguous cached blocks; earlier positions are null. */
  private windowHit(hashes: readonly number[], maxBlocks: number, w: number): number[] {
    const needed = Math.ceil((w - 1) / this.blockSize) + (this.useEagle ? 1 : 0);
    const ids: number[] = new Array<number>(maxBlocks).fill(NULL_BLOCK_ID);
    let run = 0;
    for (let i = maxBlocks - 1; i >= 0; i--) {
      const id = this.pool.getCachedBlock(this.keyOf(hashes[i]!));
      if (id === undefined) {
        run = 0;
        continue;
      }
      ids[i] = id;
      run++;
      if (run >= needed) {
        ids.length = i + needed;
        return ids;
      }
    }
    // No full window run: the cached run starting at block 0, if any.
    let n = 0;
    while (n < maxBlocks && ids[n] !== NULL_BLOCK_ID) n++;
    ids.length = n;
    return ids;
  }

  entry(reqId: string): RequestBlocks | undefined {
    if (reqId === this.lastId) return this.lastEntry;
    const e = this.entries.get(reqId);
    this.lastId = reqId;
    this.lastEntry = e;
    return e;
  }

  table(reqId: string): number[] | undefined {
    return this.entry(reqId)?.table;
  }

  /** Replaces every entry (snapshot restore). */
  reset(rows: readonly [string, number[], number][]): void {
    this.entries.clear();
    this.lastId = undefined;
    this.lastEntry = undefined;
    for (const [reqId, table, numCached] of rows) this.entries.set(reqId, { table: table.slice(), numCached });
  }

  numSkippedBlocks(numComputedTokens: number): number {
    const w = this.spec.slidingWindow;
    if (w === null) return 0;
    return Math.floor(Math.max(0, numComputedTokens - w + 1) / this.blockSize);
  }

  /** Frees blocks wholly outside the window (newest skipped first), replacing them by null. */
  removeSkippedBlocks(reqId: string, numComputedTokens: number): void {
    const table = this.table(reqId);
    if (table === undefined || this.spec.slidingWindow === null) return;
    const skipped = Math.min(this.numSkippedBlocks(numComputedTokens), table.length);
    const freed: number[] = [];
    for (let i = skipped - 1; i >= 0; i--) {
      if (table[i] === NULL_BLOCK_ID) break;
      freed.push(table[i]!);
      table[i] = NULL_BLOCK_ID;
    }
    this.pool.freeBlocks(freed);
  }

  /** Blocks `reqId` needs beyond what it holds or hits, plus hit blocks that are free now. */
  numBlocksToAllocate(reqId: string, hits: readonly number[], numTokensNeeded: number, totalComputed: number): number {
    const held = this.table(reqId)?.length ?? 0;
    const needBlocks = Math.ceil(numTokensNeeded / this.blockSize);
    let n: number;
    if (held > 0) n = Math.max(needBlocks - held, 0);
    else n = Math.max(needBlocks - Math.max(this.numSkippedBlocks(totalComputed), hits.length), 0);
    for (let i = 0; i < hits.length; i++) if (hits[i] !== NULL_BLOCK_ID && this.pool.refCount(hits[i]!) === 0) n++;
    return n;
  }

  /** Appends hit blocks (touched) and fresh blocks to reach `numTokensNeeded` slots. */
  allocate(reqId: string, hits: readonly number[], numTokensNeeded: number, totalComputed: number): readonly number[] {
    let e = this.entry(reqId);
    if (e === undefined) {
      e = { table: [], numCached: 0 };
      this.entries.set(reqId, e);
      this.lastId = reqId;
      this.lastEntry = e;
      const table = e.table;
      if (hits.length > 0) {
        this.pool.touch(hits);
        for (const id of hits) table.push(id);
        e.numCached = hits.length;
      } else {
        // Window-skipped prefix positions of a fresh request hold the null block.
        const skipped = this.numSkippedBlocks(totalComputed);
        for (let i = 0; i < skipped; i++) table.push(NULL_BLOCK_ID);
      }
    }
    const table = e.table;
    const want = Math.ceil(numTokensNeeded / this.blockSize) - table.length;
    if (want <= 0) return NO_BLOCKS;
    const got: number[] = [];
    this.pool.getNewBlocks(want, got);
    for (let i = 0; i < got.length; i++) table.push(got[i]!);
    return got;
  }

  /** Leading full blocks of `reqId` already cached (0 for unknown requests). */
  numCachedBlocks(reqId: string): number {
    return this.entry(reqId)?.numCached ?? 0;
  }

  /** Registers full blocks `[numCached, numFullBlocks)` of `reqId` under their group keys. */
  cacheBlocks(reqId: string, hashes: readonly number[], numFullBlocks: number): void {
    const e = this.entry(reqId);
    if (e === undefined) return;
    const table = e.table;
    const upto = Math.min(numFullBlocks, table.length, hashes.length);
    const from = e.numCached;
    if (from >= upto) return;
    for (let i = from; i < upto; i++) this.pool.cacheBlock(table[i]!, this.keyOf(hashes[i]!));
    e.numCached = upto;
  }

  /** Frees the request's blocks tail first (its longest prefixes are evicted first). */
  free(reqId: string): void {
    const e = this.entry(reqId);
    if (e === undefined) return;
    const reversed = e.table.slice().reverse();
    this.pool.freeBlocks(reversed);
    this.entries.delete(reqId);
    this.lastId = undefined;
    this.lastEntry = undefined;
  }
}
