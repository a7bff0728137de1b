/**
 * The sweep spec: base `vllm serve` / `vllm bench serve` lines (as `simulateServe` takes them) and
 * axes that vary named parameters over them. An axis is a grid (every combination of its value
 * lists), a list (explicit points), random samples or a Latin hypercube (seeded) over ranges; the
 * axes combine as a cross product, the last varying fastest. `parseSweepSpec` reads the JSON a user
 * writes and throws `EngineError` naming the bad field (`axes[1].params.--max-concurrency`).
 */
import { EngineError } from '../base/errors';
import type { SettingValue } from '../serve-sim/serve-settings';
import { checkCommandLines } from '../serve-sim/simulate-args';
import { parseParam, checkParamValue, type ParamValue, type SweepParam } from './sweep-params';

export type { ParamValue } from './sweep-params';

/** A sampled parameter's domain: a numeric range (optionally integer or log-uniform) or a choice. */
export type ParamDomain =
  | { readonly min: number; readonly max: number; readonly integer?: boolean; readonly log?: boolean }
  | { readonly values: readonly ParamValue[] };

export type SweepAxis =
  | { readonly kind: 'grid'; readonly params: readonly SweepParam[]; readonly values: readonly (readonly ParamValue[])[] }
  | { readonly kind: 'list'; readonly params: readonly SweepParam[]; readonly points: readonly (readonly ParamValue[])[] }
  | { readonly kind: 'random' | 'lhs'; readonly params: readonly SweepParam[]; readonly domains: readonly ParamDomain[]; readonly samples: number; readonly seed: number };

export interface SweepSpec {
  readonly name: string;
  readonly serve: string;
  readonly bench: string;
  readonly env: Readonly<Record<string, string>>;
  readonly set: Readonly<Record<string, SettingValue>>;
  readonly axes: readonly SweepAxis[];
}

/** Refuses sweeps that would not finish: the product of the axes' sizes. */
export const MAX_SWEEP_CONFIGS = 1_000_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (field: string, message: string): never => {
  throw new EngineError(`sweep spec: ${field}: ${message}`, field);
};

function scalar(v: unknown, field: string): ParamValue {
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return fail(field, `expected a string, finite number or boolean, got ${JSON.stringify(v)}`);
}

function nonNegInt(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(field, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}

function domain(v: unknown, field: string, param: SweepParam): ParamDomain {
  if (!isRecord(v)) return fail(field, 'expected { min, max, integer?, log? } or { values: [...] }');
  if ('values' in v) {
    if (!Array.isArray(v.values) || v.values.length === 0) fail(`${field}.values`, 'expected a non-empty array');
    const values = (v.values as unknown[]).map((x, i) => checkParamValue(param, scalar(x, `${field}.values[${i}]`), `${field}.values[${i}]`));
    return { values };
  }
  const { min, max } = v;
  if (typeof min !== 'number' || !Number.isFinite(min)) fail(`${field}.min`, `expected a finite number, got ${JSON.stringify(min)}`);
  if (typeof max !== 'number' || !Number.isFinite(max)) fail(`${field}.max`, `expected a finite number, got ${JSON.stringify(max)}`);
  if ((max as number) < (min as number)) fail(field, `max ${String(max)} is below min ${String(min)}`);
  for (const k of Object.keys(v)) if (!['min', 'max', 'integer', 'log'].includes(k)) fail(`${field}.${k}`, 'unknown key (known: min, max, integer, log, or values)');
  const integer = v.integer === undefined ? false : v.integer === true ? true : v.integer === false ? false : fail(`${field}.integer`, 'expected true or false');
  const log = v.log === undefined ? false : v.log === true ? true : v.log === false ? false : fail(`${field}.log`, 'expected true or false');
  if (log && (min as number) <= 0) fail(`${field}.min`, 'a log range needs min > 0');
  checkParamValue(param, min as number, `${field}.min`);
  checkParamValue(param, max as number, `${field}.max`);
  return { min: min as number, max: max as number, integer, log };
}

function params(v: unknown, field: string): [SweepParam, unknown][] {
  if (!isRecord(v) || Object.keys(v).length === 0) return fail(field, 'expected an object of parameter name → values');
  return Object.entries(v).map(([name, x]) => [parseParam(name, `${field}.${name}`), x]);
}

function axis(v: unknown, field: string): SweepAxis {
  if (!isRecord(v)) return fail(field, 'expected an axis object { kind, ... }');
  const kind = v.kind === 'latin-hypercube' ? 'lhs' : v.kind;
  const allowed: Record<string, string[]> = { grid: ['kind', 'params'], list: ['kind', 'points'], random: ['kind', 'params', 'samples', 'seed'], lhs: ['kind', 'params', 'samples', 'seed'] };
  if (typeof kind !== 'string' || !(kind in allowed)) return fail(`${field}.kind`, `expected grid, list, random or lhs (latin-hypercube), got ${JSON.stringify(v.kind)}`);
  for (const k of Object.keys(v)) if (!allowed[kind]!.includes(k)) fail(`${field}.${k}`, `unknown key for a ${kind} axis (known: ${allowed[kind]!.join(', ')})`);
  if (kind === 'grid') {
    const ps = params(v.params, `${field}.params`);
    const values = ps.map(([p, x]) => {
      const f = `${field}.params.${p.name}`;
      if (!Array.isArray(x) || x.length === 0) fail(f, 'expected a non-empty array of values');
      return (x as unknown[]).map((y, i) => checkParamValue(p, scalar(y, `${f}[${i}]`), `${f}[${i}]`));
    });
    return { kind, params: ps.map(([p]) => p), values };
  }
  if (kind === 'list') {
    if (!Array.isArray(v.points) || v.points.length === 0) return fail(`${field}.points`, 'expected a non-empty array of { name: value } points');
    const names: string[] = [];
    const byName = new Map<string, SweepParam>();
    for (const [i, pt] of (v.points as unknown[]).entries()) {
      if (!isRecord(pt)) fail(`${field}.points[${i}]`, 'expected an object of parameter name → value');
      for (const name of Object.keys(pt as object)) {
        if (!byName.has(name)) { byName.set(name, parseParam(name, `${field}.points[${i}].${name}`)); names.push(name); }
      }
    }
    const points = (v.points as Record<string, unknown>[]).map((pt, i) => names.map((n) => {
      const f = `${field}.points[${i}].${n}`;
      if (!(n in pt)) fail(f, `missing (every point of a list axis names the same parameters: ${names.join(', ')})`);
      return checkParamValue(byName.get(n)!, scalar(pt[n], f), f);
    }));
    return { kind, params: names.map((n) => byName.get(n)!), points };
  }
  const ps = params(v.params, `${field}.params`);
  const samples = nonNegInt(v.samples, `${field}.samples`, 1);
  const seed = v.seed === undefined ? 0 : nonNegInt(v.seed, `${field}.seed`, 0);
  return { kind: kind as 'random' | 'lhs', params: ps.map(([p]) => p), domains: ps.map(([p, x]) => domain(x, `${field}.params.${p.name}`, p)), samples, seed };
}

/** Number of configs an axis contributes. */
export function axisSize(a: SweepAxis): number {
  if (a.kind === 'grid') return a.values.reduce((n, vs) => n * vs.length, 1);
  if (a.kind === 'list') return a.points.length;
  return a.samples;
}

/** Reads a sweep spec (JSON text or an already-parsed object); throws EngineError naming the field. */
export function parseSweepSpec(json: string | unknown): SweepSpec {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (e) {
      fail('(file)', `not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isRecord(raw)) return fail('(top level)', 'expected an object { serve, bench, env?, set?, axes }');
  for (const k of Object.keys(raw)) if (!['name', 'serve', 'bench', 'env', 'set', 'axes'].includes(k)) fail(k, 'unknown key (known: name, serve, bench, env, set, axes)');
  if (raw.name !== undefined && typeof raw.name !== 'string') fail('name', 'expected a string');
  if (typeof raw.serve !== 'string' || raw.serve.trim() === '') fail('serve', 'expected the vllm serve command line as a string');
  if (typeof raw.bench !== 'string' || raw.bench.trim() === '') fail('bench', 'expected the vllm bench serve command line as a string');
  const env: Record<string, string> = {};
  if (typeof raw.env === 'string') {
    for (const tok of raw.env.split(/\s+/).filter(Boolean)) {
      const i = tok.indexOf('=');
      if (i <= 0) fail('env', `expected VAR=value, got '${tok}'`);
      env[tok.slice(0, i)] = tok.slice(i + 1);
    }
  } else if (raw.env !== undefined) {
    if (!isRecord(raw.env)) fail('env', 'expected "VAR=value ..." or an object');
    for (const [k, x] of Object.entries(raw.env as object)) env[k] = String(scalar(x, `env.${k}`));
  }
  const set: Record<string, SettingValue> = {};
  if (raw.set !== undefined) {
    if (!isRecord(raw.set)) fail('set', 'expected an object of setting name → value');
    for (const [k, x] of Object.entries(raw.set as object)) {
      const p = parseParam(`set:${k}`, `set.${k}`);
      set[k] = Array.isArray(x) && x.every((n) => typeof n === 'number') ? x : checkParamValue(p, scalar(x, `set.${k}`), `set.${k}`);
    }
  }
  const issues = checkCommandLines({ serve: raw.serve as string, bench: raw.bench as string, env });
  if (issues.length > 0) {
    const first = issues[0]!.path.includes('bench') || issues[0]!.message.includes('[--bench]') ? 'bench' : 'serve';
    fail(first, issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
  if (!Array.isArray(raw.axes)) return fail('axes', 'expected an array of axes (an empty array runs the base lines once)');
  const axes = (raw.axes as unknown[]).map((a, i) => axis(a, `axes[${i}]`));
  const columns = new Set<string>();
  for (const [i, a] of axes.entries()) {
    for (const p of a.params) {
      if (columns.has(p.column)) fail(`axes[${i}].${p.name}`, `parameter '${p.column}' is varied by two axes (or spelled twice)`);
      columns.add(p.column);
    }
  }
  const total = axes.reduce((n, a) => n * axisSize(a), 1);
  if (total > MAX_SWEEP_CONFIGS) fail('axes', `${total} configs is more than ${MAX_SWEEP_CONFIGS}; split the sweep`);
  return { name: (raw.name as string | undefined) ?? 'sweep', serve: raw.serve as string, bench: raw.bench as string, env, set, axes };
}
