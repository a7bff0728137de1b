/**
 * Ensembles: all assumed knobs sampled together across their ranges (seeded; Latin hypercube by
 * default, so every knob's range is covered evenly even with few samples), the metric at each
 * sample, its distribution, and the share of samples in which a stated conclusion holds ("async
 * slower than sync in N % of plausible settings"). `ensembleSamples` (the plan) and
 * `summarizeEnsemble` (the statistics) are separate, so a worker pool can run the plan.
 */
import { EngineError } from '../base/errors';
import { Rng } from '../base/rng';
import type { SettingValue } from '../serve-sim/serve-settings';
import type { SimulateServeResult } from '../serve-sim/simulate-serve';
import { knobAt, type KnobRange } from './knob-range';
import { resolveKnobs } from './sensitivity';
import { checkSensitivityRun, defaultSimulate, evaluateMetric, type Metric, type SensitivityRun, type Simulate } from './variant-runs';

export type SamplingMethod = 'latin-hypercube' | 'random';

export interface EnsembleOptions<R = SimulateServeResult> {
  readonly samples: number;
  readonly seed: number;
  readonly metric: Metric<R>;
  /** Knob names or ranges; default every assumed knob. */
  readonly knobs?: readonly (string | KnobRange)[];
  readonly method?: SamplingMethod;
  /** The statement whose share of samples is reported, e.g. `(m) => m < 1`. */
  readonly conclusion?: (metric: number) => boolean;
  readonly onProgress?: (p: { readonly done: number; readonly total: number }) => void;
  readonly simulate?: Simulate<R>;
}

export interface EnsembleSample {
  readonly values: Readonly<Record<string, SettingValue>>;
  readonly metric: number;
  readonly holds: boolean | null;
}

export interface EnsembleSummary {
  readonly numSamples: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** p5, p25, p50, p75, p95 (linear interpolation between order statistics, as numpy's default). */
  readonly quantiles: Readonly<Record<'p5' | 'p25' | 'p50' | 'p75' | 'p95', number>>;
  /** Share of samples in which the conclusion holds, in [0, 1]; null without a conclusion. */
  readonly share: number | null;
  readonly numHolding: number | null;
}

export interface EnsembleResult extends EnsembleSummary {
  readonly knobs: readonly string[];
  readonly method: SamplingMethod;
  readonly seed: number;
  readonly samples: readonly EnsembleSample[];
}

/** The `n` knob settings an ensemble runs: per knob, one stratum of [0, 1) per sample in a seeded random order (LHS), or plain uniform draws. */
export function ensembleSamples(knobs: readonly KnobRange[], n: number, seed: number, method: SamplingMethod = 'latin-hypercube'): Record<string, SettingValue>[] {
  if (!Number.isInteger(n) || n < 1) throw new EngineError(`samples: expected a positive integer, got ${n}`, 'samples');
  if (!Number.isFinite(seed)) throw new EngineError(`seed: expected a number, got ${seed}`, 'seed');
  if (method !== 'latin-hypercube' && method !== 'random') throw new EngineError(`method: expected 'latin-hypercube' or 'random', got '${String(method)}'`, 'method');
  const rng = new Rng(seed);
  const columns = knobs.map((k) => {
    const r = rng.fork(k.name);
    if (method === 'random') return Array.from({ length: n }, () => r.next());
    const strata = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [strata[i], strata[j]] = [strata[j]!, strata[i]!];
    }
    // (stratum + jitter) / n stays below 1: jitter < 1 and stratum ≤ n − 1.
    return strata.map((s) => Math.min((s + r.next()) / n, 1 - Number.EPSILON));
  });
  return Array.from({ length: n }, (_, i) => Object.fromEntries(knobs.map((k, j) => [k.name, knobAt(k, columns[j]![i]!)])));
}

/** Linear-interpolation quantile of sorted values (q in [0, 1]). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new EngineError('quantile of no values', 'values');
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Distribution of the metric values and the share for which `holds` is true (null entries: no conclusion). */
export function summarizeEnsemble(metrics: readonly number[], holds: readonly (boolean | null)[] = []): EnsembleSummary {
  const sorted = [...metrics].sort((a, b) => a - b);
  const q = (p: number) => quantileSorted(sorted, p);
  const stated = holds.length > 0 && holds.every((h) => h !== null);
  const numHolding = stated ? holds.filter((h) => h === true).length : null;
  return {
    numSamples: metrics.length,
    mean: metrics.reduce((s, m) => s + m, 0) / metrics.length,
    min: sorted[0]!, max: sorted[sorted.length - 1]!,
    quantiles: { p5: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95) },
    share: numHolding === null ? null : numHolding / metrics.length,
    numHolding,
  };
}

/** Samples every knob together and runs the metric at each sample; see the module comment. */
export function ensemble<R = SimulateServeResult>(run: SensitivityRun, options: EnsembleOptions<R>): EnsembleResult {
  checkSensitivityRun(run);
  if (typeof options?.metric !== 'function') throw new EngineError('options.metric: expected (results) => number', 'metric');
  const knobs = resolveKnobs(options.knobs);
  const method = options.method ?? 'latin-hypercube';
  const plan = ensembleSamples(knobs, options.samples, options.seed, method);
  const simulate = (options.simulate ?? defaultSimulate) as Simulate<R>;
  const samples: EnsembleSample[] = plan.map((values, i) => {
    const metric = evaluateMetric(run, values, options.metric, simulate);
    options.onProgress?.({ done: i + 1, total: plan.length });
    return { values, metric, holds: options.conclusion ? options.conclusion(metric) === true : null };
  });
  const summary = summarizeEnsemble(samples.map((s) => s.metric), samples.map((s) => s.holds));
  return { ...summary, knobs: knobs.map((k) => k.name), method, seed: options.seed, samples };
}
