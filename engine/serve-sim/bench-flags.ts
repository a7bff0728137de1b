/**
 * The client flags of the two benchmark programs users paste, and each one's own defaults:
 * `vllm bench serve` (`vllm/benchmarks/serve.py` + `datasets/datasets.py`, engine-semantics.md §12)
 * and vLLM's old `benchmarks/benchmark_serving.py` with its `bench_serving` harness fork (which
 * adds `--use-chat-template`). The semantics that differ: the old script's default dataset is
 * `sharegpt`, its `--random-range-ratio` is the lower bound of `[int(L·r), L]` (so 1.0 = fixed
 * lengths, default 1.0), `--model` is required, and it writes no `endpoint_type`/`label` keys.
 */
import type { PercentileMetric } from './metrics';

export type BenchDialect = 'vllm-bench-serve' | 'benchmark_serving';
export type DatasetName = 'random' | 'sharegpt' | 'custom';

export interface BenchServeConfig {
  /** Which program the line ran: its defaults and its range-ratio rule. */
  readonly dialect: BenchDialect;
  readonly backend: string;
  readonly endpoint: string;
  readonly model: string | null;
  readonly tokenizer: string | null;
  readonly servedModelName: string | null;
  readonly label: string | null;
  readonly datasetName: DatasetName;
  /** `--dataset-path`: the caller passes the file's text (the engine reads no files). */
  readonly datasetPath: string | null;
  readonly numPrompts: number;
  readonly randomInputLen: number;
  readonly randomOutputLen: number;
  /** `vllm bench serve`: lengths in `[L(1−r), L(1+r)]`; benchmark_serving.py: `[int(L·r), L]`. */
  readonly randomRangeRatio: number;
  readonly randomPrefixLen: number;
  /** `--sharegpt-output-len` / `--custom-output-len` (null = from the data / 256 for custom). */
  readonly datasetOutputLen: number | null;
  /** The harness fork's `--use-chat-template`: prompts wrapped in the model's chat template. */
  readonly useChatTemplate: boolean;
  /** Requests per second; `Infinity` = all at t = 0 (the default). */
  readonly requestRate: number;
  readonly burstiness: number;
  readonly maxConcurrency: number | null;
  readonly seed: number;
  readonly ignoreEos: boolean;
  readonly percentileMetrics: readonly PercentileMetric[];
  readonly metricPercentiles: readonly number[];
  readonly goodput: Partial<Record<'ttft' | 'tpot' | 'e2el', number>> | null;
  readonly saveResult: boolean;
  readonly saveDetailed: boolean;
  readonly appendResult: boolean;
  readonly resultDir: string | null;
  readonly resultFilename: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly numWarmups: number;
  readonly temperature: number | null;
  /** Flags accepted but not modelled, with values (`--host 0.0.0.0`). */
  readonly ignoredFlags: readonly string[];
}

const COMMON = {
  backend: 'vllm', endpoint: '/v1/completions', model: null, tokenizer: null, servedModelName: null, label: null,
  datasetPath: null, numPrompts: 1000, randomInputLen: 1024, randomOutputLen: 128, randomPrefixLen: 0, datasetOutputLen: null,
  useChatTemplate: false, requestRate: Infinity, burstiness: 1, maxConcurrency: null, seed: 0, ignoreEos: false,
  percentileMetrics: ['ttft', 'tpot', 'itl'], metricPercentiles: [99], goodput: null, saveResult: false, saveDetailed: false,
  appendResult: false, resultDir: null, resultFilename: null, metadata: {}, numWarmups: 0, temperature: null, ignoredFlags: [],
} as const;

/** Each program's defaults: one source for every client default. */
export const BENCH_DEFAULTS: Readonly<Record<BenchDialect, BenchServeConfig>> = {
  'vllm-bench-serve': { ...COMMON, dialect: 'vllm-bench-serve', datasetName: 'random', randomRangeRatio: 0 },
  benchmark_serving: { ...COMMON, dialect: 'benchmark_serving', datasetName: 'sharegpt', randomRangeRatio: 1 },
};

/** Kept for callers of the old name: `vllm bench serve`'s defaults. */
export const DEFAULT_BENCH_SERVE_CONFIG = BENCH_DEFAULTS['vllm-bench-serve'];

export type BenchKind = 'string' | 'int' | 'float' | 'bool' | 'list';

/** Flag → config key (null = accepted, not modelled) and how its value is read. */
export const BENCH_FLAGS: Readonly<Record<string, { key: keyof BenchServeConfig | null; kind: BenchKind }>> = {
  '--backend': { key: 'backend', kind: 'string' },
  '--endpoint': { key: 'endpoint', kind: 'string' },
  '--model': { key: 'model', kind: 'string' },
  '--tokenizer': { key: 'tokenizer', kind: 'string' },
  '--served-model-name': { key: 'servedModelName', kind: 'string' },
  '--label': { key: 'label', kind: 'string' },
  '--dataset-name': { key: 'datasetName', kind: 'string' },
  '--dataset-path': { key: 'datasetPath', kind: 'string' },
  '--num-prompts': { key: 'numPrompts', kind: 'int' },
  '--random-input-len': { key: 'randomInputLen', kind: 'int' },
  '--random-output-len': { key: 'randomOutputLen', kind: 'int' },
  '--random-range-ratio': { key: 'randomRangeRatio', kind: 'float' },
  '--random-prefix-len': { key: 'randomPrefixLen', kind: 'int' },
  '--sharegpt-output-len': { key: 'datasetOutputLen', kind: 'int' },
  '--custom-output-len': { key: 'datasetOutputLen', kind: 'int' },
  '--use-chat-template': { key: 'useChatTemplate', kind: 'bool' },
  '--request-rate': { key: 'requestRate', kind: 'float' },
  '--burstiness': { key: 'burstiness', kind: 'float' },
  '--max-concurrency': { key: 'maxConcurrency', kind: 'int' },
  '--seed': { key: 'seed', kind: 'int' },
  '--ignore-eos': { key: 'ignoreEos', kind: 'bool' },
  '--percentile-metrics': { key: 'percentileMetrics', kind: 'string' },
  '--metric-percentiles': { key: 'metricPercentiles', kind: 'string' },
  '--goodput': { key: 'goodput', kind: 'list' },
  '--save-result': { key: 'saveResult', kind: 'bool' },
  '--save-detailed': { key: 'saveDetailed', kind: 'bool' },
  '--append-result': { key: 'appendResult', kind: 'bool' },
  '--result-dir': { key: 'resultDir', kind: 'string' },
  '--result-filename': { key: 'resultFilename', kind: 'string' },
  '--metadata': { key: 'metadata', kind: 'list' },
  '--num-warmups': { key: 'numWarmups', kind: 'int' },
  '--temperature': { key: 'temperature', kind: 'float' },
  // Accepted, not modelled: client plumbing and sampling knobs.
  ...Object.fromEntries([
    '--host', '--port', '--base-url', '--top-p', '--top-k', '--min-p', '--tokenizer-mode', '--endpoint-type',
    '--ready-check-timeout-sec', '--request-id-prefix', '--frequency-penalty', '--presence-penalty', '--repetition-penalty',
    '--logprobs', '--lora-modules', '--ramp-up-strategy', '--ramp-up-start-rps', '--ramp-up-end-rps', '--hf-split',
    '--hf-subset', '--hf-output-len', '--sonnet-input-len', '--sonnet-output-len', '--sonnet-prefix-len',
  ].map((f) => [f, { key: null, kind: 'string' as const }])),
  ...Object.fromEntries([
    '--trust-remote-code', '--disable-tqdm', '--profile', '--disable-shuffle', '--use-beam-search', '--custom-skip-chat-template',
    '--insecure', '--no-stream',
  ].map((f) => [f, { key: null, kind: 'bool' as const }])),
  '--header': { key: null, kind: 'list' },
};

export const BENCH_ALIASES: Readonly<Record<string, string>> = {
  '--random-input': '--random-input-len', '--random-output': '--random-output-len', '--num-prompt': '--num-prompts',
};
