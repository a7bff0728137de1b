/** Public pieces of engine/bench: `vllm bench serve` dataset, traffic, metrics, result JSON, args and summary. */
export { sampleRandomRequests, promptTokenIds } from './random-dataset';
export type { RandomDatasetOptions, SampledRequest } from './random-dataset';
export { requestReleaseTimes, sampleGamma } from './traffic';
export type { TrafficOptions } from './traffic';
export { computeBenchmarkMetrics, metricStats, percentileLinear, peakRates, PERCENTILE_METRICS } from './metrics';
export type { RequestTiming, BenchmarkMetrics, MetricStats, MetricsOptions, PercentileMetric } from './metrics';
export { benchResultJson, benchResultFilename, pyFloatStr } from './result-json';
export type { BenchServeResult } from './result-json';
export { fromBenchArgs, DEFAULT_BENCH_SERVE_CONFIG } from './bench-args';
export type { BenchServeConfig } from './bench-args';
export { formatBenchSummary } from './summary';
export { parseServeCommand } from './serve-command';
export type { ServeDeployment } from './serve-command';
export { VLLM_ERAS, vllmEra } from './vllm-eras';
export type { EraToggles, MaxTokensCapToggle } from './vllm-eras';
export { simulateServe, NON_KV_RESERVE_BYTES } from './simulate-serve';
export type { SimulateServeOptions, SimulateServeResult, SimulationSettings, TimelineRow, SettingValue } from './simulate-serve';
