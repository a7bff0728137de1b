/**
 * `num_gpu_blocks` from a memory budget, as vLLM's worker derives it (engine-semantics.md §6), with
 * every intermediate number kept so a notebook can show the arithmetic behind "not enough KV cache
 * memory for N tokens".
 */
import { EngineError } from '../base/errors';

/** How one layer stores a token's KV. */
export type KVLayout =
  | { readonly kind: 'attention'; readonly numKvHeadsPerRank: number; readonly headSizeK: number; readonly headSizeV: number }
  /** MLA: one latent "head" per token (DeepSeek: 576 = 512 latent + 64 rope). */
  | { readonly kind: 'mla'; readonly headSize: number }
  /** A fixed byte count per token per layer (e.g. DeepSeek-V3.2 `fp8_ds_mla`: 656). */
  | { readonly kind: 'bytes_per_token'; readonly bytes: number };

export interface MemoryBudget {
  readonly totalDeviceMemoryBytes: number;
  readonly gpuMemoryUtilization: number;
  /** Model weights on this worker. */
  readonly weightsBytes: number;
  /** Peak torch-allocator increase during the profiling forward at max_num_batched_tokens. */
  readonly peakActivationBytes: number;
  /** NCCL buffers and other non-torch memory. */
  readonly nonTorchBytes: number;
  /** CUDA-graph memory estimate (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=1). */
  readonly cudagraphBytes: number;
  /** `kv_cache_memory_bytes`: when set, replaces the derived budget. */
  readonly kvCacheMemoryBytes?: number | null;
  readonly layout: KVLayout;
  /** Bytes per element of the KV cache (fp8 → 1, bf16 → 2); ignored for `bytes_per_token`. */
  readonly kvDtypeBytes: number;
  readonly numLayersOnWorker: number;
  readonly blockSize: number;
  readonly maxModelLen: number;
  readonly numGpuBlocksOverride?: number | null;
  /**
   * Hybrid models: layers per KV-cache group (e.g. `[10, 50]` full + sliding window). Every group
   * is padded to the largest, and one block holds one page per layer slot of that size.
   */
  readonly hybridGroupLayers?: readonly number[] | null;
}

export interface KVCapacity {
  readonly requestedBytes: number;
  readonly nonKvBytes: number;
  readonly availableKvBytes: number;
  /** Bytes of one block of one layer. */
  readonly pageSizeBytes: number;
  /** Bytes of one token across all layers of this worker. */
  readonly bytesPerToken: number;
  readonly numGpuBlocks: number;
  /** Tokens the cache holds (`numGpuBlocks × blockSize`). */
  readonly kvCacheTokens: number;
  /** `numGpuBlocks / ceil(maxModelLen / blockSize)`. */
  readonly maxConcurrency: number;
  /** Bytes one request of `maxModelLen` tokens needs. */
  readonly bytesForMaxModelLen: number;
  /** Largest model length the budget can hold for one request (block granular). */
  readonly estimatedMaxModelLen: number;
  readonly fitsMaxModelLen: boolean;
  /** Human-readable arithmetic. */
  readonly explanation: string;
}

const GIB = 1024 ** 3;

export function pageSizeBytes(layout: KVLayout, blockSize: number, kvDtypeBytes: number): number {
  switch (layout.kind) {
    case 'attention':
      return blockSize * layout.numKvHeadsPerRank * (layout.headSizeK + layout.headSizeV) * kvDtypeBytes;
    case 'mla':
      return blockSize * layout.headSize * kvDtypeBytes;
    case 'bytes_per_token':
      return blockSize * layout.bytes;
  }
}

function gib(b: number): string {
  return `${(b / GIB).toFixed(2)} GiB`;
}

/** Derives the KV block count and the capacity figures vLLM logs at startup. */
export function computeKVCapacity(m: MemoryBudget): KVCapacity {
  for (const k of ['totalDeviceMemoryBytes', 'weightsBytes', 'peakActivationBytes', 'nonTorchBytes', 'cudagraphBytes', 'kvDtypeBytes'] as const) {
    if (!(typeof m[k] === 'number' && m[k] >= 0 && Number.isFinite(m[k]))) throw new EngineError(`${k} must be a finite number >= 0`, k);
  }
  if (!(m.gpuMemoryUtilization > 0 && m.gpuMemoryUtilization <= 1)) throw new EngineError('gpuMemoryUtilization must be in (0, 1]', 'gpuMemoryUtilization');
  for (const k of ['numLayersOnWorker', 'blockSize', 'maxModelLen'] as const) {
    if (!(Number.isInteger(m[k]) && m[k] >= 1)) throw new EngineError(`${k} must be an integer >= 1`, k);
  }
  const requestedBytes = Math.ceil(m.totalDeviceMemoryBytes * m.gpuMemoryUtilization);
  const nonKvBytes = m.weightsBytes + m.peakActivationBytes + m.nonTorchBytes;
  const availableKvBytes = m.kvCacheMemoryBytes ?? Math.max(0, requestedBytes - nonKvBytes - m.cudagraphBytes);
  const page = pageSizeBytes(m.layout, m.blockSize, m.kvDtypeBytes);
  if (!(page > 0)) throw new EngineError('layout gives a zero page size', 'layout');
  const groupLayers = m.hybridGroupLayers ?? null;
  if (groupLayers !== null && !(groupLayers.length > 0 && groupLayers.every((n) => Number.isInteger(n) && n >= 1))) {
    throw new EngineError('hybridGroupLayers must list layer counts >= 1', 'hybridGroupLayers');
  }
  const layersPerBlock = groupLayers === null ? m.numLayersOnWorker : Math.max(...groupLayers);
  const derived = Math.floor(availableKvBytes / page / layersPerBlock);
  const numGpuBlocks = m.numGpuBlocksOverride ?? derived;
  const bytesPerToken = (page / m.blockSize) * m.numLayersOnWorker;
  const blocksPerSeq = Math.ceil(m.maxModelLen / m.blockSize);
  const bytesForMaxModelLen = blocksPerSeq * page * m.numLayersOnWorker;
  const estimatedMaxModelLen = numGpuBlocks * m.blockSize;
  const fitsMaxModelLen = numGpuBlocks >= blocksPerSeq;
  const lines = [
    `requested = ceil(${gib(m.totalDeviceMemoryBytes)} × ${m.gpuMemoryUtilization}) = ${gib(requestedBytes)}`,
    `non-KV = weights ${gib(m.weightsBytes)} + activations ${gib(m.peakActivationBytes)} + non-torch ${gib(m.nonTorchBytes)} = ${gib(nonKvBytes)}`,
    m.kvCacheMemoryBytes != null
      ? `available KV = kv_cache_memory_bytes = ${gib(availableKvBytes)}`
      : `available KV = ${gib(requestedBytes)} − ${gib(nonKvBytes)} − CUDA graphs ${gib(m.cudagraphBytes)} = ${gib(availableKvBytes)}`,
    `page = ${page} B per layer-block (${m.blockSize} tokens); ${bytesPerToken} B per token over ${m.numLayersOnWorker} layers`,
    `num_gpu_blocks = floor(${availableKvBytes} / ${page} / ${layersPerBlock}${groupLayers === null ? '' : ' (largest hybrid group)'}) = ${derived}` + (m.numGpuBlocksOverride != null ? ` (overridden: ${numGpuBlocks})` : ''),
    `KV cache holds ${numGpuBlocks * m.blockSize} tokens; max concurrency at ${m.maxModelLen} tokens = ${(numGpuBlocks / blocksPerSeq).toFixed(2)}x`,
  ];
  if (!fitsMaxModelLen) {
    lines.push(`one request of max_model_len ${m.maxModelLen} needs ${gib(bytesForMaxModelLen)} of KV cache, more than the available ${gib(availableKvBytes)};`
      + ` the budget fits at most ${estimatedMaxModelLen} tokens: raise gpu_memory_utilization or lower max_model_len`);
  }
  return {
    requestedBytes,
    nonKvBytes,
    availableKvBytes,
    pageSizeBytes: page,
    bytesPerToken,
    numGpuBlocks,
    kvCacheTokens: numGpuBlocks * m.blockSize,
    maxConcurrency: numGpuBlocks / blocksPerSeq,
    bytesForMaxModelLen,
    estimatedMaxModelLen,
    fitsMaxModelLen,
    explanation: lines.join('\n'),
  };
}
