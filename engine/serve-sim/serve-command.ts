/**
 * A pasted `vllm serve …` command line (plus `VAR=value` environment settings) → the deployment a
 * simulated benchmark needs: the engine config knobs (engine-semantics.md §3), the model preset,
 * TP, KV-cache dtype, attention backend and CUDA-graph settings for the cost model. Flags that do
 * not change the simulation (host, port, parsers…) are accepted and listed in `ignoredFlags`; an
 * unknown flag or a malformed value is a `ConfigError` naming it.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import type { CudagraphMode } from '../config/engine-config';
import { CUDAGRAPH_MODES } from '../config/engine-config';
import { modelPreset, type ModelPreset } from '../presets/model-presets';
import { splitCommandLine } from './command-line';

export interface ServeDeployment {
  readonly modelName: string;
  readonly model: ModelPreset;
  readonly tensorParallelSize: number;
  readonly dataParallelSize: number;
  readonly maxNumSeqs: number;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  readonly enablePrefixCaching: boolean;
  readonly enableChunkedPrefill: boolean;
  readonly kvCacheDtype: string;
  /** `null` = vLLM's auto: on with EAGLE/MTP speculation (PR #31998), else off. */
  readonly asyncScheduling: boolean;
  readonly numSpeculativeTokens: number;
  readonly specMethod: string | null;
  readonly cudagraphMode: CudagraphMode;
  readonly maxCudagraphCaptureSize: number | null;
  readonly cudagraphCaptureSizes: readonly number[] | null;
  /** `--attention-backend` or `VLLM_ATTENTION_BACKEND`; `null` = the hardware default. */
  readonly attentionBackend: string | null;
  readonly gpuMemoryUtilization: number;
  readonly blockSize: number | null;
  readonly ignoredFlags: readonly string[];
  readonly ignoredEnv: readonly string[];
}

const IGNORED = new Set([
  '--host', '--port', '--trust-remote-code', '--served-model-name', '--disable-log-requests', '--disable-log-stats',
  '--reasoning-parser', '--tool-call-parser', '--enable-auto-tool-choice', '--api-key', '--uvicorn-log-level', '--seed',
  '--tokenizer', '--tokenizer-mode', '--download-dir', '--load-format', '--quantization', '--dtype', '--enable-expert-parallel',
  '--no-enable-log-requests', '--enable-log-requests', '--chat-template', '--hf-overrides',
]);
const BOOL_IGNORED = new Set(['--trust-remote-code', '--disable-log-requests', '--disable-log-stats', '--enable-auto-tool-choice', '--enable-expert-parallel', '--no-enable-log-requests', '--enable-log-requests']);

function parseEnv(env: string | Readonly<Record<string, string>> | undefined, issues: ConfigIssue[]): Record<string, string> {
  if (env === undefined) return {};
  if (typeof env !== 'string') return { ...env };
  const out: Record<string, string> = {};
  for (const tok of splitCommandLine(env)) {
    const i = tok.indexOf('=');
    if (i <= 0) issues.push({ path: 'env', message: `expected VAR=value, got '${tok}'` });
    else out[tok.slice(0, i)] = tok.slice(i + 1);
  }
  return out;
}

export function parseServeCommand(commandLine: string, env?: string | Readonly<Record<string, string>>): ServeDeployment {
  const issues: ConfigIssue[] = [];
  const envVars = parseEnv(env, issues);
  let tokens = splitCommandLine(commandLine);
  // Leading VAR=value words are environment settings too (`VLLM_X=1 vllm serve …`).
  while (tokens.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(tokens[0]!)) {
    const t = tokens.shift()!;
    envVars[t.slice(0, t.indexOf('='))] = t.slice(t.indexOf('=') + 1);
  }
  const si = tokens.indexOf('serve');
  if (si < 0) throw new ConfigError([{ path: 'serve', message: `expected a 'vllm serve' command, got '${tokens.slice(0, 3).join(' ')}'` }]);
  tokens = tokens.slice(si + 1);
  const d: Record<string, unknown> = {
    modelName: null, tensorParallelSize: 1, dataParallelSize: 1, maxNumSeqs: 1024, maxModelLen: null, maxNumBatchedTokens: 8192,
    enablePrefixCaching: true, enableChunkedPrefill: true, kvCacheDtype: 'auto', asyncScheduling: null, numSpeculativeTokens: 0, specMethod: null,
    cudagraphMode: 'FULL_AND_PIECEWISE', maxCudagraphCaptureSize: null, cudagraphCaptureSizes: null, attentionBackend: null,
    gpuMemoryUtilization: 0.92, blockSize: null,
  };
  const ignored: string[] = [];
  const num = (flag: string, v: string, int: boolean): number | undefined => {
    const n = Number(v);
    if (v.trim() === '' || Number.isNaN(n) || (int && !Number.isInteger(n)) || n < 0) {
      issues.push({ path: flag, message: `expected ${int ? 'a non-negative integer' : 'a number'}, got '${v}'` });
      return undefined;
    }
    return n;
  };
  const json = (flag: string, v: string): Record<string, unknown> | undefined => {
    try {
      const o = JSON.parse(v) as unknown;
      if (o !== null && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
    } catch { /* reported below */ }
    issues.push({ path: flag, message: `expected a JSON object, got '${v}'` });
    return undefined;
  };
  const compilation = (flag: string, o: Record<string, unknown>) => {
    if (o.cudagraph_mode !== undefined) {
      const m = String(o.cudagraph_mode).toUpperCase();
      if (!CUDAGRAPH_MODES.includes(m as CudagraphMode)) issues.push({ path: `${flag}.cudagraph_mode`, message: `unknown mode '${String(o.cudagraph_mode)}'; known: ${CUDAGRAPH_MODES.join(', ')}` });
      else d.cudagraphMode = m;
    }
    if (o.max_cudagraph_capture_size !== undefined) d.maxCudagraphCaptureSize = Number(o.max_cudagraph_capture_size);
    if (Array.isArray(o.cudagraph_capture_sizes)) d.cudagraphCaptureSizes = o.cudagraph_capture_sizes.map(Number);
  };
  for (let i = 0; i < tokens.length; i++) {
    let flag = tokens[i]!;
    let value: string | undefined;
    if (!flag.startsWith('-')) {
      if (d.modelName === null) d.modelName = flag;
      else issues.push({ path: flag, message: 'unexpected positional argument' });
      continue;
    }
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === '-tp') flag = '--tensor-parallel-size';
    if (flag === '-dp') flag = '--data-parallel-size';
    const takeValue = (): string => {
      if (value !== undefined) return value;
      if (i + 1 < tokens.length) return tokens[++i]!;
      issues.push({ path: flag, message: 'expected a value' });
      return '';
    };
    switch (flag) {
      case '--model': d.modelName = takeValue(); break;
      case '--tensor-parallel-size': d.tensorParallelSize = num(flag, takeValue(), true) ?? 1; break;
      case '--data-parallel-size': d.dataParallelSize = num(flag, takeValue(), true) ?? 1; break;
      case '--max-num-seqs': d.maxNumSeqs = num(flag, takeValue(), true) ?? d.maxNumSeqs; break;
      case '--max-model-len': d.maxModelLen = num(flag, takeValue(), true) ?? null; break;
      case '--max-num-batched-tokens': d.maxNumBatchedTokens = num(flag, takeValue(), true) ?? d.maxNumBatchedTokens; break;
      case '--enable-prefix-caching': d.enablePrefixCaching = true; break;
      case '--no-enable-prefix-caching': d.enablePrefixCaching = false; break;
      case '--enable-chunked-prefill': d.enableChunkedPrefill = true; break;
      case '--no-enable-chunked-prefill': d.enableChunkedPrefill = false; break;
      case '--async-scheduling': d.asyncScheduling = true; break;
      case '--no-async-scheduling': d.asyncScheduling = false; break;
      case '--kv-cache-dtype': d.kvCacheDtype = takeValue(); break;
      case '--gpu-memory-utilization': d.gpuMemoryUtilization = num(flag, takeValue(), false) ?? 0.92; break;
      case '--block-size': d.blockSize = num(flag, takeValue(), true) ?? null; break;
      case '--attention-backend': d.attentionBackend = takeValue().toUpperCase(); break;
      case '--enforce-eager': d.cudagraphMode = 'NONE'; break;
      case '--max-cudagraph-capture-size': d.maxCudagraphCaptureSize = num(flag, takeValue(), true) ?? null; break;
      case '--cuda-graph-sizes': case '--cudagraph-capture-sizes': {
        const sizes: number[] = [];
        while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-')) sizes.push(Number(tokens[++i]));
        if (value !== undefined) sizes.push(...value.split(',').map(Number));
        d.cudagraphCaptureSizes = sizes;
        break;
      }
      case '--speculative-config': {
        const o = json(flag, takeValue());
        if (o) {
          const k = Number(o.num_speculative_tokens);
          if (!Number.isInteger(k) || k < 1) issues.push({ path: `${flag}.num_speculative_tokens`, message: `expected an integer ≥ 1, got ${String(o.num_speculative_tokens)}` });
          else d.numSpeculativeTokens = k;
          d.specMethod = String(o.method ?? 'mtp');
        }
        break;
      }
      case '--compilation-config': case '-O': case '-cc': {
        const v = takeValue();
        if (/^\d$/.test(v)) {
          if (v === '0') d.cudagraphMode = 'NONE';
          else if (v === '1') d.cudagraphMode = 'PIECEWISE';
        } else {
          const o = json(flag, v);
          if (o) compilation(flag, o);
        }
        break;
      }
      default:
        if (flag.startsWith('-O.') || flag.startsWith('--compilation-config.')) {
          const key = flag.slice(flag.indexOf('.') + 1);
          compilation(flag, { [key]: takeValue() });
        } else if (IGNORED.has(flag)) {
          if (!BOOL_IGNORED.has(flag) && value === undefined && i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-')) i++;
          ignored.push(flag);
        } else {
          issues.push({ path: flag, message: 'unknown or unsupported vllm serve flag' });
        }
    }
  }
  const backendEnv = envVars.VLLM_ATTENTION_BACKEND;
  if (backendEnv && d.attentionBackend === null) d.attentionBackend = backendEnv.toUpperCase();
  const ignoredEnv = Object.keys(envVars).filter((k) => k !== 'VLLM_ATTENTION_BACKEND');
  let model: ModelPreset | undefined;
  if (d.modelName === null) issues.push({ path: 'model', message: 'no model given' });
  else {
    try {
      model = modelPreset(d.modelName as string);
    } catch (e) {
      issues.push({ path: 'model', message: (e as Error).message });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const k = d.numSpeculativeTokens as number;
  const asyncDefault = k > 0 && ['mtp', 'deepseek_mtp', 'eagle', 'eagle3', 'ngram_gpu'].includes(String(d.specMethod));
  return {
    ...(d as object),
    model: model!,
    maxModelLen: (d.maxModelLen as number | null) ?? model!.maxPositionEmbeddings,
    asyncScheduling: (d.asyncScheduling as boolean | null) ?? asyncDefault,
    ignoredFlags: ignored,
    ignoredEnv,
  } as unknown as ServeDeployment;
}
