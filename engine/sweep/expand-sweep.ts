/**
 * `expandSweep(spec)`: the ordered configs of a sweep. Each axis yields its points (a grid's
 * combinations with its last parameter fastest, a list's points, seeded random or Latin-hypercube
 * samples); the configs are the cross product of the axes, the last axis fastest. A config's `key`
 * hashes its resolved inputs (the edited lines, env and set), not its position, so a journal
 * written by an earlier run of the same or an extended spec is matched config by config on resume.
 * `shardConfigs` deals configs round-robin, so each shard gets a fair share of every axis value.
 */
import { EngineError } from '../base/errors';
import { Rng, hashString } from '../base/rng';
import { applyParams, type RunInputs, type SweepParam } from './sweep-params';
import type { ParamDomain, ParamValue, SweepAxis, SweepSpec } from './sweep-spec';

export interface SweepConfig {
  /** Position in the expanded sweep (0-based); the table is sorted by it. */
  readonly index: number;
  /** 16 hex digits: a hash of `inputs`, stable across runs and spec edits that keep this config. */
  readonly key: string;
  /** The varied parameters' values by column name, in axis order. */
  readonly columns: Readonly<Record<string, ParamValue>>;
  /** What `simulateServe` runs with. */
  readonly inputs: RunInputs;
}

/** Maps u in [0, 1) into a domain. */
export function sampleDomain(d: ParamDomain, u: number): ParamValue {
  if ('values' in d) return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))]!;
  if (d.log === true) {
    const x = Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min)));
    return d.integer === true ? Math.min(d.max, Math.max(d.min, Math.round(x))) : x;
  }
  if (d.integer === true) {
    const lo = Math.ceil(d.min);
    const hi = Math.floor(d.max);
    if (hi < lo) throw new EngineError(`sweep: integer range [${d.min}, ${d.max}] holds no integer`, 'integer');
    return Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
  }
  return d.min + u * (d.max - d.min);
}

/** One axis's points: value tuples aligned with `axis.params`. */
export function axisPoints(axis: SweepAxis): ParamValue[][] {
  if (axis.kind === 'list') return axis.points.map((p) => [...p]);
  if (axis.kind === 'grid') {
    let out: ParamValue[][] = [[]];
    for (const vs of axis.values) out = out.flatMap((prefix) => vs.map((v) => [...prefix, v]));
    return out;
  }
  const rng = new Rng(axis.seed);
  const n = axis.samples;
  if (axis.kind === 'random') {
    return Array.from({ length: n }, () => axis.domains.map((d) => sampleDomain(d, rng.next())));
  }
  // Latin hypercube: per parameter, one sample in each of n equal strata, strata shuffled.
  const columns = axis.domains.map((d) => {
    const strata = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [strata[i], strata[j]] = [strata[j]!, strata[i]!];
    }
    return strata.map((s) => sampleDomain(d, (s + rng.next()) / n));
  });
  return Array.from({ length: n }, (_, s) => columns.map((c) => c[s]!));
}

function sortedRecord<T>(r: Readonly<Record<string, T>>): [string, T][] {
  return Object.keys(r).sort().map((k) => [k, r[k]!]);
}

/** The stable key of resolved run inputs (two 32-bit hashes of their canonical JSON). */
export function configKey(inputs: RunInputs): string {
  const text = JSON.stringify([inputs.serve, inputs.bench, sortedRecord(inputs.env), sortedRecord(inputs.set)]);
  const hex = (h: number) => h.toString(16).padStart(8, '0');
  return hex(hashString(text)) + hex(hashString(text, 0x9e3779b9));
}

/** Every config of the sweep, in order (index 0 … n−1). */
export function expandSweep(spec: SweepSpec): SweepConfig[] {
  const base: RunInputs = { serve: spec.serve, bench: spec.bench, env: spec.env, set: spec.set };
  const points = spec.axes.map(axisPoints);
  const params: SweepParam[] = spec.axes.flatMap((a) => a.params);
  const total = points.reduce((n, p) => n * p.length, 1);
  const configs: SweepConfig[] = [];
  for (let index = 0; index < total; index++) {
    const values: ParamValue[] = [];
    let rest = index;
    const picks = new Array<ParamValue[]>(points.length);
    for (let a = points.length - 1; a >= 0; a--) {
      picks[a] = points[a]![rest % points[a]!.length]!;
      rest = Math.floor(rest / points[a]!.length);
    }
    for (const p of picks) values.push(...p);
    const inputs = applyParams(base, params, values);
    const columns: Record<string, ParamValue> = {};
    params.forEach((p, j) => (columns[p.column] = values[j]!));
    configs.push({ index, key: configKey(inputs), columns, inputs });
  }
  return configs;
}

/** The configs of shard `index` of `count` (round-robin by position), for Slurm array tasks. */
export function shardConfigs<C extends { readonly index: number }>(configs: readonly C[], index: number, count: number): C[] {
  if (!Number.isInteger(count) || count < 1) throw new EngineError(`shard count must be a whole number ≥ 1, got ${count}`, 'count');
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new EngineError(`shard index must be in [0, ${count - 1}], got ${index}`, 'index');
  return configs.filter((c) => c.index % count === index);
}
