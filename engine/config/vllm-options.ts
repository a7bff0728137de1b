/**
 * Config-object options of a server line (`--speculative-config`, `--compilation-config`, `-O`,
 * `--enforce-eager`): a JSON value (or vLLM's `key=value,…` form) merged with dotted keys at any
 * depth, then checked against the dataclass fields (vllm-flags.ts) and mapped onto `EngineConfig`.
 * Unmodelled keys are reported with their values; unknown keys are errors with a suggestion.
 */
import type { ConfigIssue } from '../base/errors';
import type { ParsedServeLine } from './vllm-argv';
import { COMPILATION_KEYS, PASS_CONFIG_KEYS, SPEC_METHOD_ALIASES, SPECULATIVE_KEYS, didYouMean } from './vllm-flags';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** A dotted or `k=v` value as vLLM reads it: JSON when it parses, else the string. */
export function parseScalar(v: string): Json {
  const t = v.trim();
  if (t === 'True') return true;
  if (t === 'False') return false;
  if (t === 'None') return null;
  try {
    return JSON.parse(t) as Json;
  } catch {
    return v;
  }
}

/** The option's JSON value merged with its dotted keys; undefined when the line has neither. */
export function optionObject(head: string, parsed: ParsedServeLine, issues: ConfigIssue[]): Obj | undefined {
  const raw = parsed.values.get(head)?.value;
  const dots = parsed.dotted.get(head);
  if (raw === undefined && dots === undefined) return undefined;
  let obj: Obj = {};
  if (typeof raw === 'string') {
    const t = raw.trim();
    if (t.startsWith('{')) {
      try {
        const v = JSON.parse(t) as Json;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        obj = v as Obj;
      } catch (e) {
        issues.push({ path: `--${head}`, message: `is not valid JSON: ${(e as Error).message}` });
        return undefined;
      }
    } else {
      for (const part of t.split(',')) {
        const eq = part.indexOf('=');
        if (eq <= 0) {
          issues.push({ path: `--${head}`, message: `expects JSON or key=value pairs, got "${part}"` });
          return undefined;
        }
        obj[part.slice(0, eq).trim()] = parseScalar(part.slice(eq + 1));
      }
    }
  }
  for (const [path, v] of dots ?? []) {
    let at: Obj = obj;
    for (const key of path.slice(0, -1)) {
      const next = at[key];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) at[key] = {};
      at = at[key] as Obj;
    }
    at[path[path.length - 1]!] = parseScalar(v);
  }
  return obj;
}

function intOf(v: Json, path: string, issues: ConfigIssue[]): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  issues.push({ path, message: `expects an integer, got ${JSON.stringify(v)}` });
  return undefined;
}

const show = (v: Json): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** `speculative_config` → `{ method, numSpeculativeTokens }`; unmodelled keys are pushed with values. */
export function readSpeculative(parsed: ParsedServeLine, issues: ConfigIssue[], unmodelled: string[]): Record<string, unknown> | undefined {
  const obj = optionObject('speculative-config', parsed, issues);
  if (obj === undefined) return undefined;
  const spec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const target = SPECULATIVE_KEYS[k];
    const path = `--speculative-config.${k}`;
    if (target === undefined) issues.push({ path, message: `unknown field of SpeculativeConfig${didYouMean(k, Object.keys(SPECULATIVE_KEYS))}` });
    else if (target === null) unmodelled.push(`${path} ${show(v)}`);
    else if (target === 'method') {
      const m = typeof v === 'string' ? SPEC_METHOD_ALIASES[v] : undefined;
      if (m === undefined) issues.push({ path, message: `unknown speculative method ${JSON.stringify(v)}${didYouMean(String(v), Object.keys(SPEC_METHOD_ALIASES))}` });
      else spec.method = m;
    } else {
      const n = intOf(v, path, issues);
      if (n !== undefined) spec.numSpeculativeTokens = n;
    }
  }
  if (spec.method === undefined && !('method' in obj)) issues.push({ path: '--speculative-config.method', message: 'is required' });
  if (spec.numSpeculativeTokens === undefined && !('num_speculative_tokens' in obj)) issues.push({ path: '--speculative-config.num_speculative_tokens', message: 'is required' });
  return spec;
}

/** `compilation_config`, `-O<n>` and `--enforce-eager` → cudagraph config keys in `out`. */
export function readCompilation(parsed: ParsedServeLine, out: Record<string, unknown>, issues: ConfigIssue[], unmodelled: string[]): void {
  const raw = parsed.values.get('compilation-config')?.value;
  let comp: Obj = {};
  let level: number | undefined;
  // `-O 3` / `--compilation-config 3`: a bare level, as CompilationConfig.from_cli reads it.
  if (typeof raw === 'string' && /^\d$/.test(raw.trim())) {
    level = Number(raw);
    if (parsed.dotted.has('compilation-config')) comp = optionObject('compilation-config', { ...parsed, values: new Map() }, issues) ?? {};
  } else comp = optionObject('compilation-config', parsed, issues) ?? {};
  const lvlFlag = parsed.values.get('optimization-level');
  if (lvlFlag) {
    const n = Number(lvlFlag.value);
    if (level !== undefined && level !== n) issues.push({ path: '-O', message: `contradicts --compilation-config ${level}` });
    level = n;
  }
  for (const [k, v] of Object.entries(comp)) {
    const target = COMPILATION_KEYS[k];
    const path = `--compilation-config.${k}`;
    if (target === undefined) issues.push({ path, message: `unknown field of CompilationConfig${didYouMean(k, Object.keys(COMPILATION_KEYS))}` });
    else if (target === null) unmodelled.push(`${path} ${show(v)}`);
    else if (target === 'passConfig') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) issues.push({ path, message: 'expects an object of PassConfig fields' });
      else {
        for (const [pk, pv] of Object.entries(v)) {
          if (!PASS_CONFIG_KEYS.includes(pk)) issues.push({ path: `${path}.${pk}`, message: `unknown field of PassConfig${didYouMean(pk, PASS_CONFIG_KEYS)}` });
          else unmodelled.push(`${path}.${pk} ${show(pv)}`);
        }
      }
    } else if (target === 'cudagraphMode') out.cudagraphMode = typeof v === 'string' ? v.toUpperCase() : v;
    else if (target === 'maxCudagraphCaptureSize') {
      const n = intOf(v, path, issues);
      if (n !== undefined) out.maxCudagraphCaptureSize = n;
    } else if (target === 'cudagraphCaptureSizes') {
      if (Array.isArray(v) && v.every((x) => Number.isInteger(x))) out.cudagraphCaptureSizes = v;
      else issues.push({ path, message: 'expects a list of integers' });
    } else {
      const n = intOf(v, path, issues);
      if (n !== undefined) {
        if (level !== undefined && level !== n) issues.push({ path, message: `contradicts -O${level}` });
        level = n;
      }
    }
  }
  if (level !== undefined && out.cudagraphMode === undefined) {
    if (!(level >= 0 && level <= 3)) issues.push({ path: '-O', message: `optimization level must be 0..3, got ${level}` });
    else out.cudagraphMode = level === 0 ? 'NONE' : level === 1 ? 'PIECEWISE' : 'FULL_AND_PIECEWISE';
  }
  if (parsed.values.get('enforce-eager')?.value === true) {
    if (out.cudagraphMode !== undefined && out.cudagraphMode !== 'NONE') {
      issues.push({ path: '--enforce-eager', message: `contradicts cudagraph_mode ${String(out.cudagraphMode)}` });
    }
    out.cudagraphMode = 'NONE';
  }
}
