/**
 * Helpers for the KV-manager ports: a manager built like vLLM's `make_kv_cache_manager`
 * (max_model_len 8192, caching on) and requests with explicit token lists.
 */
import { KVCacheManager, Request } from '../../../engine/testing/index';

let seq = 0;

export function kvManager(o: { blockSize: number; numBlocks: number; windows?: (number | null)[]; enableCaching?: boolean; useEagle?: boolean }): KVCacheManager {
  return new KVCacheManager({
    numGpuBlocks: o.numBlocks, blockSize: o.blockSize, maxModelLen: 8192, maxNumBatchedTokens: 8192,
    enablePrefixCaching: o.enableCaching ?? true, useEagle: o.useEagle ?? false,
    groups: (o.windows ?? [null]).map((w) => ({ slidingWindow: w })), seed: 0,
  });
}

export function req(id: string, tokens: readonly number[], o: { promptLogprobs?: number; cacheSalt?: string } = {}): Request {
  return new Request({
    requestId: id, seq: seq++, promptTokenIds: tokens,
    sampling: { maxTokens: 17, minTokens: 0, ignoreEos: false, stopTokenIds: [], promptLogprobs: o.promptLogprobs ?? null },
    arrivalTime: 0, priority: 0, eosTokenId: 100, cacheSalt: o.cacheSalt ?? null,
  });
}

/** `[0]×16, [1]×16, …` for `n` blocks of `bs`. */
export function blocksOf(n: number, bs: number): number[] {
  return Array.from({ length: n * bs }, (_, i) => Math.floor(i / bs));
}

export function fill(v: number, n: number): number[] {
  return new Array<number>(n).fill(v);
}

export function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
