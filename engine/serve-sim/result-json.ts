/**
 * The `--save-result` JSON of `vllm bench serve` (engine-semantics.md §12.5): top-level keys in
 * vLLM's insertion order, `request_rate` as the string "inf" when unlimited, spec-decode keys only
 * when speculating (acceptance rate in percent, per-position rates as fractions), then
 * `mean/median/std/pXX_<metric>_ms` for each selected metric; per-request arrays only with
 * `--save-detailed`. The date is supplied by the caller (the engine has no wall clock). A run of the
 * old `benchmark_serving.py` (and its harness fork) writes that script's layout instead: no
 * `endpoint_type`/`label`, no peak or spec-decode keys, and the detailed arrays (`input_lens`,
 * `output_lens`, `ttfts`, `itls`, `generated_texts`, `errors`) before the latency statistics.
 */
import { EngineError } from '../base/errors';
import type { SpecDecodingMetrics } from '../spec-decode/spec-decode-counters';
import type { BenchServeConfig } from './bench-flags';
import type { BenchmarkMetrics, MetricStats, PercentileMetric, RequestTiming } from './metrics';

/** Everything one benchmark run produced. */
export interface BenchServeResult {
  readonly config: BenchServeConfig;
  /** `--model` as the client named it (model_id). */
  readonly modelId: string;
  readonly tokenizerId: string;
  readonly duration: number;
  readonly metrics: BenchmarkMetrics;
  readonly specDecode: SpecDecodingMetrics | null;
  readonly outputs: readonly RequestTiming[];
}

/** Python's `str(float)` for the values a request rate takes. */
export function pyFloatStr(x: number): string {
  if (x === Infinity) return 'inf';
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** vLLM's percentile label: `99` → "99", `99.9` → "99.9". */
export function percentileWord(p: number): string {
  // Python: str(int(p)) if int(p) == p else str(p); JS String() already drops a trailing ".0".
  return String(p);
}

function checkDate(date: string): void {
  if (!/^\d{8}-\d{6}$/.test(date)) throw new EngineError(`date: expected YYYYMMDD-HHMMSS, got '${date}'`, 'date');
}

/** benchmark_serving.py's `result_json`: setup keys, metadata, traffic, then `benchmark_result`. */
function legacyResultJson(r: BenchServeResult, date: string): Record<string, unknown> {
  const c = r.config;
  const m = r.metrics;
  const j: Record<string, unknown> = { date, backend: c.backend, model_id: r.modelId, tokenizer_id: r.tokenizerId, num_prompts: c.numPrompts };
  for (const [k, v] of Object.entries(c.metadata)) j[k] = v;
  Object.assign(j, {
    request_rate: c.requestRate === Infinity ? 'inf' : c.requestRate, burstiness: c.burstiness, max_concurrency: c.maxConcurrency,
    duration: r.duration, completed: m.completed, total_input_tokens: m.totalInput, total_output_tokens: m.totalOutput,
    request_throughput: m.requestThroughput, request_goodput: m.requestGoodput, output_throughput: m.outputThroughput,
    total_token_throughput: m.totalTokenThroughput,
  });
  if (c.saveDetailed) addDetailed(j, r, false);
  addPercentiles(j, r);
  return j;
}

/** `--save-detailed` per-request arrays in the writer's order (`start_times` only in vllm bench serve). */
function addDetailed(j: Record<string, unknown>, r: BenchServeResult, startTimes: boolean): void {
  j.input_lens = r.outputs.map((o) => o.promptLen);
  j.output_lens = r.outputs.map((o) => o.outputTokens);
  j.ttfts = r.outputs.map((o) => o.ttft);
  j.itls = r.outputs.map((o) => o.itl);
  if (startTimes) j.start_times = r.outputs.map((o) => o.startTime);
  j.generated_texts = r.outputs.map(() => '');
  j.errors = r.outputs.map((o) => o.error ?? '');
}

function addPercentiles(j: Record<string, unknown>, r: BenchServeResult): void {
  for (const name of r.config.percentileMetrics) {
    const st: MetricStats = r.metrics[name as PercentileMetric];
    j[`mean_${name}_ms`] = st.meanMs;
    j[`median_${name}_ms`] = st.medianMs;
    j[`std_${name}_ms`] = st.stdMs;
    for (const [p, v] of st.percentilesMs) j[`p${percentileWord(p)}_${name}_ms`] = v;
  }
}

export function benchResultJson(r: BenchServeResult, date: string): Record<string, unknown> {
  checkDate(date);
  if (r.config.dialect === 'benchmark_serving') return legacyResultJson(r, date);
  const c = r.config;
  const m = r.metrics;
  const j: Record<string, unknown> = {
    date,
    endpoint_type: c.backend,
    backend: c.backend,
    label: c.label,
    model_id: r.modelId,
    tokenizer_id: r.tokenizerId,
    num_prompts: c.numPrompts,
  };
  for (const [k, v] of Object.entries(c.metadata)) j[k] = v;
  j.request_rate = c.requestRate === Infinity ? 'inf' : c.requestRate;
  j.burstiness = c.burstiness;
  j.max_concurrency = c.maxConcurrency;
  j.duration = r.duration;
  j.completed = m.completed;
  j.failed = m.failed;
  j.total_input_tokens = m.totalInput;
  j.total_output_tokens = m.totalOutput;
  j.request_throughput = m.requestThroughput;
  j.request_goodput = m.requestGoodput;
  j.output_throughput = m.outputThroughput;
  j.total_token_throughput = m.totalTokenThroughput;
  j.max_output_tokens_per_s = m.maxOutputTokensPerS;
  j.max_concurrent_requests = m.maxConcurrentRequests;
  j.rtfx = 0;
  if (c.saveDetailed) addDetailed(j, r, true);
  if (r.specDecode) {
    const s = r.specDecode;
    j.spec_decode_acceptance_rate = s.acceptanceRate * 100;
    j.spec_decode_acceptance_length = s.meanAcceptanceLength;
    j.spec_decode_num_drafts = s.numDrafts;
    j.spec_decode_draft_tokens = s.numDraftTokens;
    j.spec_decode_accepted_tokens = s.numAcceptedTokens;
    j.spec_decode_per_position_acceptance_rates = [...s.perPositionAcceptanceRates];
  }
  addPercentiles(j, r);
  return j;
}

/** `{label or backend}-{rate}qps[-concurrency{C}]-{model basename}-{date}.json` (or `--result-filename`). */
export function benchResultFilename(r: BenchServeResult, date: string): string {
  checkDate(date);
  const c = r.config;
  let name = c.resultFilename;
  if (!name) {
    const base = r.modelId.split('/').pop() ?? r.modelId;
    const conc = c.maxConcurrency !== null ? `-concurrency${c.maxConcurrency}` : '';
    name = `${c.label ?? c.backend}-${pyFloatStr(c.requestRate)}qps${conc}-${base}-${date}.json`;
  }
  return c.resultDir ? `${c.resultDir.replace(/\/+$/, '')}/${name}` : name;
}
