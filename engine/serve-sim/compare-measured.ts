/**
 * `compareWithMeasured(measured, simulated)`: a measured `--save-result` run against a simulation
 * (or another result file) as a table — metric, measured, simulated, Δ% = (simulated − measured) /
 * measured — over the run totals, throughputs and every latency statistic the measured file has,
 * plus the per-request TTFT and ITL samples (ms) of both sides and the throughput pairs, which
 * kernel/display/compare-plots.ts draws. A statistic one side lacks is computed from its
 * per-request fields when it has them (vLLM's definitions, metrics.ts), else shown as missing.
 */
import { metricStats } from './metrics';
import { measuredResult, type MeasuredResult } from './measured-result';
import { benchResultJson, type BenchServeResult } from './result-json';

export interface ComparisonRow {
  readonly metric: string;
  readonly measured: number | null;
  readonly simulated: number | null;
  /** Percent; null when either side is missing or measured is 0. */
  readonly deltaPct: number | null;
}

export interface Comparison {
  readonly rows: readonly ComparisonRow[];
  /** Per-request samples in ms (empty when a side has no per-request fields). */
  readonly ttftMs: { readonly measured: readonly number[]; readonly simulated: readonly number[] };
  readonly itlMs: { readonly measured: readonly number[]; readonly simulated: readonly number[] };
  readonly throughput: readonly { readonly metric: string; readonly measured: number; readonly simulated: number }[];
}

/** A simulation (or any BenchServeResult) as a measured-format result with per-request fields. */
export function asMeasured(r: BenchServeResult | MeasuredResult): MeasuredResult {
  if ('format' in r) return r;
  const detailed = { ...r, config: { ...r.config, saveDetailed: true } };
  return { ...measuredResult({ ...benchResultJson(detailed, '20000101-000000'), enginelab: true }), format: 'enginelab' };
}

function samples(r: MeasuredResult, metric: string): number[] | null {
  const p = r.perRequest;
  if (p === null) return null;
  const sumItl = p.itls.map((l) => l.reduce((a, b) => a + b, 0));
  switch (metric) {
    case 'ttft': return [...p.ttfts];
    case 'itl': return p.itls.flat();
    case 'e2el': return p.ttfts.map((t, i) => t + sumItl[i]!);
    case 'tpot': return p.ttfts.flatMap((_, i) => (p.outputLens[i]! > 1 ? [sumItl[i]! / (p.outputLens[i]! - 1)] : []));
    default: return null;
  }
}

/** A latency statistic by its result-file key (`p99_ttft_ms`), from the file or its per-request fields. */
export function latencyStat(r: MeasuredResult, key: string): number | null {
  if (r.latencyMs[key] !== undefined) return r.latencyMs[key]!;
  const m = /^(mean|median|std|p(\d+(?:\.\d+)?))_(ttft|tpot|itl|e2el)_ms$/.exec(key);
  if (!m) return null;
  const xs = samples(r, m[3]!);
  if (xs === null) return null;
  const st = metricStats(xs, m[2] !== undefined ? [Number(m[2])] : []);
  return m[1] === 'mean' ? st.meanMs : m[1] === 'median' ? st.medianMs : m[1] === 'std' ? st.stdMs : st.percentilesMs[0]![1];
}

const TOTALS: [string, (r: MeasuredResult) => number][] = [
  ['completed', (r) => r.completed],
  ['total_input_tokens', (r) => r.totalInputTokens],
  ['total_output_tokens', (r) => r.totalOutputTokens],
  ['duration', (r) => r.duration],
  ['request_throughput', (r) => r.requestThroughput],
  ['output_throughput', (r) => r.outputThroughput],
  ['total_token_throughput', (r) => r.totalTokenThroughput],
];

const delta = (m: number | null, s: number | null): number | null => (m === null || s === null || m === 0 ? null : ((s - m) / m) * 100);

export function compareWithMeasured(measuredRun: MeasuredResult | BenchServeResult, simulatedRun: MeasuredResult | BenchServeResult): Comparison {
  const m = asMeasured(measuredRun);
  const s = asMeasured(simulatedRun);
  const rows: ComparisonRow[] = TOTALS.map(([metric, f]) => ({ metric, measured: f(m), simulated: f(s), deltaPct: delta(f(m), f(s)) }));
  const keys = Object.keys(m.latencyMs).length > 0 ? Object.keys(m.latencyMs) : Object.keys(s.latencyMs);
  for (const key of keys) {
    const a = latencyStat(m, key);
    const b = latencyStat(s, key);
    rows.push({ metric: key, measured: a, simulated: b, deltaPct: delta(a, b) });
  }
  const ms = (xs: number[] | null) => (xs ?? []).map((x) => x * 1000);
  return {
    rows,
    ttftMs: { measured: ms(samples(m, 'ttft')), simulated: ms(samples(s, 'ttft')) },
    itlMs: { measured: ms(samples(m, 'itl')), simulated: ms(samples(s, 'itl')) },
    throughput: TOTALS.slice(4).map(([metric, f]) => ({ metric, measured: f(m), simulated: f(s) })),
  };
}

/** The table as aligned text (what `enginelab simulate --compare` prints). */
export function formatComparison(c: Comparison): string {
  const f = (x: number | null) => (x === null ? '—' : Number.isInteger(x) ? String(x) : x.toFixed(2));
  const lines = [`${'metric'.padEnd(26)} ${'measured'.padStart(12)} ${'simulated'.padStart(12)} ${'Δ%'.padStart(8)}`];
  for (const r of c.rows) lines.push(`${r.metric.padEnd(26)} ${f(r.measured).padStart(12)} ${f(r.simulated).padStart(12)} ${(r.deltaPct === null ? '—' : r.deltaPct.toFixed(1)).padStart(8)}`);
  return lines.join('\n');
}
