/**
 * Ported from vLLM `tests/v1/core/test_kv_cache_utils.py`: the free-block queue (links, popleft
 * and its exception text, append_n, popleft_n), lookahead slots, and `get_kv_cache_config` for
 * one worker — layer grouping (full + sliding window, padding), tensor sharing, page-size
 * unification, `num_gpu_blocks_override` — plus max concurrency, `estimate_max_model_len` and the
 * start-up memory check.
 */
import { describe, expect, it } from 'vitest';
import {
  FreeBlockQueue, NO_FREE_BLOCKS_MESSAGE, checkEnoughKvCacheMemory, estimateMaxModelLen, fullAttentionSpec, getKvCacheConfigs,
  getMaxConcurrencyForKvCacheConfig, slidingWindowSpec, type AttentionLayerSpec,
} from '../../../engine/testing/index';
import { kvManager, req } from './kv-helpers';

function queueOf(ids: number[]): FreeBlockQueue {
  const q = new FreeBlockQueue(16);
  q.appendN(ids);
  return q;
}

describe('test_kv_cache_utils.py: FreeKVCacheBlockQueue', () => {
  it('test_free_kv_cache_block_queue_operations', () => {
    const q = queueOf([0, 1, 2, 3, 4]);
    expect([q.length, q.peek(), q.links(4).next]).toEqual([5, 0, null]);
    expect(q.popHead()).toBe(0);
    expect([q.length, q.peek()]).toEqual([4, 1]);
    q.remove(2);
    expect([q.length, q.links(1).next, q.links(3).prev]).toEqual([3, 3, 1]);
    q.append(2);
    expect([q.length, q.links(2)]).toEqual([4, { prev: 4, next: null }]);
    for (let i = 0; i < 4; i++) q.popHead();
    expect([q.length, q.toArray()]).toEqual([0, []]);
    expect(() => q.popHead()).toThrowError(NO_FREE_BLOCKS_MESSAGE);
    expect(NO_FREE_BLOCKS_MESSAGE).toBe('No free blocks available');
  });

  it('test_free_kv_cache_block_queue_append_n / popleft_n / get_all_free_blocks', () => {
    const q = new FreeBlockQueue(8);
    q.appendN([]);
    expect(q.length).toBe(0);
    q.appendN([0]);
    q.appendN([4, 5]);
    q.appendN([1, 2, 3]);
    expect(q.toArray()).toEqual([0, 4, 5, 1, 2, 3]);
    expect(q.links(5)).toEqual({ prev: 4, next: 1 });
    const p = queueOf([1, 3, 5, 4, 0, 2]);
    expect(p.popHeadN(0)).toEqual([]);
    expect(p.popHeadN(1)).toEqual([1]);
    expect(p.popHeadN(2)).toEqual([3, 5]);
    expect(p.popHeadN(3)).toEqual([4, 0, 2]);
    expect(p.length).toBe(0);
    expect(() => p.popHeadN(1)).toThrowError(NO_FREE_BLOCKS_MESSAGE);
    const g = queueOf([0, 1, 2, 3, 4]);
    g.popHead();
    g.remove(2);
    g.append(2);
    expect(g.toArray()).toEqual([1, 3, 4, 2]);
  });

  it('test_allocate_with_lookahead: ceil((3 + 2) / 4) = 2 and ceil((3 + 4) / 4) = 2 blocks', () => {
    for (const [lookahead, blocks] of [[2, 2], [4, 2], [6, 3]]) {
      const m = kvManager({ blockSize: 4, numBlocks: 10 });
      expect(m.allocateSlots(req('0', [1, 2, 3]), 3, undefined, lookahead)).toHaveLength(blocks!);
    }
  });
});

// vLLM's helpers: block 16, 2 KV heads, head 64, fp32 → 16 × 2 × 64 × 4 × 2 bytes per layer-block.
const PAGE = 16 * 2 * 64 * 4 * 2;
const full = (o: Partial<AttentionLayerSpec> = {}) => fullAttentionSpec(o);
const sw = (o: Partial<AttentionLayerSpec> = {}) => slidingWindowSpec({ ...o, slidingWindow: o.slidingWindow ?? 1 });
const LIM = { maxModelLen: 16, maxNumBatchedTokens: 2048 };
function layers(...specs: AttentionLayerSpec[]): Record<string, AttentionLayerSpec> {
  return Object.fromEntries(specs.map((s, i) => [`layer_${i + 1}`, s]));
}
const one = (specs: Record<string, AttentionLayerSpec>, mem: number, o = {}) => getKvCacheConfigs([specs], [mem], { ...LIM, ...o })[0]!;
const shared = (c: ReturnType<typeof one>) => c.kvCacheTensors.map((t) => [t.size / PAGE, t.sharedBy]);
const grouped = (c: ReturnType<typeof one>) => c.kvCacheGroups.map((g) => [g.spec.type, g.layerNames]);

describe('test_kv_cache_utils.py: test_get_kv_cache_config_one_worker', () => {
  it('uniform full / uniform sliding window: one group, one tensor per layer', () => {
    for (const s of [full(), sw()]) {
      const c = one(layers(s, s), PAGE * 2 * 32);
      expect(c.numBlocks).toBe(32);
      expect(shared(c)).toEqual([[32, ['layer_1']], [32, ['layer_2']]]);
      expect(grouped(c)).toEqual([[s.type, ['layer_1', 'layer_2']]]);
    }
  });

  it('full + sliding with the hybrid manager disabled: one full-attention group that remembers the window', () => {
    const c = one(layers(full(), sw()), PAGE * 2 * 32, { disableHybridKvCacheManager: true });
    expect(c.numBlocks).toBe(32);
    expect(c.kvCacheGroups).toHaveLength(1);
    expect(c.kvCacheGroups[0]!.spec).toMatchObject({ type: 'full', slidingWindow: 1 });
  });

  it('full + sliding with the hybrid manager: two groups share one tensor, so the same memory buys 64 blocks', () => {
    const c = one(layers(full(), sw()), PAGE * 2 * 32);
    expect(c.numBlocks).toBe(64);
    expect(shared(c)).toEqual([[64, ['layer_1', 'layer_2']]]);
    expect(grouped(c)).toEqual([['full', ['layer_1']], ['sliding_window', ['layer_2']]]);
  });

  it('2 full + 4 sliding: groups of 2, window layers split by stride', () => {
    const c = one(layers(full(), full(), sw(), sw(), sw(), sw()), PAGE * 2 * 32);
    expect(c.numBlocks).toBe(32);
    expect(shared(c)).toEqual([[32, ['layer_1', 'layer_3', 'layer_4']], [32, ['layer_2', 'layer_5', 'layer_6']]]);
    expect(grouped(c)).toEqual([['full', ['layer_1', 'layer_2']], ['sliding_window', ['layer_3', 'layer_5']], ['sliding_window', ['layer_4', 'layer_6']]]);
  });

  it('3 full + 7 sliding: padded to 3 + 9', () => {
    const c = one(layers(full(), full(), full(), sw(), sw(), sw(), sw(), sw(), sw(), sw()), PAGE * 3 * 32);
    expect(c.numBlocks).toBe(32);
    expect(shared(c)).toEqual([
      [32, ['layer_1', 'layer_4', 'layer_5', 'layer_6']], [32, ['layer_2', 'layer_7', 'layer_8', 'layer_9']], [32, ['layer_3', 'layer_10']],
    ]);
    expect(grouped(c).map((g) => g[1])).toEqual([['layer_1', 'layer_2', 'layer_3'], ['layer_4', 'layer_7', 'layer_10'], ['layer_5', 'layer_8'], ['layer_6', 'layer_9']]);
  });

  it('6 full + 5 sliding (gpt-oss + EAGLE): within 1.25×, one group per type padded to 6', () => {
    const c = one(layers(...[0, 1, 2, 3, 4, 5].map(() => full()), ...[0, 1, 2, 3, 4].map(() => sw())), PAGE * 6 * 32);
    expect(c.numBlocks).toBe(32);
    expect(shared(c).map((t) => t[1])).toEqual([
      ['layer_1', 'layer_7'], ['layer_2', 'layer_8'], ['layer_3', 'layer_9'], ['layer_4', 'layer_10'], ['layer_5', 'layer_11'], ['layer_6'],
    ]);
    expect(grouped(c).map((g) => g[1])).toEqual([['layer_1', 'layer_2', 'layer_3', 'layer_4', 'layer_5', 'layer_6'], ['layer_7', 'layer_8', 'layer_9', 'layer_10', 'layer_11']]);
  });

  it('same type, different head sizes: one uniform-type group, tensors sized per layer', () => {
    const c = one(layers(full({ headSize: 128 }), full({ headSize: 64 })), PAGE * 3 * 32);
    expect(c.numBlocks).toBe(32);
    expect(shared(c)).toEqual([[64, ['layer_1']], [32, ['layer_2']]]);
    expect(c.kvCacheGroups[0]!.spec.type).toBe('uniform_type');
  });

  it('different types and head sizes: block size scaled until the pages match, or an error', () => {
    const c = one(layers(full({ headSize: 64 }), sw({ headSize: 32 })), PAGE * 32);
    expect(c.numBlocks).toBe(32);
    expect(shared(c)).toEqual([[32, ['layer_1', 'layer_2']]]);
    expect(c.kvCacheGroups[1]!.spec).toMatchObject({ type: 'sliding_window', blockSize: 32, headSize: 32 });
    expect(() => one(layers(full({ headSize: 64 }), sw({ headSize: 96 })), PAGE * 2 * 32)).toThrowError(/not divisible/);
  });

  it('num_gpu_blocks_override replaces the derived count and sizes the tensors', () => {
    const c = one(layers(full(), full()), PAGE * 2 * 32, { numGpuBlocksOverride: 16 });
    expect(c.numBlocks).toBe(16);
    expect(shared(c)).toEqual([[16, ['layer_1']], [16, ['layer_2']]]);
  });

  it('attention-free model: one block, no tensors, no groups', () => {
    expect(getKvCacheConfigs([{}], [0], LIM)).toEqual([{ numBlocks: 1, kvCacheTensors: [], kvCacheGroups: [] }]);
  });

  it('several workers take the smallest block count', () => {
    const specs = layers(full(), full());
    const [a, b] = getKvCacheConfigs([specs, specs], [PAGE * 2 * 32, PAGE * 2 * 20], LIM);
    expect([a!.numBlocks, b!.numBlocks, a!.kvCacheTensors[0]!.size / PAGE]).toEqual([20, 20, 20]);
  });
});

describe('test_kv_cache_utils.py: max concurrency, estimated max model len, the memory check', () => {
  // Qwen1.5-7B-like: 32 layers, 32 KV heads, head 128, fp16.
  const qwen = { blockSize: 16, numKvHeads: 32, headSize: 128, dtypeBytes: 2 };
  const lim = { maxModelLen: 16384, maxNumBatchedTokens: 1024 };
  const names = (from: number, n: number) => Array.from({ length: n }, (_, i) => `layer_${from + i}`);

  it('test_get_max_concurrency_for_kv_cache_config: full 1.5, sliding window 3, hybrid 3', () => {
    const f = fullAttentionSpec(qwen);
    const s = slidingWindowSpec({ ...qwen, slidingWindow: 1024 });
    expect(getMaxConcurrencyForKvCacheConfig({ numBlocks: 1024 * 1.5, kvCacheTensors: [], kvCacheGroups: [{ layerNames: names(0, 32), spec: f }] }, lim)).toBe(1.5);
    // ceil(min(1024 − 1 + 1024, 16384) / 16) + 1 = 129 blocks per request.
    expect(getMaxConcurrencyForKvCacheConfig({ numBlocks: 129 * 3, kvCacheTensors: [], kvCacheGroups: [{ layerNames: names(0, 32), spec: s }] }, lim)).toBe(3);
    expect(getMaxConcurrencyForKvCacheConfig({
      numBlocks: (1024 + 129) * 3, kvCacheTensors: [],
      kvCacheGroups: [{ layerNames: names(0, 32), spec: f }, { layerNames: names(32, 32), spec: s }],
    }, lim)).toBe(3);
  });

  it.each([[16385, 16384], [16383, 16383]])('test_estimate_max_model_len: max_model_len %i in 8 GiB → %i', (maxModelLen, want) => {
    const specs = Object.fromEntries(names(0, 32).map((n) => [n, fullAttentionSpec(qwen)]));
    expect(estimateMaxModelLen(specs, 8 * 1024 ** 3, { maxModelLen, maxNumBatchedTokens: 32768 })).toBe(want);
  });

  it("check_enough_kv_cache_memory: vLLM's message with the estimate", () => {
    const specs = Object.fromEntries(names(0, 32).map((n) => [n, fullAttentionSpec(qwen)]));
    expect(() => checkEnoughKvCacheMemory(specs, 8 * 1024 ** 3, { maxModelLen: 16385, maxNumBatchedTokens: 32768 })).toThrowError(
      "To serve at least one request with the models's max seq len (16385), (8.01 GiB KV cache is needed, which is larger than the available KV cache "
      + 'memory (8.00 GiB). Based on the available memory, the estimated maximum model length is 16384. Try increasing `gpu_memory_utilization` or '
      + 'decreasing `max_model_len` when initializing the engine.');
    expect(() => checkEnoughKvCacheMemory(specs, 0, lim)).toThrowError(/No available memory for the cache blocks/);
    expect(() => checkEnoughKvCacheMemory(specs, 8 * 1024 ** 3, { maxModelLen: 16384, maxNumBatchedTokens: 32768 })).not.toThrow();
  });
});
