/**
 * Every flag `vllm serve --help` lists, by canonical dashed name, with how argparse reads its value.
 * Read from vLLM's own argument definitions at vllm-project/vllm commit 99d7eb5d6a51
 * (`vllm/engine/arg_utils.py` `EngineArgs.add_cli_args` and the config dataclasses it draws on:
 * Model/Load/StructuredOutputs/Parallel/Cache/MultiModal/LoRA/Observability/Scheduler/Compilation/
 * VllmConfig) and commit 789340fbad95 (`vllm/entrypoints/openai/cli_args.py`: `make_arg_parser`,
 * `FrontendArgs`), plus flags added after those commits that recipes already use (marked "newer").
 * Kinds follow `get_kwargs`: `bool` fields get `--x`/`--no-x` (BooleanOptionalAction), `flag` is
 * `store_true` (no `--no-` form), `list` is `nargs='+'`, `json` a dataclass or dict (JSON string or
 * dotted keys), `hint` an int that accepts `1k`/`1K` suffixes (`human_readable_int`).
 */

export type ServeFlagKind = 'bool' | 'flag' | 'int' | 'hint' | 'float' | 'str' | 'list' | 'json' | 'optstr';

export interface ServeFlag {
  readonly kind: ServeFlagKind;
  /** argparse `choices`; absent = any value of the kind. */
  readonly choices?: readonly string[];
  /** Deprecated upstream (still accepted; the report says so). */
  readonly deprecated?: boolean;
}

const words = (s: string): string[] => s.trim().split(/\s+/);

const BOOL = words(`
  trust-remote-code enforce-eager disable-sliding-window disable-cascade-attn skip-tokenizer-init enable-prompt-embeds
  enable-sleep-mode use-tqdm-on-load data-parallel-hybrid-lb enable-expert-parallel enable-dbo
  disable-nccl-for-dp-synchronization enable-eplb ray-workers-use-nsight disable-custom-all-reduce enable-prefix-caching
  calculate-kv-scales kv-sharing-fast-prefill enable-mm-embeds interleave-mm-strings skip-mm-profiling enable-lora
  fully-sharded-loras enable-chunked-prefill disable-chunked-mm-input disable-hybrid-kv-cache-manager async-scheduling
  disable-uvicorn-access-log allow-credentials trust-request-chat-template enable-ssl-refresh return-tokens-as-token-ids
  disable-frontend-multiprocessing enable-request-id-headers enable-auto-tool-choice exclude-tools-when-tool-choice-none
  disable-fastapi-docs enable-prompt-tokens-details enable-server-load-tracking enable-force-include-usage
  enable-tokenizer-info-endpoint enable-log-outputs log-error-stack tokens-only enable-log-requests
  scheduler-reserve-full-isl enable-elastic-ep enable-mfu-metrics`);
const DEPRECATED_BOOL = words('eplb-log-balancedness disable-log-requests');
const FLAG = words('disable-log-stats aggregate-engine-logging headless');
const DEPRECATED_FLAG = words('enable-multimodal-encoder-data-parallel disable-mm-preprocessor-cache');
const INT = words(`
  seed max-logprobs pipeline-parallel-size tensor-parallel-size decode-context-parallel-size data-parallel-size
  data-parallel-rank data-parallel-start-rank data-parallel-size-local data-parallel-rpc-port dbo-decode-token-threshold
  dbo-prefill-token-threshold max-parallel-loading-workers block-size num-gpu-blocks-override mamba-block-size
  mm-shm-cache-max-object-size-mb max-loras max-lora-rank lora-extra-vocab-size max-cpu-loras max-num-seqs
  max-num-partial-prefills max-long-partial-prefills long-prefill-token-threshold num-lookahead-slots
  max-cudagraph-capture-size api-server-count port ssl-cert-reqs max-log-len h11-max-incomplete-event-size
  h11-max-header-count stream-interval optimization-level prefill-context-parallel-size`);
const DEPRECATED_INT = words('num-redundant-experts eplb-window-size eplb-step-interval max-seq-len-to-capture');
const HINT = words('max-model-len max-num-batched-tokens kv-cache-memory-bytes');
const FLOAT = words('rope-theta gpu-memory-utilization swap-space cpu-offload-gb mm-processor-cache-gb video-pruning-rate kv-offloading-size');
const STR = words(`
  model tokenizer tokenizer-mode hf-config-path allowed-local-media-path revision code-revision tokenizer-revision
  quantization config-format logits-processor-pattern generation-config model-impl override-attention-dtype
  io-processor-plugin load-format download-dir safetensors-load-strategy pt-load-map-location reasoning-parser
  distributed-executor-backend data-parallel-address data-parallel-backend all2all-backend worker-cls
  worker-extension-cls mm-encoder-attn-backend lora-dtype show-hidden-metrics-for-version otlp-traces-endpoint
  scheduler-cls config host uds chat-template response-role ssl-keyfile ssl-certfile ssl-ca-certs root-path middleware
  tool-call-parser tool-parser-plugin tool-server log-config-file attention-backend moe-backend kv-offloading-backend`);
const DEPRECATED_STR = words('task guided-decoding-backend guided-decoding-disable-fallback guided-decoding-disable-any-whitespace guided-decoding-disable-additional-properties');
const LIST = words('allowed-media-domains served-model-name logits-processors ignore-patterns cudagraph-capture-sizes api-key lora-modules collect-detailed-traces');
const DEPRECATED_LIST = words('cuda-graph-sizes');
const JSON_OPTS = words(`
  rope-scaling hf-overrides pooler-config model-loader-extra-config eplb-config limit-mm-per-prompt media-io-kwargs
  mm-processor-kwargs default-mm-loras speculative-config kv-transfer-config kv-events-config compilation-config
  additional-config structured-outputs-config allowed-origins allowed-methods allowed-headers override-generation-config
  attention-config ec-transfer-config profiler-config kernel-config`);
const DEPRECATED_JSON = words('override-pooler-config');

const CHOICES: Readonly<Record<string, readonly string[]>> = {
  runner: ['auto', 'draft', 'generate', 'pooling'],
  convert: ['auto', 'classify', 'embed', 'none', 'reward'],
  dtype: ['auto', 'bfloat16', 'float', 'float16', 'float32', 'half'],
  'logprobs-mode': ['processed_logits', 'processed_logprobs', 'raw_logits', 'raw_logprobs'],
  'kv-cache-dtype': ['auto', 'bfloat16', 'fp8', 'fp8_ds_mla', 'fp8_e4m3', 'fp8_e5m2', 'fp8_inc'],
  'prefix-caching-hash-algo': ['sha256', 'sha256_cbor', 'xxhash', 'xxhash_cbor'],
  'mamba-cache-dtype': ['auto', 'float16', 'float32'],
  'mamba-ssm-cache-dtype': ['auto', 'float16', 'float32'],
  'mm-processor-cache-type': ['lru', 'shm'],
  'mm-encoder-tp-mode': ['data', 'weights'],
  'expert-placement-strategy': ['linear', 'round_robin'],
  'scheduling-policy': ['fcfs', 'priority'],
  'uvicorn-log-level': ['critical', 'debug', 'error', 'info', 'trace', 'warning'],
  'chat-template-content-format': ['auto', 'openai', 'string'],
  'performance-mode': ['balanced', 'interactivity', 'throughput'],
};

function build(): Record<string, ServeFlag> {
  const t: Record<string, ServeFlag> = {};
  const add = (names: readonly string[], kind: ServeFlagKind, deprecated = false): void => {
    for (const n of names) t[n] = deprecated ? { kind, deprecated } : { kind };
  };
  add(BOOL, 'bool');
  add(DEPRECATED_BOOL, 'bool', true);
  add(FLAG, 'flag');
  add(DEPRECATED_FLAG, 'flag', true);
  add(INT, 'int');
  add(DEPRECATED_INT, 'int', true);
  add(HINT, 'hint');
  add(FLOAT, 'float');
  add(STR, 'str');
  add(DEPRECATED_STR, 'str', true);
  add(LIST, 'list');
  add(DEPRECATED_LIST, 'list', true);
  add(JSON_OPTS, 'json');
  add(DEPRECATED_JSON, 'json', true);
  t['hf-token'] = { kind: 'optstr' };
  for (const [name, choices] of Object.entries(CHOICES)) t[name] = { ...(t[name] ?? { kind: 'str' }), choices };
  return t;
}

/** The whole `vllm serve` surface: canonical name → how its value is read. */
export const SERVE_FLAGS: Readonly<Record<string, ServeFlag>> = build();

/** argparse short options (`-tp 8`, `-q fp8`, `-O3`, `-asc 4`). */
export const SERVE_SHORT_FLAGS: Readonly<Record<string, string>> = {
  tp: 'tensor-parallel-size', pp: 'pipeline-parallel-size', dp: 'data-parallel-size', dcp: 'decode-context-parallel-size',
  dpn: 'data-parallel-rank', dpr: 'data-parallel-start-rank', dpl: 'data-parallel-size-local', dpa: 'data-parallel-address',
  dpp: 'data-parallel-rpc-port', dpb: 'data-parallel-backend', q: 'quantization', O: 'compilation-config', asc: 'api-server-count',
  cc: 'compilation-config',
};
