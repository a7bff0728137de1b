/**
 * `fromVllmArgs`: a pasted `vllm serve` (or `python3 -m vllm.entrypoints.openai.api_server`)
 * command line plus `VLLM_*` environment → `EngineConfig`, the list of flags that were understood
 * but are not modelled, and notes on derived values. Accepts both flag spellings (`--max-num-seqs`,
 * `--max_num_seqs`), `--flag=value`, `--no-flag`, dotted options
 * (`--speculative_config.num_speculative_tokens 3`), JSON and `key=value,…` option values. Every
 * problem (unknown flag, bad value, contradiction, vLLM validation rule) is reported at once in
 * one `ConfigError` whose issues name the flags.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './engine-config';
import { shellWords } from './shell-words';
import { resolveConfig } from './validate';
import {
  BACKEND_BLOCK_SIZE, COMPILATION_KEYS, SPEC_METHOD_ALIASES, SPECULATIVE_KEYS, VLLM_ENV, VLLM_FLAGS, suggest,
} from './vllm-flags';
import { parseFlags, stripProgram, type Parsed } from './vllm-argv';

export interface VllmArgsResult {
  readonly config: EngineConfig;
  /** Flags, option keys and env vars understood but not simulated, as written canonically. */
  readonly unmodelled: string[];
  /** How values the command line does not give were chosen. */
  readonly notes: string[];
}

type Env = Readonly<Record<string, string | undefined>>;
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const CONFIG_KEY_TO_FLAG: Record<string, string> = {};
for (const [flag, spec] of Object.entries(VLLM_FLAGS)) if (spec.key) CONFIG_KEY_TO_FLAG[spec.key] = `--${flag}`;
CONFIG_KEY_TO_FLAG['speculative.method'] = '--speculative-config.method';
CONFIG_KEY_TO_FLAG['speculative.numSpeculativeTokens'] = '--speculative-config.num_speculative_tokens';
CONFIG_KEY_TO_FLAG['cudagraphMode'] = '--compilation-config.cudagraph_mode';
CONFIG_KEY_TO_FLAG['maxCudagraphCaptureSize'] = '--compilation-config.max_cudagraph_capture_size';
CONFIG_KEY_TO_FLAG['cudagraphCaptureSizes'] = '--compilation-config.cudagraph_capture_sizes';

function parseScalar(v: string): Json {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^-?\d*\.\d+(e-?\d+)?$/i.test(v)) return Number(v);
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  if (v.startsWith('[')) {
    try {
      return JSON.parse(v) as Json;
    } catch {
      return v;
    }
  }
  return v;
}

/** A JSON / `k=v,…` option value merged with its dotted overrides. */
function optionObject(head: string, parsed: Parsed, issues: ConfigIssue[]): Record<string, Json> | undefined {
  const raw = parsed.values.get(head)?.value;
  const dots = parsed.dotted.get(head);
  if (raw === undefined && dots === undefined) return undefined;
  let obj: Record<string, Json> = {};
  if (typeof raw === 'string') {
    const t = raw.trim();
    if (t.startsWith('{')) {
      try {
        const v = JSON.parse(t) as Json;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        obj = v as Record<string, Json>;
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
        obj[part.slice(0, eq).trim()] = parseScalar(part.slice(eq + 1).trim());
      }
    }
  }
  for (const [k, v] of dots ?? []) obj[k] = parseScalar(v);
  return obj;
}

function intOf(v: Json, path: string, issues: ConfigIssue[]): number | undefined {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n)) return n;
  issues.push({ path, message: `expects an integer, got ${JSON.stringify(v)}` });
  return undefined;
}

export function fromVllmArgs(commandLine: string | readonly string[], env: Env = {}): VllmArgsResult {
  const issues: ConfigIssue[] = [];
  if (typeof commandLine !== 'string' && !Array.isArray(commandLine)) {
    throw new ConfigError([{ path: 'commandLine', message: 'must be a string or an array of words' }]);
  }
  const allEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) allEnv[k] = v;
  const words = typeof commandLine === 'string' ? shellWords(commandLine) : [...commandLine];
  const { rest, model } = stripProgram(words, allEnv, issues);
  const parsed = parseFlags(rest, issues);
  const unmodelled: string[] = [];
  const notes: string[] = [];
  const out: Record<string, unknown> = {};
  const flagModel = parsed.values.get('model')?.value;
  if (model !== null && typeof flagModel === 'string' && flagModel !== model) issues.push({ path: '--model', message: `contradicts the positional model "${model}"` });
  out.model = model ?? flagModel ?? DEFAULT_ENGINE_CONFIG.model;

  for (const [head, { value, shown }] of parsed.values) {
    const spec = VLLM_FLAGS[head]!;
    if (!spec.key) {
      unmodelled.push(`--${head}`);
      continue;
    }
    if (head === 'model' || spec.kind === 'json') continue;
    if (spec.kind === 'bool') out[spec.key] = value;
    else if (spec.kind === 'int') {
      const n = intOf(value as string, shown, issues);
      if (n !== undefined) out[spec.key] = n;
    } else if (spec.kind === 'float') {
      const n = Number(value);
      if (!Number.isFinite(n) || (value as string).trim() === '') issues.push({ path: shown, message: `expects a number, got "${value}"` });
      else out[spec.key] = n;
    } else {
      if (spec.choices && !spec.choices.includes(value as string)) issues.push({ path: shown, message: `must be one of ${spec.choices.join(', ')}; got "${value}"` });
      else out[spec.key] = value;
    }
  }
  for (const head of parsed.dotted.keys()) if (!parsed.values.has(head) && !VLLM_FLAGS[head]!.key) unmodelled.push(`--${head}`);

  // speculative_config
  const specObj = optionObject('speculative-config', parsed, issues);
  if (specObj !== undefined) {
    const spec: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(specObj)) {
      const target = SPECULATIVE_KEYS[k];
      const path = `--speculative-config.${k}`;
      if (target === undefined) issues.push({ path, message: `unknown key${suggestKey(k, SPECULATIVE_KEYS)}` });
      else if (target === null) unmodelled.push(path);
      else if (target === 'method') {
        const m = typeof v === 'string' ? SPEC_METHOD_ALIASES[v] : undefined;
        if (m === undefined) issues.push({ path, message: `unknown speculative method ${JSON.stringify(v)}` });
        else spec.method = m;
      } else {
        const n = intOf(v, path, issues);
        if (n !== undefined) spec.numSpeculativeTokens = n;
      }
    }
    if (spec.method === undefined) issues.push({ path: '--speculative-config.method', message: 'is required' });
    if (spec.numSpeculativeTokens === undefined) issues.push({ path: '--speculative-config.num_speculative_tokens', message: 'is required' });
    out.speculative = spec;
  }

  // compilation_config, -O, --enforce-eager, --cuda-graph-sizes
  const comp = optionObject('compilation-config', parsed, issues) ?? {};
  let level: number | undefined;
  const lvlFlag = parsed.values.get('optimization-level');
  if (lvlFlag) level = intOf(lvlFlag.value as string, lvlFlag.shown, issues);
  for (const [k, v] of Object.entries(comp)) {
    const target = COMPILATION_KEYS[k];
    const path = `--compilation-config.${k}`;
    if (target === undefined) issues.push({ path, message: `unknown key${suggestKey(k, COMPILATION_KEYS)}` });
    else if (target === null) unmodelled.push(path);
    else if (target === 'cudagraphMode') out.cudagraphMode = typeof v === 'string' ? v.toUpperCase() : v;
    else if (target === 'maxCudagraphCaptureSize') out.maxCudagraphCaptureSize = intOf(v, path, issues) ?? null;
    else if (target === 'cudagraphCaptureSizes') {
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
    if (level < 0 || level > 3) issues.push({ path: '-O', message: `optimization level must be 0..3, got ${level}` });
    else out.cudagraphMode = level === 0 ? 'NONE' : level === 1 ? 'PIECEWISE' : 'FULL_AND_PIECEWISE';
  }
  if (out.enforceEager === true) {
    if (out.cudagraphMode !== undefined && out.cudagraphMode !== 'NONE') {
      issues.push({ path: '--enforce-eager', message: `contradicts cudagraph_mode ${String(out.cudagraphMode)}` });
    }
    out.cudagraphMode = 'NONE';
  }
  delete out.enforceEager;
  delete out.optimizationLevel;
  if (typeof out.cudagraphCaptureSizes === 'string') {
    const sizes = (out.cudagraphCaptureSizes as string).split(/[ ,]+/).filter(Boolean).map(Number);
    if (sizes.some((s) => !Number.isInteger(s))) issues.push({ path: '--cuda-graph-sizes', message: 'expects integers' });
    out.cudagraphCaptureSizes = sizes;
  }

  // Environment.
  for (const [k, v] of Object.entries(allEnv)) {
    if (!k.startsWith('VLLM_')) continue;
    const target = VLLM_ENV[k];
    if (target === undefined) {
      const hint = suggest(k, Object.keys(VLLM_ENV));
      issues.push({ path: k, message: `unknown vLLM environment variable${hint ? ` (did you mean ${hint}?)` : ''}` });
    } else if (target === null) unmodelled.push(k);
    else if (out.attentionBackend !== undefined && out.attentionBackend !== v) {
      issues.push({ path: k, message: `contradicts --attention-backend ${String(out.attentionBackend)}` });
    } else out.attentionBackend = v;
  }

  // Defaults vLLM would derive.
  const backend = out.attentionBackend as string | undefined;
  if (out.blockSize === undefined && backend !== undefined && BACKEND_BLOCK_SIZE[backend] !== undefined) {
    out.blockSize = BACKEND_BLOCK_SIZE[backend];
    notes.push(`block_size ${String(out.blockSize)} forced by the ${backend} attention backend`);
  }
  if (out.asyncScheduling === undefined) {
    const method = (out.speculative as { method?: string } | undefined)?.method;
    out.asyncScheduling = method === undefined || method === 'mtp' || method === 'eagle' || method === 'eagle3';
    notes.push(`async scheduling ${out.asyncScheduling ? 'on' : 'off'} by vLLM's default (auto)`);
  }
  if (out.maxModelLen === undefined) notes.push(`max_model_len comes from the model config in vLLM; using ${DEFAULT_ENGINE_CONFIG.maxModelLen}`);
  if (out.numGpuBlocks === undefined) {
    const bs = (out.blockSize as number | undefined) ?? DEFAULT_ENGINE_CONFIG.blockSize;
    const mml = (out.maxModelLen as number | undefined) ?? DEFAULT_ENGINE_CONFIG.maxModelLen;
    const seqs = (out.maxNumSeqs as number | undefined) ?? DEFAULT_ENGINE_CONFIG.maxNumSeqs;
    if (Number.isInteger(bs) && bs > 0 && Number.isInteger(mml) && Number.isInteger(seqs)) {
      out.numGpuBlocks = seqs * Math.ceil(mml / bs) + 1;
      notes.push(`num_gpu_blocks ${String(out.numGpuBlocks)}: enough for max_num_seqs full-length requests (vLLM profiles memory; see computeKVCapacity)`);
    }
  }

  let config: EngineConfig | undefined;
  try {
    config = resolveConfig(out as never);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const i of e.issues) issues.push({ path: CONFIG_KEY_TO_FLAG[i.path] ?? i.path, message: i.message });
  }
  if (issues.length > 0 || config === undefined) throw new ConfigError(issues);
  return { config, unmodelled, notes };
}

function suggestKey(k: string, table: Readonly<Record<string, unknown>>): string {
  const hint = suggest(k, Object.keys(table));
  return hint ? ` (did you mean ${hint}?)` : '';
}
