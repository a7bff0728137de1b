/**
 * Config validation with vLLM's own rules (SchedulerConfig/CacheConfig/SpeculativeConfig checks),
 * returning every issue at once so a user fixes a command line in one pass. `resolveConfig` merges
 * a partial config over the defaults and throws one `ConfigError` listing all issues.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';
import { kvCacheFitIssue } from './kv-cache-fit';
import {
  CUDAGRAPH_MODES,
  DEFAULT_ENGINE_CONFIG,
  kvCacheGroups,
  maxNumScheduledTokens,
  numLookaheadTokens,
  type EngineConfig,
  type PartialEngineConfig,
} from './engine-config';

const SPEC_METHODS = ['mtp', 'eagle', 'eagle3', 'ngram', 'draft_model', 'suffix'];
const ASYNC_SPEC_METHODS = ['mtp', 'eagle', 'eagle3'];
const CAP_POLICIES = ['none', 'cap_27922', 'cap_29542', 'skip_29759'];

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

function validAttention(a: EngineConfig['attention'] | undefined): boolean {
  return a?.kind === 'full' || ((a?.kind === 'sliding_window' || a?.kind === 'hybrid') && isInt(a.slidingWindow, 1));
}

/** `checkKvCacheFit: false` skips the start-up memory check (vLLM tests build a scheduler with any block count). */
export interface ValidateOptions {
  readonly checkKvCacheFit?: boolean;
}

/** All problems of a complete config; empty when it is valid. Paths use camelCase config keys. */
export function validateConfig(c: EngineConfig, options: ValidateOptions = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const bad = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const positiveInts: (keyof EngineConfig)[] = [
    'blockSize', 'maxModelLen', 'maxNumSeqs', 'maxNumBatchedTokens', 'maxNumPartialPrefills',
    'tensorParallelSize', 'pipelineParallelSize', 'dataParallelSize',
  ];
  for (const k of positiveInts) if (!isInt(c[k], 1)) bad(k, `must be an integer >= 1, got ${JSON.stringify(c[k])}`);
  if (!isInt(c.seed, 0)) bad('seed', `must be an integer >= 0, got ${JSON.stringify(c.seed)}`);
  if (!isInt(c.numGpuBlocks, 2)) bad('numGpuBlocks', `must be an integer >= 2 (block 0 is the null block), got ${JSON.stringify(c.numGpuBlocks)}`);
  if (!isInt(c.longPrefillTokenThreshold, 0)) bad('longPrefillTokenThreshold', 'must be an integer >= 0');
  for (const k of ['enableChunkedPrefill', 'enablePrefixCaching', 'schedulerReserveFullIsl', 'asyncScheduling'] as const) {
    if (typeof c[k] !== 'boolean') bad(k, `must be a boolean, got ${JSON.stringify(c[k])}`);
  }
  if (c.policy !== 'fcfs' && c.policy !== 'priority') bad('policy', `must be "fcfs" or "priority", got ${JSON.stringify(c.policy)}`);
  if (!CAP_POLICIES.includes(c.maxTokensCapPolicy)) bad('maxTokensCapPolicy', `must be one of ${CAP_POLICIES.join(', ')}`);
  if (!CUDAGRAPH_MODES.includes(c.cudagraphMode)) bad('cudagraphMode', `must be one of ${CUDAGRAPH_MODES.join(', ')}`);
  if (!(typeof c.gpuMemoryUtilization === 'number' && c.gpuMemoryUtilization > 0 && c.gpuMemoryUtilization <= 1)) {
    bad('gpuMemoryUtilization', `must be in (0, 1], got ${JSON.stringify(c.gpuMemoryUtilization)}`);
  }
  if (c.maxCudagraphCaptureSize !== null && !isInt(c.maxCudagraphCaptureSize, 1)) bad('maxCudagraphCaptureSize', 'must be an integer >= 1');
  if (c.cudagraphCaptureSizes !== null && !(Array.isArray(c.cudagraphCaptureSizes) && c.cudagraphCaptureSizes.every((s) => isInt(s, 1)))) {
    bad('cudagraphCaptureSizes', 'must be a list of integers >= 1');
  }
  // SchedulerConfig rules.
  if (isInt(c.maxNumBatchedTokens, 1) && isInt(c.maxModelLen, 1) && !c.enableChunkedPrefill && c.maxNumBatchedTokens < c.maxModelLen) {
    bad('maxNumBatchedTokens', `(${c.maxNumBatchedTokens}) is smaller than maxModelLen (${c.maxModelLen}) while chunked prefill is disabled: `
      + 'a prompt longer than the budget could never be scheduled. Raise maxNumBatchedTokens or lower maxModelLen.');
  }
  if (isInt(c.maxNumBatchedTokens, 1) && isInt(c.maxNumSeqs, 1) && c.maxNumBatchedTokens < c.maxNumSeqs) {
    bad('maxNumBatchedTokens', `(${c.maxNumBatchedTokens}) must be >= maxNumSeqs (${c.maxNumSeqs})`);
  }
  if (isInt(c.maxNumPartialPrefills, 1) && c.maxNumPartialPrefills > 1 && !c.enableChunkedPrefill) {
    bad('maxNumPartialPrefills', 'values > 1 require chunked prefill');
  }
  if (isInt(c.longPrefillTokenThreshold, 0) && isInt(c.maxModelLen, 1) && c.longPrefillTokenThreshold > c.maxModelLen) {
    bad('longPrefillTokenThreshold', `(${c.longPrefillTokenThreshold}) must be <= maxModelLen (${c.maxModelLen})`);
  }
  // vLLM refuses to start when one request of max_model_len cannot fit in the KV cache; every
  // KV-cache group of a hybrid model draws from the same pool (kv/kv-cache-fit.ts).
  if (options.checkKvCacheFit !== false && isInt(c.numGpuBlocks, 2) && isInt(c.blockSize, 1) && isInt(c.maxModelLen, 1) && isInt(c.maxNumBatchedTokens, 1)
    && validAttention(c.attention)) {
    const issue = kvCacheFitIssue({
      numGpuBlocks: c.numGpuBlocks, blockSize: c.blockSize, maxModelLen: c.maxModelLen, maxNumBatchedTokens: c.maxNumBatchedTokens,
      numLookaheadTokens: c.speculative !== null && isInt(c.speculative?.numSpeculativeTokens, 1) ? numLookaheadTokens(c) : 0,
      groups: kvCacheGroups(c.attention),
    });
    if (issue !== null) issues.push(issue);
  }
  // Speculative decoding.
  const spec = c.speculative;
  if (spec !== null) {
    if (typeof spec !== 'object') bad('speculative', 'must be an object or null');
    else {
      if (!SPEC_METHODS.includes(spec.method)) bad('speculative.method', `unknown method ${JSON.stringify(spec.method)}; one of ${SPEC_METHODS.join(', ')}`);
      if (!isInt(spec.numSpeculativeTokens, 1)) bad('speculative.numSpeculativeTokens', 'must be an integer >= 1');
      if (c.asyncScheduling && SPEC_METHODS.includes(spec.method) && !ASYNC_SPEC_METHODS.includes(spec.method)) {
        bad('asyncScheduling', `async scheduling with speculative method "${spec.method}" is not supported (EAGLE/EAGLE3/MTP only)`);
      }
      if (isInt(c.maxNumBatchedTokens, 1) && isInt(c.maxNumSeqs, 1) && maxNumScheduledTokens(c) < 1) {
        bad('maxNumBatchedTokens', 'leaves no token budget after the draft model reserves one slot per sequence');
      }
    }
  }
  // Attention spec.
  const att = c.attention;
  if (!att || (att.kind !== 'full' && att.kind !== 'sliding_window' && att.kind !== 'hybrid')) bad('attention.kind', 'must be "full", "sliding_window" or "hybrid"');
  else if (att.kind !== 'full' && !isInt(att.slidingWindow, 1)) bad('attention.slidingWindow', 'must be an integer >= 1');
  // Synthetic executor.
  const syn = c.synthetic;
  if (!isInt(syn.vocabSize, 2)) bad('synthetic.vocabSize', 'must be an integer >= 2');
  if (syn.eosTokenId !== null && !(isInt(syn.eosTokenId, 0) && syn.eosTokenId < syn.vocabSize)) {
    bad('synthetic.eosTokenId', `must be null or an integer in [0, vocabSize), got ${JSON.stringify(syn.eosTokenId)}`);
  }
  const rates = syn.acceptanceRates;
  if (!Array.isArray(rates) || rates.length === 0 || !rates.every((r) => typeof r === 'number' && r >= 0 && r <= 1)) {
    bad('synthetic.acceptanceRates', 'must be a non-empty list of probabilities in [0, 1]');
  } else if (rates.some((r, i) => i > 0 && r > rates[i - 1]!)) {
    bad('synthetic.acceptanceRates', 'unconditional rates must be non-increasing (r_1 >= r_2 >= ...)');
  }
  return issues;
}

const NESTED = ['speculative', 'synthetic', 'attention'] as const;

/** Defaults ⊕ `partial`, validated; throws `ConfigError` listing every issue (unknown keys too). */
export function resolveConfig(partial: PartialEngineConfig = {}, options: ValidateOptions = {}): EngineConfig {
  if (partial === null || typeof partial !== 'object') {
    throw new ConfigError([{ path: 'config', message: 'must be an object' }]);
  }
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_ENGINE_CONFIG)) issues.push({ path: key, message: 'unknown config key' });
  }
  const merged: Record<string, unknown> = { ...DEFAULT_ENGINE_CONFIG };
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined || !(key in DEFAULT_ENGINE_CONFIG)) continue;
    if ((NESTED as readonly string[]).includes(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const base = key === 'speculative'
        ? { method: 'mtp', numSpeculativeTokens: 1 }
        : (DEFAULT_ENGINE_CONFIG[key as 'synthetic' | 'attention'] as object);
      merged[key] = { ...base, ...(value as object) };
    } else {
      merged[key] = value;
    }
  }
  // vLLM: with several partial prefills the long-prefill threshold defaults to 4 % of max_model_len.
  if (partial.longPrefillTokenThreshold === undefined && typeof merged.maxNumPartialPrefills === 'number' && merged.maxNumPartialPrefills > 1
    && typeof merged.maxModelLen === 'number') {
    merged.longPrefillTokenThreshold = Math.floor(merged.maxModelLen * 0.04);
  }
  const config = merged as unknown as EngineConfig;
  issues.push(...validateConfig(config, options));
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
