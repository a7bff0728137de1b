// The command lines of the DeepSeek-R1 async-scheduling report (vLLM #29657) exactly as issue 12
// quotes them, and the DeepSeek-V4 line from the SM12x sparse-MLA work. The sync and FP4 variants
// are made the way the report describes them: "the sync run is the same server line without
// `--async-scheduling`; the FP4 run uses `--model nvidia/DeepSeek-R1-0528-FP4-v2 --tokenizer
// nvidia/DeepSeek-R1-0528-FP4-v2` and `VLLM_USE_FLASHINFER_MOE_FP4=1` in place of `..._FP8=1`".

export const REPORT_FP8_ASYNC = String.raw`export VLLM_USE_NCCL_SYMM_MEM=1 NCCL_NVLS_ENABLE=1 NCCL_CUMEM_ENABLE=1 VLLM_USE_TRTLLM_RAGGED_DEEPSEEK_PREFILL=1 VLLM_ATTENTION_BACKEND=FLASHINFER_MLA VLLM_FLASHINFER_MOE_BACKEND=latency VLLM_USE_FLASHINFER_MOE_FP8=1

python3 -m vllm.entrypoints.openai.api_server \
    --host 0.0.0.0 --port 8087 \
    --model deepseek-ai/DeepSeek-R1-0528 \
    --tokenizer deepseek-ai/DeepSeek-R1-0528 \
    --dtype auto --kv-cache-dtype fp8 \
    --tensor-parallel-size 8 --pipeline-parallel-size 1 --data-parallel-size 1 \
    --swap-space 16 --max-num-seqs 1024 --trust-remote-code \
    --max-model-len 2176 --gpu-memory-utilization 0.9 \
    --max-num-batched-tokens 8192 --no-enable-prefix-caching \
    --async-scheduling \
    --compilation_config.pass_config.enable_fi_allreduce_fusion true \
    --compilation_config.pass_config.enable_attn_fusion true \
    --compilation_config.max_cudagraph_capture_size 2048 \
    --speculative_config.method mtp --speculative_config.num_speculative_tokens 3

python3 bench_serving/benchmark_serving.py --backend vllm --host 0.0.0.0 --port 8087 \
    --model deepseek-ai/DeepSeek-R1-0528 --num-prompts 1280 --trust-remote-code \
    --ignore-eos --max-concurrency 256 --random-input-len 1024 --random-output-len 1024 \
    --random-range-ratio 1.0 --use-chat-template --dataset-name random --save-result \
    --result-filename benchmark_serving_results_fp8_async.json`;

/** The same paste without the `--async-scheduling` line. */
export const REPORT_FP8_SYNC = REPORT_FP8_ASYNC.replace('    --async-scheduling \\\n', '');

const toFp4 = (s: string) => s.replaceAll('--model deepseek-ai/DeepSeek-R1-0528 \\\n    --tokenizer deepseek-ai/DeepSeek-R1-0528', '--model nvidia/DeepSeek-R1-0528-FP4-v2 \\\n    --tokenizer nvidia/DeepSeek-R1-0528-FP4-v2')
  .replace('VLLM_USE_FLASHINFER_MOE_FP8=1', 'VLLM_USE_FLASHINFER_MOE_FP4=1');
export const REPORT_FP4_ASYNC = toFp4(REPORT_FP8_ASYNC);
export const REPORT_FP4_SYNC = toFp4(REPORT_FP8_SYNC);

export const V4_FLASH = `VLLM_TRITON_MLA_SPARSE=1 vllm serve deepseek-ai/DeepSeek-V4-Flash --trust-remote-code --kv-cache-dtype fp8 --block-size 256 --max-model-len 8192 --gpu-memory-utilization 0.985 --tensor-parallel-size 2 --compilation-config '{"cudagraph_mode":"FULL_AND_PIECEWISE", "custom_ops":["all"]}' --tokenizer-mode deepseek_v4 --tool-call-parser deepseek_v4 --enable-auto-tool-choice --reasoning-parser deepseek_v4`;
