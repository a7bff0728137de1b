/**
 * What sensitivity and ensembles evaluate: one workload (serve, bench and env lines, base `set:`)
 * run as one or more named variants — e.g. `async` and `sync` of the same lines — so a metric can
 * be a ratio of two runs. A knob setting applies on top of every variant's own `set`; the metric
 * sees every variant's result by name. `simulate` defaults to `simulateServe` (a test can pass a
 * stand-in); runs are independent, so the same inputs give the same metric.
 */
import { EngineError } from '../base/errors';
import type { SettingValue } from '../serve-sim/serve-settings';
import { simulateServe, type SimulateServeOptions, type SimulateServeResult } from '../serve-sim/simulate-serve';

export type SettingMap = Readonly<Record<string, SettingValue>>;

/** One variant: replaces the run's lines where given and adds `set` entries. */
export interface RunVariant {
  readonly serve?: string;
  readonly bench?: string;
  readonly set?: SettingMap;
}

export interface SensitivityRun {
  readonly serve: string;
  readonly bench: string;
  readonly env?: SimulateServeOptions['env'];
  readonly set?: SettingMap;
  /** Named variants of the run (default one variant, `run`). Iterated in insertion order. */
  readonly variants?: Readonly<Record<string, RunVariant>>;
}

/** Each variant's result by name. */
export type VariantResults<R = SimulateServeResult> = Readonly<Record<string, R>>;

/** Turns every variant's result into the one number under study. */
export type Metric<R = SimulateServeResult> = (results: VariantResults<R>) => number;

/** Runs one simulation (simulateServe, or a stand-in with the same options). */
export type Simulate<R = SimulateServeResult> = (options: SimulateServeOptions) => R;

const DEFAULT_VARIANTS: Readonly<Record<string, RunVariant>> = { run: {} };

/** Throws naming the field when a run is malformed. */
export function checkSensitivityRun(run: SensitivityRun): void {
  if (run === null || typeof run !== 'object' || typeof run.serve !== 'string' || typeof run.bench !== 'string') {
    throw new EngineError('run: expected { serve: "<vllm serve …>", bench: "<vllm bench serve …>", env?, set?, variants? }', 'run');
  }
  if (run.variants !== undefined && (typeof run.variants !== 'object' || Object.keys(run.variants).length === 0)) {
    throw new EngineError('run.variants: expected a non-empty map of name → { serve?, bench?, set? }', 'variants');
  }
}

/** The simulateServe options of every variant with `knobs` applied on top (knobs win). */
export function variantOptions(run: SensitivityRun, knobs: SettingMap = {}): Record<string, SimulateServeOptions> {
  const out: Record<string, SimulateServeOptions> = {};
  for (const [name, v] of Object.entries(run.variants ?? DEFAULT_VARIANTS)) {
    out[name] = {
      serve: v.serve ?? run.serve, bench: v.bench ?? run.bench,
      ...(run.env !== undefined ? { env: run.env } : {}),
      set: { ...run.set, ...v.set, ...knobs },
    };
  }
  return out;
}

/** Runs every variant with `knobs` applied and returns the metric; a failure names the knob values. */
export function evaluateMetric<R>(run: SensitivityRun, knobs: SettingMap, metric: Metric<R>, simulate: Simulate<R>): number {
  const results: Record<string, R> = {};
  try {
    for (const [name, o] of Object.entries(variantOptions(run, knobs))) results[name] = simulate(o);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new EngineError(`run with ${JSON.stringify(knobs)} failed: ${msg}`, Object.keys(knobs)[0] ?? 'run');
  }
  const m = metric(results);
  if (typeof m !== 'number' || Number.isNaN(m)) throw new EngineError(`metric returned ${String(m)} for ${JSON.stringify(knobs)}; expected a number`, 'metric');
  return m;
}

/** The default simulate, typed for the default result. */
export const defaultSimulate: Simulate = simulateServe;

/**
 * A metric: output throughput of variant `numerator` over variant `denominator`
 * (`throughputRatio('async', 'sync')` is the async/sync ratio of notebook 02).
 */
export function throughputRatio(numerator: string, denominator: string): Metric<{ readonly metrics: { readonly outputThroughput: number } }> {
  return (r) => {
    const a = r[numerator], b = r[denominator];
    if (!a || !b) throw new EngineError(`throughputRatio: no variant named '${!a ? numerator : denominator}'; have ${Object.keys(r).join(', ')}`, 'variants');
    return a.metrics.outputThroughput / b.metrics.outputThroughput;
  };
}

/** The `variants` of an async-vs-sync comparison of the same lines (`set.asyncScheduling`). */
export const ASYNC_VS_SYNC: Readonly<Record<string, RunVariant>> = {
  async: { set: { asyncScheduling: true } },
  sync: { set: { asyncScheduling: false } },
};
