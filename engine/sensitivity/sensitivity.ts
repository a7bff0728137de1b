/**
 * One-at-a-time sensitivity: each knob alone moved to the low and the high end of its plausible
 * range (every other knob at the run's value), the metric at each end and at the base, and the
 * swing (largest minus smallest of the three). Rows come sorted by swing, largest first, ties by
 * knob name, so the first rows are the assumptions a conclusion rests on most. With a
 * `conclusion` each row also says whether it still holds at each end.
 */
import { EngineError } from '../base/errors';
import type { SettingValue } from '../serve-sim/serve-settings';
import type { SimulateServeResult } from '../serve-sim/simulate-serve';
import { assumedRange, assumedRanges } from './assumed-ranges';
import { checkKnobRange, knobEnds, type KnobRange } from './knob-range';
import { checkSensitivityRun, defaultSimulate, evaluateMetric, type Metric, type SensitivityRun, type Simulate } from './variant-runs';

export interface SensitivityOptions<R = SimulateServeResult> {
  /** Knob names (looked up in assumedRanges()) or ranges of their own; default every assumed knob. */
  readonly knobs?: readonly (string | KnobRange)[];
  readonly metric: Metric<R>;
  /** A statement about the metric (e.g. `(m) => m < 1`: async slower than sync); rows record where it holds. */
  readonly conclusion?: (metric: number) => boolean;
  /** Told after each evaluation (1 base + 2 per knob). */
  readonly onProgress?: (p: { readonly done: number; readonly total: number; readonly knob: string | null }) => void;
  readonly simulate?: Simulate<R>;
}

export interface SensitivityRow {
  readonly knob: string;
  readonly low: SettingValue;
  readonly high: SettingValue;
  readonly metricLow: number;
  readonly metricHigh: number;
  readonly metricBase: number;
  /** max − min of metricLow, metricBase, metricHigh. */
  readonly swing: number;
  readonly reason: string;
  /** With a conclusion: whether it holds at the low and the high end. */
  readonly holdsAtLow: boolean | null;
  readonly holdsAtHigh: boolean | null;
}

export interface SensitivityResult {
  readonly metricBase: number;
  readonly holdsAtBase: boolean | null;
  /** Sorted by swing, largest first. */
  readonly rows: readonly SensitivityRow[];
  /** Knobs at one of whose ends the conclusion no longer holds as it does at the base, by swing. */
  readonly flips: readonly string[];
  /** Metric evaluations made (each runs every variant once). */
  readonly numEvaluations: number;
}

/** The knob list of an options object: names resolved against the assumed ranges, duplicates refused. */
export function resolveKnobs(knobs: readonly (string | KnobRange)[] | undefined): KnobRange[] {
  const list = knobs === undefined ? assumedRanges() : knobs.map((k) => (typeof k === 'string' ? assumedRange(k) : checkKnobRange(k)));
  const seen = new Set<string>();
  for (const k of list) {
    if (seen.has(k.name)) throw new EngineError(`knobs: '${k.name}' is listed twice`, 'knobs');
    seen.add(k.name);
  }
  if (list.length === 0) throw new EngineError('knobs: expected at least one knob', 'knobs');
  return list;
}

/** Varies each knob alone across its range; see the module comment. */
export function sensitivity<R = SimulateServeResult>(run: SensitivityRun, options: SensitivityOptions<R>): SensitivityResult {
  checkSensitivityRun(run);
  if (typeof options?.metric !== 'function') throw new EngineError('options.metric: expected (results) => number', 'metric');
  const knobs = resolveKnobs(options.knobs);
  const simulate = (options.simulate ?? defaultSimulate) as Simulate<R>;
  const total = 1 + 2 * knobs.length;
  let done = 0;
  const evaluate = (set: Record<string, SettingValue>, knob: string | null) => {
    const m = evaluateMetric(run, set, options.metric, simulate);
    done += 1; // not inside the optional call: `?.` would skip its arguments without a callback
    options.onProgress?.({ done, total, knob });
    return m;
  };
  const holds = (m: number) => (options.conclusion ? options.conclusion(m) === true : null);
  const metricBase = evaluate({}, null);
  const rows: SensitivityRow[] = knobs.map((k) => {
    const [low, high] = knobEnds(k);
    const metricLow = evaluate({ [k.name]: low }, k.name);
    const metricHigh = evaluate({ [k.name]: high }, k.name);
    const swing = Math.max(metricLow, metricBase, metricHigh) - Math.min(metricLow, metricBase, metricHigh);
    return { knob: k.name, low, high, metricLow, metricHigh, metricBase, swing, reason: k.reason, holdsAtLow: holds(metricLow), holdsAtHigh: holds(metricHigh) };
  });
  rows.sort((a, b) => b.swing - a.swing || (a.knob < b.knob ? -1 : a.knob > b.knob ? 1 : 0));
  const holdsAtBase = holds(metricBase);
  const flips = holdsAtBase === null ? [] : rows.filter((r) => r.holdsAtLow !== holdsAtBase || r.holdsAtHigh !== holdsAtBase).map((r) => r.knob);
  return { metricBase, holdsAtBase, rows, flips, numEvaluations: done };
}
