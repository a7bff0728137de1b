/**
 * `fromVllmArgs`: the one `vllm serve` parser. A pasted server line in any spelling users paste
 * (vllm-argv.ts) plus its environment → `EngineConfig`, every accepted-but-not-modelled flag with
 * its value, the keys the line set, and notes on each derived value. Only what vLLM itself would
 * reject is an error: unknown flags (with a suggestion), wrong-typed values, invalid choices and
 * vLLM's own cross-flag checks, all reported at once in one `ConfigError` whose paths name flags.
 * `simulateServe` calls this with the hardware- and era-dependent defaults it resolved
 * (`VllmArgsOptions`), so the same line gives the same config everywhere.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, type SpeculativeConfig } from './engine-config';
import { resolveConfig } from './validate';
import { humanReadableInt, readServeLine } from './vllm-argv';
import { BACKEND_BLOCK_SIZE, CURRENT_ASYNC_DEFAULT, defaultAsyncScheduling, type AsyncDefaultRule } from './vllm-defaults';
import { readVllmEnv } from './vllm-env';
import { CONFIG_KEY_TO_FLAG, MODELLED_FLAGS, OPTION_FLAGS } from './vllm-flags';
import { readCompilation, readSpeculative } from './vllm-options';
import { SERVE_FLAGS } from './vllm-serve-flags';

export interface VllmArgsOptions {
  /** The attention backend vLLM would pick for this model on this GPU (a hardware fact); unset = none. */
  readonly defaultAttentionBackend?: { readonly name: string; readonly why: string };
  /** The `async_scheduling` auto rule; default: current vLLM. */
  readonly asyncDefault?: AsyncDefaultRule;
  /** The model config's max_model_len (vLLM's default when the line gives none). */
  readonly modelMaxLen?: number;
  /** KV blocks when the line has no `--num-gpu-blocks-override` (e.g. sized from GPU memory). */
  readonly numGpuBlocks?: (c: { blockSize: number; maxModelLen: number; maxNumSeqs: number }) => { value: number; why: string };
}

export interface VllmArgsResult {
  readonly config: EngineConfig;
  /** Accepted, not modelled, with values as written: `--host 0.0.0.0`, `NCCL_NVLS_ENABLE=1`. */
  readonly unmodelled: string[];
  /** How each value the line does not give was chosen, and other remarks. */
  readonly notes: string[];
  /** Things vLLM only warns about (unknown `VLLM_*` names). */
  readonly warnings: string[];
  /** `EngineConfig` keys the line or its environment set. */
  readonly explicit: string[];
  /** The environment as read (export lines, prefixes, the `env` argument). */
  readonly env: Readonly<Record<string, string>>;
  /** Why async scheduling is on or off. */
  readonly asyncReason: string;
  /** Where `numGpuBlocks` came from. */
  readonly kvBlocksSource: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function fromVllmArgs(commandLine: string | readonly string[], env: Env = {}, options: VllmArgsOptions = {}): VllmArgsResult {
  if (typeof commandLine !== 'string' && !Array.isArray(commandLine)) {
    throw new ConfigError([{ path: 'commandLine', message: 'must be a string or an array of words' }]);
  }
  const issues: ConfigIssue[] = [];
  const allEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) allEnv[k] = v;
  let parsed;
  try {
    parsed = readServeLine(commandLine, allEnv, issues);
  } catch (e) {
    throw new ConfigError([{ path: 'commandLine', message: (e as Error).message }]);
  }
  const unmodelled: string[] = [];
  const notes = [...parsed.notes];
  const out: Record<string, unknown> = {};
  const flagModel = parsed.values.get('model')?.value;
  if (parsed.positionalModel !== null && typeof flagModel === 'string' && flagModel !== parsed.positionalModel) {
    notes.push(`--model ${flagModel} is ignored: vllm serve uses the positional model ${parsed.positionalModel}`);
  }
  const model = parsed.positionalModel ?? (typeof flagModel === 'string' ? flagModel : null);
  if (model === null) issues.push({ path: 'model', message: 'no model: give vllm serve MODEL or --model MODEL' });
  else out.model = model;

  for (const [head, { value, shown }] of parsed.values) {
    const key = MODELLED_FLAGS[head];
    if (head === 'model' || OPTION_FLAGS.includes(head)) continue;
    if (key === undefined) {
      unmodelled.push(value === true ? shown : `${shown} ${Array.isArray(value) ? value.join(' ') : String(value)}`);
      continue;
    }
    const kind = SERVE_FLAGS[head]!.kind;
    if (kind === 'bool') out[key] = value;
    else if (kind === 'list') {
      const nums = (value as string[]).map(Number);
      if (nums.some((n) => !Number.isInteger(n))) issues.push({ path: shown, message: `invalid int value in ${JSON.stringify(value)}` });
      else out[key] = nums;
    } else if (kind === 'int' || kind === 'hint') {
      const n = kind === 'hint' ? humanReadableInt(value as string) : /^-?\d+$/.test((value as string).trim()) ? Number(value) : undefined;
      if (head === 'max-model-len' && (n === -1 || value === 'auto')) notes.push('--max-model-len auto: the model config decides');
      else if (n === undefined) issues.push({ path: shown, message: `invalid int value: '${String(value)}'` });
      else out[key] = n;
    } else if (kind === 'float') {
      const n = Number(value);
      if (!Number.isFinite(n) || (value as string).trim() === '') issues.push({ path: shown, message: `invalid float value: '${String(value)}'` });
      else out[key] = n;
    } else out[key] = value;
  }
  const spec = readSpeculative(parsed, issues, unmodelled);
  if (spec !== undefined) out.speculative = spec;
  readCompilation(parsed, out, issues, unmodelled);
  for (const head of parsed.dotted.keys()) {
    if (head === 'speculative-config' || head === 'compilation-config') continue;
    for (const [path, v] of parsed.dotted.get(head)!) unmodelled.push(`--${head}.${path.join('.')} ${v}`);
  }
  const envRead = readVllmEnv(allEnv, issues);
  unmodelled.push(...envRead.unmodelled);
  if (envRead.attentionBackend !== undefined) {
    if (out.attentionBackend !== undefined && out.attentionBackend !== envRead.attentionBackend) {
      issues.push({ path: 'VLLM_ATTENTION_BACKEND', message: `contradicts --attention-backend ${String(out.attentionBackend)}` });
    } else out.attentionBackend = envRead.attentionBackend;
  }
  crossChecks(parsed.values, out, issues);
  const explicit = Object.keys(out).filter((k) => k in DEFAULT_ENGINE_CONFIG);

  // Defaults vLLM derives (vllm-defaults.ts), each with its reason.
  if (out.attentionBackend === undefined && options.defaultAttentionBackend) {
    out.attentionBackend = options.defaultAttentionBackend.name;
    notes.push(`attention backend ${options.defaultAttentionBackend.name}: ${options.defaultAttentionBackend.why}`);
  }
  const backend = out.attentionBackend as string | undefined;
  if (out.blockSize === undefined && backend !== undefined && BACKEND_BLOCK_SIZE[backend] !== undefined) {
    out.blockSize = BACKEND_BLOCK_SIZE[backend];
    notes.push(`block_size ${String(out.blockSize)} forced by the ${backend} attention backend`);
  }
  let asyncReason = out.asyncScheduling === undefined ? '' : `${out.asyncScheduling ? '--async-scheduling' : '--no-async-scheduling'} on the line`;
  if (out.asyncScheduling === undefined) {
    const d = defaultAsyncScheduling((out.speculative as SpeculativeConfig | undefined) ?? null, options.asyncDefault ?? CURRENT_ASYNC_DEFAULT);
    out.asyncScheduling = d.on;
    asyncReason = d.why;
  }
  if (out.maxModelLen === undefined && options.modelMaxLen !== undefined) {
    out.maxModelLen = options.modelMaxLen;
    notes.push(`max_model_len ${options.modelMaxLen} from the model config (max_position_embeddings)`);
  } else if (out.maxModelLen === undefined) notes.push(`max_model_len comes from the model config in vLLM; using ${DEFAULT_ENGINE_CONFIG.maxModelLen} (no model preset given)`);
  let kvBlocksSource = '--num-gpu-blocks-override';
  if (out.numGpuBlocks === undefined) {
    const bs = (out.blockSize as number | undefined) ?? DEFAULT_ENGINE_CONFIG.blockSize;
    const mml = (out.maxModelLen as number | undefined) ?? DEFAULT_ENGINE_CONFIG.maxModelLen;
    const seqs = (out.maxNumSeqs as number | undefined) ?? DEFAULT_ENGINE_CONFIG.maxNumSeqs;
    if (Number.isInteger(bs) && bs > 0 && Number.isInteger(mml) && Number.isInteger(seqs)) {
      const r = options.numGpuBlocks?.({ blockSize: bs, maxModelLen: mml, maxNumSeqs: seqs })
        ?? { value: seqs * Math.ceil(mml / bs) + 1, why: 'enough for max_num_seqs full-length requests (no GPU named, so no memory profile)' };
      out.numGpuBlocks = r.value;
      kvBlocksSource = r.why;
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
  return { config, unmodelled, notes, warnings: envRead.warnings, explicit, env: allEnv, asyncReason, kvBlocksSource };
}

/** vLLM's own cross-flag checks that run before the model loads (arg_utils, cli_args). */
function crossChecks(values: Map<string, { value: unknown; shown: string }>, out: Record<string, unknown>, issues: ConfigIssue[]): void {
  const on = (f: string) => values.get(f)?.value === true;
  if (on('enable-auto-tool-choice') && values.get('tool-call-parser') === undefined) {
    issues.push({ path: '--enable-auto-tool-choice', message: 'requires --tool-call-parser' });
  }
  if (on('enable-log-outputs') && !on('enable-log-requests')) issues.push({ path: '--enable-log-outputs', message: 'requires --enable-log-requests' });
  if (out.asyncScheduling === true && typeof out.pipelineParallelSize === 'number' && out.pipelineParallelSize > 1) {
    issues.push({ path: '--async-scheduling', message: `is not supported with --pipeline-parallel-size ${out.pipelineParallelSize} (> 1)` });
  }
  const tp = (out.tensorParallelSize as number | undefined) ?? 1;
  const dcpFlag = values.get('decode-context-parallel-size');
  if (dcpFlag && Number.isInteger(Number(dcpFlag.value)) && tp % Number(dcpFlag.value) !== 0) {
    issues.push({ path: '--decode-context-parallel-size', message: `(${String(dcpFlag.value)}) must divide --tensor-parallel-size (${tp})` });
  }
}
