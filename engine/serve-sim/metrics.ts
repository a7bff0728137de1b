/**
 * `vllm bench serve` metrics computed the way `vllm/benchmarks/serve.py` computes them
 * (engine-semantics.md §12.3–12.4): per-request TTFT, ITL list, E2EL and output token count;
 * TPOT = (E2EL − TTFT)/(outputs − 1) for requests with more than one output token; mean, median,
 * population std and numpy-"linear" percentiles, in milliseconds; an empty sample counts as [0]
 * (vLLM passes `x or 0` to numpy); peak output rate and peak concurrency over whole-second buckets.
 * All times are seconds on one clock (the engine's virtual clock in simulation).
 */
import { EngineError } from '../base/errors';

/** One request as the benchmark client saw it. */
export interface RequestTiming {
  readonly success: boolean;
  readonly promptLen: number;
  /** `usage.completion_tokens`. */
  readonly outputTokens: number;
  /** When the request was sent (after acquiring the concurrency semaphore). */
  readonly startTime: number;
  /** Seconds to the first streamed chunk with a choice. */
  readonly ttft: number;
  /** Gaps between consecutive chunks, seconds. */
  readonly itl: readonly number[];
  /** Seconds from start to the last chunk. */
  readonly latency: number;
  readonly error?: string;
}

export type PercentileMetric = 'ttft' | 'tpot' | 'itl' | 'e2el';
export const PERCENTILE_METRICS: readonly PercentileMetric[] = ['ttft', 'tpot', 'itl', 'e2el'];

export interface MetricStats {
  readonly meanMs: number;
  readonly medianMs: number;
  readonly stdMs: number;
  /** `[percentile, value ms]` in the order requested. */
  readonly percentilesMs: readonly (readonly [number, number])[];
}

export interface BenchmarkMetrics {
  readonly completed: number;
  readonly failed: number;
  readonly totalInput: number;
  readonly totalOutput: number;
  readonly requestThroughput: number;
  /** `null` unless goodput SLOs were given. */
  readonly requestGoodput: number | null;
  readonly outputThroughput: number;
  readonly totalTokenThroughput: number;
  readonly maxOutputTokensPerS: number;
  readonly maxConcurrentRequests: number;
  readonly ttft: MetricStats;
  readonly tpot: MetricStats;
  readonly itl: MetricStats;
  readonly e2el: MetricStats;
}

export interface MetricsOptions {
  /** `--metric-percentiles` (default [99]). */
  readonly percentiles?: readonly number[];
  /** `--goodput` SLOs in milliseconds. */
  readonly goodput?: Partial<Record<'ttft' | 'tpot' | 'e2el', number>>;
}

/** numpy `percentile(a, p)` with the default linear interpolation; `a` sorted ascending. */
export function percentileLinear(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new EngineError(`percentile: ${p} is outside [0, 100]`, 'percentile');
  if (sorted.length === 0) return 0;
  const idx = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (idx - lo);
}

/**
 * `Float64Array.from(xs).sort()`, by counting when the sample repeats few values: the pooled ITL
 * sample of a serving run (~500k gaps) holds about one distinct gap per engine step, since every
 * request streaming in a step sees the same step boundaries. NaN and −0 (whose place the typed
 * sort fixes) and samples of many distinct values take the typed sort itself.
 */
function sortedSample(xs: readonly number[]): Float64Array {
  const n = xs.length;
  if (n < 4096) return Float64Array.from(xs).sort();
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    if (x !== x || (x === 0 && 1 / x < 0) || counts.size > n >> 3) return Float64Array.from(xs).sort();
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  const values = Float64Array.from(counts.keys()).sort();
  const out = new Float64Array(n);
  let at = 0;
  for (let k = 0; k < values.length; k++) {
    const c = counts.get(values[k]!)!;
    out.fill(values[k]!, at, at + c);
    at += c;
  }
  return out;
}

/** Mean, median, population std and percentiles of `xs` (seconds) in ms; empty → all 0. */
export function metricStats(xs: readonly number[], percentiles: readonly number[]): MetricStats {
  // A typed-array sort is numeric and much faster than Array#sort on the pooled ITL sample.
  const a = xs.length === 0 ? Float64Array.of(0) : sortedSample(xs);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]!;
  const mean = sum / a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i]! - mean) * (a[i]! - mean);
  return {
    meanMs: mean * 1000,
    medianMs: percentileLinear(a, 50) * 1000,
    stdMs: Math.sqrt(ss / a.length) * 1000,
    percentilesMs: percentiles.map((p) => [p, percentileLinear(a, p) * 1000] as const),
  };
}

export function computeBenchmarkMetrics(outputs: readonly RequestTiming[], duration: number, o: MetricsOptions = {}): BenchmarkMetrics {
  if (!(duration > 0)) throw new EngineError(`duration: expected > 0 seconds, got ${duration}`, 'duration');
  const percentiles = o.percentiles ?? [99];
  const ttfts: number[] = [];
  const tpots: number[] = [];
  const allTpots: number[] = [];
  const itls: number[] = [];
  const e2els: number[] = [];
  let completed = 0;
  let totalInput = 0;
  let totalOutput = 0;
  for (const r of outputs) {
    if (!r.success) continue;
    completed++;
    totalInput += r.promptLen;
    totalOutput += r.outputTokens;
    let tpot = 0;
    if (r.outputTokens > 1) {
      tpot = (r.latency - r.ttft) / (r.outputTokens - 1);
      tpots.push(tpot);
    }
    allTpots.push(tpot);
    const itl = r.itl;
    for (let i = 0; i < itl.length; i++) itls.push(itl[i]!);
    ttfts.push(r.ttft);
    e2els.push(r.latency);
  }
  let requestGoodput: number | null = null;
  if (o.goodput && Object.keys(o.goodput).length > 0) {
    let good = 0;
    for (let i = 0; i < ttfts.length; i++) {
      const ok = (o.goodput.ttft === undefined || ttfts[i]! * 1000 <= o.goodput.ttft)
        && (o.goodput.tpot === undefined || allTpots[i]! * 1000 <= o.goodput.tpot)
        && (o.goodput.e2el === undefined || e2els[i]! * 1000 <= o.goodput.e2el);
      if (ok) good++;
    }
    requestGoodput = good / duration;
  }
  const { maxOutputTokensPerS, maxConcurrentRequests } = peakRates(outputs);
  return {
    completed,
    failed: outputs.length - completed,
    totalInput,
    totalOutput,
    requestThroughput: completed / duration,
    requestGoodput,
    outputThroughput: totalOutput / duration,
    totalTokenThroughput: (totalInput + totalOutput) / duration,
    maxOutputTokensPerS,
    maxConcurrentRequests,
    ttft: metricStats(ttfts, percentiles),
    tpot: metricStats(tpots, percentiles),
    itl: metricStats(itls, percentiles),
    e2el: metricStats(e2els, percentiles),
  };
}

/**
 * Chunk timestamps `start + ttft + cumulative itl` bucketed by whole seconds since the earliest
 * start (one count per chunk, as vLLM does); concurrency = requests active in each second.
 */
export function peakRates(outputs: readonly RequestTiming[]): { maxOutputTokensPerS: number; maxConcurrentRequests: number } {
  const ok = outputs.filter((r) => r.success);
  if (ok.length === 0) return { maxOutputTokensPerS: 0, maxConcurrentRequests: 0 };
  let minStart = Infinity;
  let maxEnd = -Infinity;
  for (const r of ok) {
    minStart = Math.min(minStart, r.startTime);
    maxEnd = Math.max(maxEnd, r.startTime + r.latency);
  }
  const n = Math.ceil(maxEnd - minStart) + 1;
  const tokens = new Float64Array(n);
  const conc = new Float64Array(n);
  for (const r of ok) {
    let t = r.startTime + r.ttft;
    const bump = (x: number) => {
      const b = Math.trunc(x - minStart);
      if (b >= 0 && b < n) tokens[b]! += 1;
    };
    bump(t);
    const itl = r.itl;
    for (let i = 0; i < itl.length; i++) {
      t += itl[i]!;
      bump(t);
    }
    const s0 = Math.trunc(r.startTime - minStart);
    const s1 = Math.trunc(r.startTime + r.latency - minStart);
    for (let s = s0; s <= s1 && s < n; s++) conc[s]! += 1;
  }
  let maxTok = 0;
  let maxConc = 0;
  for (let i = 0; i < n; i++) {
    if (tokens[i]! > maxTok) maxTok = tokens[i]!;
    if (conc[i]! > maxConc) maxConc = conc[i]!;
  }
  return { maxOutputTokensPerS: maxTok, maxConcurrentRequests: maxConc };
}
