/**
 * vLLM's `get_kv_cache_config` (`v1/core/kv_cache_utils.py`), arithmetic only: which layers form
 * a KV-cache group, which layers share one KV-cache tensor, the block count a memory budget buys,
 * the start-up check that one request of max_model_len fits, and the max concurrency vLLM logs.
 *
 * Hybrid models (full attention + sliding window): layers are grouped by type into groups of
 * equal size (`group_size` = the smallest type's layer count, or the largest when that is within
 * 1.25× of it, to avoid padding); layer i of every group shares tensor i, so one block id names a
 * page in every group and all groups draw from one pool of `num_blocks` blocks.
 */
import { EngineError } from '../base/errors';
import {
  isKvCacheSpecUniform, maxMemoryUsageBytes, mergeSpecs, specPageSizeBytes, specTypeId, unifyHybridKvCacheSpecs,
  unifyKvCacheSpecPageSize, uniformTypeSpecs, type AttentionLayerSpec, type KVCacheSpec, type SchedulerLimits,
} from './kv-cache-spec';

export interface KVCacheGroupSpec {
  readonly layerNames: readonly string[];
  readonly spec: KVCacheSpec;
}

export interface KVCacheTensor {
  readonly size: number;
  readonly sharedBy: readonly string[];
}

export interface KVCacheConfig {
  /** vLLM `num_blocks` (block 0 included: the engine's `numGpuBlocks`). */
  readonly numBlocks: number;
  readonly kvCacheTensors: readonly KVCacheTensor[];
  readonly kvCacheGroups: readonly KVCacheGroupSpec[];
}

export interface KVCacheConfigOptions extends SchedulerLimits {
  readonly numGpuBlocksOverride?: number | null;
  /** `--disable-hybrid-kv-cache-manager`: sliding-window layers are treated as full attention. */
  readonly disableHybridKvCacheManager?: boolean;
}

const GIB = 1024 ** 3;

function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** vLLM `get_kv_cache_groups`. `specs` maps layer names (in model order) to their spec. */
export function getKvCacheGroups(layerSpecs: Readonly<Record<string, AttentionLayerSpec>>, o: { disableHybridKvCacheManager?: boolean } = {}): KVCacheGroupSpec[] {
  const specs: Record<string, AttentionLayerSpec> = { ...layerSpecs };
  const names = Object.keys(specs);
  if (names.length === 0) return [];
  if (o.disableHybridKvCacheManager) unifyHybridKvCacheSpecs(specs);
  if (isKvCacheSpecUniform(specs)) return [{ layerNames: names, spec: mergeSpecs(Object.values(specs)) }];
  const uniformType = uniformTypeSpecs(specs);
  if (uniformType !== null) return [{ layerNames: names, spec: uniformType }];
  if (new Set(Object.values(specs).map(specPageSizeBytes)).size > 1) unifyKvCacheSpecPageSize(specs);
  return groupsOfUniformPageSize(specs);
}

function groupsOfUniformPageSize(specs: Readonly<Record<string, AttentionLayerSpec>>): KVCacheGroupSpec[] {
  const byType = new Map<string, string[]>();
  for (const [name, s] of Object.entries(specs)) {
    const key = specTypeId(s);
    const list = byType.get(key);
    if (list === undefined) byType.set(key, [name]);
    else list.push(name);
  }
  const counts = [...byType.values()].map((l) => l.length);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const groupSize = max < min * 1.25 ? max : min;
  const groups: KVCacheGroupSpec[] = [];
  for (const layers of byType.values()) {
    const numGroups = cdiv(layers.length, groupSize);
    // Strided split: group i takes layers i, i + numGroups, … (vLLM `layers[i::num_groups]`).
    for (let i = 0; i < numGroups; i++) {
      const layerNames = layers.filter((_, j) => j % numGroups === i);
      groups.push({ layerNames, spec: mergeSpecs(layerNames.map((n) => specs[n]!)) });
    }
  }
  return groups;
}

function overridden(numBlocks: number, o: KVCacheConfigOptions): number {
  return o.numGpuBlocksOverride ?? numBlocks;
}

/** vLLM `get_kv_cache_config_from_groups`: blocks and tensors for one worker's memory budget. */
export function kvCacheConfigFromGroups(groups: readonly KVCacheGroupSpec[], availableMemory: number, o: KVCacheConfigOptions): KVCacheConfig {
  if (groups.length === 0) return { numBlocks: 1, kvCacheTensors: [], kvCacheGroups: [] };
  const g0 = groups[0]!;
  if (groups.length === 1 && g0.spec.type === 'uniform_type') {
    const specs = g0.spec.specs;
    const numBlocks = overridden(Math.max(0, Math.floor(availableMemory / specPageSizeBytes(g0.spec))), o);
    const tensors = g0.layerNames.map((n) => ({ size: specPageSizeBytes(specs[n]!) * numBlocks, sharedBy: [n] }));
    return { numBlocks, kvCacheTensors: tensors, kvCacheGroups: groups };
  }
  const groupSize = Math.max(...groups.map((g) => g.layerNames.length));
  const page = specPageSizeBytes(g0.spec);
  if (groups.some((g) => specPageSizeBytes(g.spec) !== page)) throw new EngineError('KV-cache groups must share one page size', 'groups');
  const numBlocks = overridden(Math.max(0, Math.floor(Math.floor(availableMemory / page) / groupSize)), o);
  const tensors: KVCacheTensor[] = [];
  for (let i = 0; i < groupSize; i++) {
    const sharedBy = groups.filter((g) => i < g.layerNames.length).map((g) => g.layerNames[i]!);
    tensors.push({ size: page * numBlocks, sharedBy });
  }
  return { numBlocks, kvCacheTensors: tensors, kvCacheGroups: groups };
}

/** Bytes one request of max_model_len needs across all layers (vLLM `max_memory_usage_bytes` summed). */
export function neededMemoryBytes(layerSpecs: Readonly<Record<string, AttentionLayerSpec>>, lim: SchedulerLimits): number {
  return Object.values(layerSpecs).reduce((a, s) => a + maxMemoryUsageBytes(s, lim), 0);
}

/** vLLM `estimate_max_model_len`: the longest request the memory holds (binary search; 0 = none). */
export function estimateMaxModelLen(layerSpecs: Readonly<Record<string, AttentionLayerSpec>>, availableMemory: number, lim: SchedulerLimits): number {
  let lo = 0;
  let hi = lim.maxModelLen;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (neededMemoryBytes(layerSpecs, { ...lim, maxModelLen: mid }) <= availableMemory) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** vLLM `check_enough_kv_cache_memory`: throws vLLM's message when one max-length request does not fit. */
export function checkEnoughKvCacheMemory(layerSpecs: Readonly<Record<string, AttentionLayerSpec>>, availableMemory: number, lim: SchedulerLimits): void {
  if (Object.keys(layerSpecs).length === 0) return;
  if (availableMemory <= 0) {
    throw new EngineError('No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.', 'availableMemory');
  }
  const needed = neededMemoryBytes(layerSpecs, lim);
  if (needed <= availableMemory) return;
  const est = estimateMaxModelLen(layerSpecs, availableMemory, lim);
  const estMsg = est > 0 ? `Based on the available memory, the estimated maximum model length is ${est}.` : '';
  throw new EngineError(
    `To serve at least one request with the models's max seq len (${lim.maxModelLen}), (${(needed / GIB).toFixed(2)} GiB KV cache is needed, `
    + `which is larger than the available KV cache memory (${(availableMemory / GIB).toFixed(2)} GiB). ${estMsg} `
    + 'Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.', 'maxModelLen');
}

/**
 * vLLM `get_kv_cache_configs`: per worker, the memory check and its config; then every worker
 * takes the smallest block count (tensor sizes shrink with it).
 */
export function getKvCacheConfigs(perWorker: readonly Readonly<Record<string, AttentionLayerSpec>>[], availableMemory: readonly number[], o: KVCacheConfigOptions): KVCacheConfig[] {
  if (perWorker.length !== availableMemory.length) throw new EngineError('one memory budget per worker', 'availableMemory');
  const configs = perWorker.map((specs, w) => {
    checkEnoughKvCacheMemory(specs, availableMemory[w]!, o);
    return kvCacheConfigFromGroups(getKvCacheGroups(specs, o), availableMemory[w]!, o);
  });
  const min = Math.min(...configs.map((c) => c.numBlocks));
  return configs.map((c) => c.numBlocks === min ? c : {
    ...c,
    numBlocks: min,
    kvCacheTensors: c.kvCacheTensors.map((t) => ({ size: (t.size / c.numBlocks) * min, sharedBy: t.sharedBy })),
  });
}

/**
 * vLLM `get_max_concurrency_for_kv_cache_config`: requests of max_model_len the pool holds at
 * once. One request needs `group_size × Σ_groups max_memory_usage` bytes; a block holds
 * `group_size` pages.
 */
export function getMaxConcurrencyForKvCacheConfig(config: KVCacheConfig, lim: SchedulerLimits): number {
  if (config.kvCacheGroups.length === 0) return Infinity;
  const layersPerGroup = Math.max(...config.kvCacheGroups.map((g) => g.layerNames.length));
  const perRequest = layersPerGroup * config.kvCacheGroups.reduce((a, g) => a + maxMemoryUsageBytes(g.spec, lim), 0);
  const perBlock = specPageSizeBytes(config.kvCacheGroups[0]!.spec) * layersPerGroup;
  return config.numBlocks / cdiv(perRequest, perBlock);
}
