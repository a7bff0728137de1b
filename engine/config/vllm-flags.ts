/**
 * Which `vllm serve` flags and config-object keys the engine models, and the `EngineConfig` key each
 * sets. Every other flag of `SERVE_FLAGS` is accepted and reported as "accepted, not modelled" with
 * its value. Option-object keys (`--compilation-config`, `--speculative-config`) are checked against
 * the config dataclasses' fields at the commits named in vllm-serve-flags.ts (vLLM's pydantic
 * configs forbid unknown keys), so a typo there is an error with a suggestion.
 */

/** `vllm serve` flag (canonical dashed name) → the `EngineConfig` key it sets. */
export const MODELLED_FLAGS: Readonly<Record<string, string>> = {
  model: 'model',
  'tensor-parallel-size': 'tensorParallelSize',
  'pipeline-parallel-size': 'pipelineParallelSize',
  'data-parallel-size': 'dataParallelSize',
  'max-num-seqs': 'maxNumSeqs',
  'max-model-len': 'maxModelLen',
  'max-num-batched-tokens': 'maxNumBatchedTokens',
  'block-size': 'blockSize',
  'gpu-memory-utilization': 'gpuMemoryUtilization',
  'num-gpu-blocks-override': 'numGpuBlocks',
  'enable-prefix-caching': 'enablePrefixCaching',
  'enable-chunked-prefill': 'enableChunkedPrefill',
  'long-prefill-token-threshold': 'longPrefillTokenThreshold',
  'max-num-partial-prefills': 'maxNumPartialPrefills',
  'scheduling-policy': 'policy',
  'async-scheduling': 'asyncScheduling',
  'kv-cache-dtype': 'kvCacheDtype',
  seed: 'seed',
  'attention-backend': 'attentionBackend',
  'scheduler-reserve-full-isl': 'schedulerReserveFullIsl',
  'cuda-graph-sizes': 'cudagraphCaptureSizes',
  'cudagraph-capture-sizes': 'cudagraphCaptureSizes',
  'max-cudagraph-capture-size': 'maxCudagraphCaptureSize',
};

/** Flags read by the option-object code (not a plain config key). */
export const OPTION_FLAGS: readonly string[] = ['speculative-config', 'compilation-config', 'optimization-level', 'enforce-eager'];

/** `EngineConfig` key → the flag a user writes (issue paths name flags, not config keys). */
export const CONFIG_KEY_TO_FLAG: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(MODELLED_FLAGS).map(([flag, key]) => [key, `--${flag}`])),
  'speculative.method': '--speculative-config.method',
  'speculative.numSpeculativeTokens': '--speculative-config.num_speculative_tokens',
  cudagraphMode: '--compilation-config.cudagraph_mode',
  maxCudagraphCaptureSize: '--max-cudagraph-capture-size',
  cudagraphCaptureSizes: '--cudagraph-capture-sizes',
};

/** `speculative_config` fields (SpeculativeConfig); two are modelled, the rest accepted. */
export const SPECULATIVE_KEYS: Readonly<Record<string, 'method' | 'numSpeculativeTokens' | null>> = {
  method: 'method',
  num_speculative_tokens: 'numSpeculativeTokens',
  model: null, quantization: null, draft_tensor_parallel_size: null, max_model_len: null, revision: null, code_revision: null,
  disable_by_batch_size: null, disable_padded_drafter_batch: null, prompt_lookup_max: null, prompt_lookup_min: null,
  speculative_token_tree: null, rejection_sample_method: null, draft_sample_method: null, use_local_argmax_reduction: null,
  enforce_eager: null, parallel_drafting: null, suffix_decoding_max_tree_depth: null, suffix_decoding_max_cached_requests: null,
  suffix_decoding_max_spec_factor: null, suffix_decoding_min_token_prob: null, disable_logprobs: null, acceptance_method: null,
};

/** `compilation_config` fields (CompilationConfig); `pass_config` is a nested PassConfig. */
export const COMPILATION_KEYS: Readonly<Record<string, 'cudagraphMode' | 'maxCudagraphCaptureSize' | 'cudagraphCaptureSizes' | 'level' | 'passConfig' | null>> = {
  cudagraph_mode: 'cudagraphMode',
  max_cudagraph_capture_size: 'maxCudagraphCaptureSize',
  cudagraph_capture_sizes: 'cudagraphCaptureSizes',
  level: 'level',
  mode: 'level',
  pass_config: 'passConfig',
  use_inductor: null, custom_ops: null, splitting_ops: null, compile_sizes: null, backend: null, full_cuda_graph: null,
  use_cudagraph: null, cudagraph_num_of_warmups: null, cudagraph_copy_inputs: null, cudagraph_specialize_lora: null,
  inductor_compile_config: null, inductor_passes: null, debug_dump_path: null, cache_dir: null, local_cache_dir: null,
  compile_cache_save_format: null, use_inductor_graph_partition: null, compile_mm_encoder: null, dynamic_shapes_config: null,
  fast_moe_cold_start: null, compile_ranges_split_points: null,
};

/** PassConfig fields: the older `enable_*` names and the newer `fuse_*` names (both accepted upstream over time). */
export const PASS_CONFIG_KEYS: readonly string[] = [
  'enable_fusion', 'enable_attn_fusion', 'enable_noop', 'enable_sequence_parallelism', 'enable_async_tp',
  'enable_fi_allreduce_fusion', 'fi_allreduce_fusion_max_size_mb', 'fi_allreduce_fusion_max_token_num',
  'enable_qk_norm_rope_fusion', 'fuse_norm_quant', 'fuse_act_quant', 'fuse_attn_quant', 'eliminate_noops', 'enable_sp',
  'fuse_gemm_comms', 'fuse_allreduce_rms', 'fuse_act_padding', 'sp_min_token_num',
];

/** Speculative methods as vLLM spells them → enginelab's `SpecMethod`. */
export const SPEC_METHOD_ALIASES: Readonly<Record<string, string>> = {
  mtp: 'mtp', deepseek_mtp: 'mtp', qwen3_next_mtp: 'mtp', glm4_moe_mtp: 'mtp', mimo_mtp: 'mtp', ernie_mtp: 'mtp',
  longcat_flash_mtp: 'mtp', eagle: 'eagle', eagle3: 'eagle3', ngram: 'ngram', draft_model: 'draft_model', suffix: 'suffix',
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

/** The closest candidate within a small edit distance, or undefined. */
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

/** ` (did you mean X?)` or ''. */
export function didYouMean(name: string, candidates: readonly string[], prefix = ''): string {
  const hint = suggest(name, candidates);
  return hint ? ` (did you mean ${prefix}${hint}?)` : '';
}
