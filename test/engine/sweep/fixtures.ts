// Small sweep specs for the sweep tests: the seed workload's server line, a tiny client line.
export const SERVE = 'vllm serve deepseek-ai/DeepSeek-R1-0528 -tp 8 --max-num-seqs 1024 --max-model-len 2176 --max-num-batched-tokens 8192 '
  + '--no-enable-prefix-caching --kv-cache-dtype fp8 --compilation-config \'{"max_cudagraph_capture_size":2048}\' '
  + '--speculative-config \'{"method":"mtp","num_speculative_tokens":3}\'';
export const BENCH = 'vllm bench serve --model deepseek-ai/DeepSeek-R1-0528 --dataset-name random --random-input-len 128 --random-output-len 32 --num-prompts 16 --max-concurrency 8 --ignore-eos';
export const ENV = 'VLLM_ATTENTION_BACKEND=FLASHINFER_MLA';

/** 2 × 2 grid, one hardware (GB10) that cannot hold TP 8: its configs fail, the others run. */
export function smallSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small', serve: SERVE, bench: BENCH, env: ENV,
    axes: [{ kind: 'grid', params: { '--max-concurrency': [4, 16], hardware: ['B200', 'GB10'] } }],
    ...extra,
  };
}
