/**
 * One assumed knob and the span of values it may plausibly take: a number between two ends, one
 * of a few choices (a boolean toggle), or a vector whose entries move together between two ends
 * (per-position acceptance rates). Sensitivity reads a range's two ends; an ensemble reads a value
 * at a position `u` in [0, 1). Every range names a `set:` knob of `simulateServe` and says why.
 */
import { EngineError } from '../base/errors';
import type { SettingValue } from '../serve-sim/serve-settings';

interface RangeCommon {
  /** A `set:` knob name `resolveSettings` accepts (a cost constant, `acceptanceDispersion`, …). */
  readonly name: string;
  /** Why these ends are plausible (the assumption and what bounds it). */
  readonly reason: string;
  /** Where the knob lives: a cost constant (cost-provenance.ts) or a simulation setting. */
  readonly origin: 'cost constant' | 'simulation';
}

export interface NumberRange extends RangeCommon {
  readonly kind: 'number';
  readonly low: number;
  readonly high: number;
  /** The default the simulation uses. */
  readonly base: number;
  /** `log`: ensembles sample the exponent uniformly (for spans of an order of magnitude or more). */
  readonly scale?: 'linear' | 'log';
}

export interface ChoiceRange extends RangeCommon {
  readonly kind: 'choice';
  /** Two or more values; the first and the last are the tornado's ends. */
  readonly values: readonly SettingValue[];
  readonly base: SettingValue;
}

export interface VectorRange extends RangeCommon {
  readonly kind: 'vector';
  readonly low: readonly number[];
  readonly high: readonly number[];
  readonly base: readonly number[];
}

export type KnobRange = NumberRange | ChoiceRange | VectorRange;

/** Throws naming the knob when a range is malformed (ends out of order, base outside, empty choice). */
export function checkKnobRange(r: KnobRange): KnobRange {
  const bad = (why: string): never => {
    throw new EngineError(`knob range '${String(r?.name)}': ${why}`, String(r?.name));
  };
  if (typeof r?.name !== 'string' || r.name === '') bad('needs a name');
  if (typeof r.reason !== 'string' || r.reason.trim() === '') bad('needs a reason');
  if (r.kind === 'number') {
    if (!Number.isFinite(r.low) || !Number.isFinite(r.high) || !(r.low < r.high)) bad(`expected finite low < high, got [${r.low}, ${r.high}]`);
    if (!(r.base >= r.low && r.base <= r.high)) bad(`base ${r.base} lies outside [${r.low}, ${r.high}]`);
    if (r.scale === 'log' && !(r.low > 0)) bad('a log scale needs low > 0');
  } else if (r.kind === 'choice') {
    if (!Array.isArray(r.values) || r.values.length < 2) bad('a choice needs two or more values');
    if (!r.values.some((v) => String(v) === String(r.base))) bad(`base ${String(r.base)} is not among the values`);
  } else if (r.kind === 'vector') {
    if (r.low.length === 0 || r.low.length !== r.high.length || r.base.length !== r.low.length) bad('low, high and base need the same non-zero length');
    r.low.forEach((lo, i) => {
      if (!(lo <= r.high[i]!) || !(r.base[i]! >= lo && r.base[i]! <= r.high[i]!)) bad(`entry ${i}: expected low ≤ base ≤ high`);
    });
  } else {
    bad(`unknown kind '${String((r as { kind?: unknown }).kind)}'`);
  }
  return r;
}

/** The two ends a tornado varies the knob to (low first). */
export function knobEnds(r: KnobRange): readonly [SettingValue, SettingValue] {
  if (r.kind === 'choice') return [r.values[0]!, r.values[r.values.length - 1]!];
  return [r.low, r.high];
}

/** The value at position `u` in [0, 1): uniform (or log-uniform) between the ends, or the choice `⌊u·n⌋`. */
export function knobAt(r: KnobRange, u: number): SettingValue {
  if (!(u >= 0 && u < 1)) throw new EngineError(`knobAt: expected u in [0, 1), got ${u}`, 'u');
  if (r.kind === 'choice') return r.values[Math.floor(u * r.values.length)]!;
  if (r.kind === 'vector') return r.low.map((lo, i) => lo + u * (r.high[i]! - lo));
  if (r.scale === 'log') return Math.exp(Math.log(r.low) + u * (Math.log(r.high) - Math.log(r.low)));
  return r.low + u * (r.high - r.low);
}

/** A value as a short label: vectors joined by commas, numbers to 4 significant digits, very large or small ones as `6e9`, `1.5e-5`. */
export function formatKnobValue(v: SettingValue): string {
  if (Array.isArray(v)) return v.map((x) => formatKnobValue(x)).join(',');
  if (typeof v !== 'number') return String(v);
  const r = Number(v.toPrecision(4));
  if (r !== 0 && (Math.abs(r) >= 1e5 || Math.abs(r) < 1e-3)) return r.toExponential().replace('e+', 'e');
  return String(r);
}
