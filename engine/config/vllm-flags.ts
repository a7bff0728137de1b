/**
 * The `vllm serve` flags enginelab understands, by canonical (dashed) name: how each value is
 * parsed and which `EngineConfig` key it sets, or that it is understood but not modelled.
 * Flags absent from this table are rejected as unknown (typos get a suggestion).
 */

export type FlagKind = 'int' | 'float' | 'str' | 'bool' | 'json';

export interface FlagSpec {
  readonly kind: FlagKind;
  /** EngineConfig key this flag sets; absent = understood, not modelled. */
  readonly key?: string;
  /** Allowed values for `str` flags. */
  readonly choices?: readonly string[];
}

const m = (kind: FlagKind, key: string, choices?: readonly string[]): FlagSpec => (choices ? { kind, key, choices } : { kind, key });
const u = (kind: FlagKind): FlagSpec => ({ kind });

export const VLLM_FLAGS: Readonly<Record<string, FlagSpec>> = {
  model: m('str', 'model'),
  'tensor-parallel-size': m('int', 'tensorParallelSize'),
  'pipeline-parallel-size': m('int', 'pipelineParallelSize'),
  'data-parallel-size': m('int', 'dataParallelSize'),
  'max-num-seqs': m('int', 'maxNumSeqs'),
  'max-model-len': m('int', 'maxModelLen'),
  'max-num-batched-tokens': m('int', 'maxNumBatchedTokens'),
  'block-size': m('int', 'blockSize'),
  'gpu-memory-utilization': m('float', 'gpuMemoryUtilization'),
  'num-gpu-blocks-override': m('int', 'numGpuBlocks'),
  'enable-prefix-caching': m('bool', 'enablePrefixCaching'),
  'enable-chunked-prefill': m('bool', 'enableChunkedPrefill'),
  'long-prefill-token-threshold': m('int', 'longPrefillTokenThreshold'),
  'max-num-partial-prefills': m('int', 'maxNumPartialPrefills'),
  'scheduling-policy': m('str', 'policy', ['fcfs', 'priority']),
  'async-scheduling': m('bool', 'asyncScheduling'),
  'kv-cache-dtype': m('str', 'kvCacheDtype', ['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2', 'fp8_inc', 'fp8_ds_mla', 'bfloat16', 'float16']),
  'speculative-config': m('json', 'speculative'),
  'compilation-config': m('json', 'compilation'),
  'optimization-level': m('int', 'optimizationLevel'),
  'enforce-eager': m('bool', 'enforceEager'),
  seed: m('int', 'seed'),
  'attention-backend': m('str', 'attentionBackend'),
  'cuda-graph-sizes': m('str', 'cudagraphCaptureSizes'),
  'scheduler-reserve-full-isl': m('bool', 'schedulerReserveFullIsl'),
  // Understood, not modelled.
  host: u('str'), port: u('int'), 'served-model-name': u('str'), 'trust-remote-code': u('bool'),
  'disable-log-requests': u('bool'), 'enable-log-requests': u('bool'), 'disable-log-stats': u('bool'),
  'uvicorn-log-level': u('str'), 'api-key': u('str'), tokenizer: u('str'), 'tokenizer-mode': u('str'),
  revision: u('str'), dtype: u('str'), quantization: u('str'), 'load-format': u('str'), 'download-dir': u('str'),
  'distributed-executor-backend': u('str'), 'enable-expert-parallel': u('bool'), 'enable-eplb': u('bool'),
  'all2all-backend': u('str'), 'data-parallel-size-local': u('int'), 'data-parallel-address': u('str'),
  'data-parallel-rpc-port': u('int'), headless: u('bool'), 'api-server-count': u('int'), 'swap-space': u('float'),
  'cpu-offload-gb': u('float'), 'disable-custom-all-reduce': u('bool'), 'max-logprobs': u('int'),
  'generation-config': u('str'), 'chat-template': u('str'), 'enable-auto-tool-choice': u('bool'),
  'tool-call-parser': u('str'), 'reasoning-parser': u('str'), 'kv-transfer-config': u('json'), 'hf-overrides': u('json'),
  'limit-mm-per-prompt': u('json'), 'mm-processor-kwargs': u('json'), 'enable-sleep-mode': u('bool'),
  'disable-cascade-attn': u('bool'), 'disable-hybrid-kv-cache-manager': u('bool'), 'max-seq-len-to-capture': u('int'),
  'kv-cache-memory-bytes': u('int'), 'calculate-kv-scales': u('bool'), 'stream-interval': u('int'), 'moe-backend': u('str'),
  'prefix-caching-hash-algo': u('str'), 'max-parallel-loading-workers': u('int'), 'structured-outputs-config': u('json'),
  'allowed-origins': u('str'), 'override-generation-config': u('json'), 'enable-prompt-tokens-details': u('bool'),
  'max-loras': u('int'), 'enable-lora': u('bool'), 'performance-mode': u('str'), 'disable-uvicorn-access-log': u('bool'),
  'enable-force-include-usage': u('bool'), 'ssl-keyfile': u('str'), 'ssl-certfile': u('str'), 'config-format': u('str'),
};

/** Short aliases (`-tp 8`). */
export const VLLM_SHORT_FLAGS: Readonly<Record<string, string>> = {
  tp: 'tensor-parallel-size',
  pp: 'pipeline-parallel-size',
  dp: 'data-parallel-size',
  q: 'quantization',
  O: 'optimization-level',
};

/** `speculative_config` keys: modelled ones map to SpeculativeConfig, others are understood. */
export const SPECULATIVE_KEYS: Readonly<Record<string, 'method' | 'numSpeculativeTokens' | null>> = {
  method: 'method',
  num_speculative_tokens: 'numSpeculativeTokens',
  model: null, quantization: null, draft_tensor_parallel_size: null, max_model_len: null, revision: null,
  disable_padded_drafter_batch: null, prompt_lookup_max: null, prompt_lookup_min: null, rejection_sample_method: null,
  draft_sample_method: null, use_local_argmax_reduction: null, enforce_eager: null, parallel_drafting: null,
};

/** `compilation_config` keys. */
export const COMPILATION_KEYS: Readonly<Record<string, 'cudagraphMode' | 'maxCudagraphCaptureSize' | 'cudagraphCaptureSizes' | 'level' | null>> = {
  cudagraph_mode: 'cudagraphMode',
  max_cudagraph_capture_size: 'maxCudagraphCaptureSize',
  cudagraph_capture_sizes: 'cudagraphCaptureSizes',
  level: 'level',
  mode: 'level',
  pass_config: null, use_inductor: null, custom_ops: null, splitting_ops: null, compile_sizes: null, backend: null,
  full_cuda_graph: null, use_cudagraph: null, cudagraph_num_of_warmups: null, inductor_compile_config: null,
  debug_dump_path: null, cache_dir: null, compile_cache_save_format: null, use_inductor_graph_partition: null,
};

/** Speculative methods as vLLM spells them → enginelab's `SpecMethod`. */
export const SPEC_METHOD_ALIASES: Readonly<Record<string, string>> = {
  mtp: 'mtp', deepseek_mtp: 'mtp', qwen3_next_mtp: 'mtp', glm4_moe_mtp: 'mtp', mimo_mtp: 'mtp', ernie_mtp: 'mtp',
  longcat_flash_mtp: 'mtp', eagle: 'eagle', eagle3: 'eagle3', ngram: 'ngram', draft_model: 'draft_model', suffix: 'suffix',
};

/** `VLLM_*` environment variables: modelled (→ config key) or understood (null). */
export const VLLM_ENV: Readonly<Record<string, string | null>> = {
  VLLM_ATTENTION_BACKEND: 'attentionBackend',
  VLLM_USE_V1: null, VLLM_USE_FLASHINFER_MOE_FP8: null, VLLM_USE_FLASHINFER_MOE_FP4: null, VLLM_FLASHINFER_MOE_BACKEND: null,
  VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS: null, VLLM_ENABLE_V1_MULTIPROCESSING: null, VLLM_USE_DEEP_GEMM: null,
  VLLM_ALL2ALL_BACKEND: null, VLLM_LOGGING_LEVEL: null, VLLM_WORKER_MULTIPROC_METHOD: null, VLLM_USE_TRTLLM_ATTENTION: null,
  VLLM_DISABLE_COMPILE_CACHE: null, VLLM_HOST_IP: null, VLLM_PORT: null, VLLM_CACHE_ROOT: null, VLLM_TORCH_PROFILER_DIR: null,
  VLLM_USE_STANDALONE_COMPILE: null, VLLM_ROCM_USE_AITER: null, VLLM_MOE_DP_CHUNK_SIZE: null, VLLM_ENGINE_READY_TIMEOUT_S: null,
  VLLM_USE_FLASHINFER_SAMPLER: null, VLLM_SERVER_DEV_MODE: null, VLLM_FLASHINFER_ALLREDUCE_FUSION_THRESHOLDS_MB: null,
  VLLM_USE_NCCL_SYMM_MEM: null, VLLM_DEEP_GEMM_WARMUP: null, VLLM_RPC_TIMEOUT: null, VLLM_NO_USAGE_STATS: null,
  VLLM_ALLOW_LONG_MAX_MODEL_LEN: null, VLLM_USE_PRECOMPILED: null, VLLM_LOG_STATS_INTERVAL: null,
};

/** Block sizes forced by MLA attention backends (engine-semantics.md §3). */
export const BACKEND_BLOCK_SIZE: Readonly<Record<string, number>> = {
  FLASHINFER_MLA: 32,
  FLASHMLA: 64,
  CUTLASS_MLA: 128,
};

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(name, c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}
