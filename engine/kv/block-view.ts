/**
 * The KV cache as notebooks see it: one block (`BlockView`) and the pool's usage (`KVUsageView`),
 * built from the block pool where the data lives. Each view is a fresh plain copy, so reading
 * never changes the cache; `KVCacheManager.blockView` adds the holders from its block tables.
 */
import { EngineError } from '../base/errors';
import { NULL_BLOCK_ID, type BlockPool } from './block-pool';

/** One KV block as notebooks see it. */
export interface BlockView {
  readonly blockId: number;
  readonly isNull: boolean;
  readonly refCount: number;
  /** Prefix-cache hash, `null` when the block holds none. */
  readonly blockHash: number | null;
  readonly isFree: boolean;
  /** 0-based position in the free queue (0 = evicted next); `null` when in use or null block. */
  readonly freeQueuePosition: number | null;
  /** Requests whose block tables reference this block. */
  readonly heldBy: readonly string[];
}

export interface KVUsageView {
  readonly numGpuBlocks: number;
  readonly numUsableBlocks: number;
  readonly numFreeBlocks: number;
  readonly numUsedBlocks: number;
  readonly numCachedBlocks: number;
  /** `1 − free / usable`. */
  readonly usage: number;
}

/**
 * The view of `blockId`; `holders(blockId)` lists the requests referencing it (never asked for
 * the null block, which every sliding-window table may hold). Throws `EngineError` on a bad id.
 */
export function blockView(pool: BlockPool, blockId: number, holders: (blockId: number) => string[]): BlockView {
  if (!Number.isInteger(blockId) || blockId < 0 || blockId >= pool.numGpuBlocks) {
    throw new EngineError(`blockId must be an integer in [0, ${pool.numGpuBlocks}), got ${JSON.stringify(blockId)}`, 'blockId');
  }
  const isNull = blockId === NULL_BLOCK_ID;
  const isFree = pool.isFree(blockId);
  return {
    blockId,
    isNull,
    refCount: pool.refCount(blockId),
    blockHash: pool.blockHash(blockId) ?? null,
    isFree,
    freeQueuePosition: isFree ? pool.freeQueueOrder().indexOf(blockId) : null,
    heldBy: isNull ? [] : holders(blockId),
  };
}

export function kvUsageView(pool: BlockPool): KVUsageView {
  return {
    numGpuBlocks: pool.numGpuBlocks,
    numUsableBlocks: pool.numUsableBlocks,
    numFreeBlocks: pool.numFreeBlocks,
    numUsedBlocks: pool.numUsableBlocks - pool.numFreeBlocks,
    numCachedBlocks: pool.numCachedBlocks,
    usage: pool.usage,
  };
}
