/**
 * The numeric engine's composition root (beside `createEngine`, which it builds on): the engine core (scheduler, KV manager, async loop, spec
 * decoding) driving a `NumericExecutor` for the tiny V4 model. The KV manager's blocks are the
 * model's 256-token pages, so `blockSize` must be 256 and the attention spec `full` (the
 * compressors read back raw entries, so blocks must not leave with the sliding window).
 * `createNumericEngine` returns the engine and an inspector that always follows the engine's
 * current executor (a restore builds a fresh one).
 */
import { ConfigError } from '../base/errors';
import { resolveConfig } from '../config/validate';
import type { EngineConfig, PartialEngineConfig } from '../config/engine-config';
import { createEngine, restoreEngine, type EngineOptions } from './create-engine';
import type { Engine } from './engine';
import { NumericExecutor } from '../runner/numeric-executor';
import type { EngineSnapshot } from '../trace/snapshot';
import type { AttentionPath } from '../model/attention-layer';
import { ModelInspector } from '../runner/model-inspector';
import { resolveTinyV4Config, TINY_V4_PAGE_SIZE, type TinyV4Config } from '../model/tiny-v4-config';

export interface NumericEngineOptions {
  readonly model?: Partial<TinyV4Config>;
  /** 0 = greedy (default). */
  readonly temperature?: number;
  /** Recent steps whose traces are kept for inspection (default 8; 0 = none). */
  readonly keepSteps?: number;
  readonly numTopLogits?: number;
  /**
   * 'reference' (default): C's float64 sparse-MLA code, every subset's (out, lse) inspectable.
   * 'fast': D's fp32 WebAssembly SIMD path — much faster steps; subsets keep only their LSE.
   */
  readonly attention?: AttentionPath;
}

/**
 * Default per-step token budget of the numeric engine. A step's time is linear in its scheduled
 * tokens (≈ 10–15 ms per token on one core: four layers of float64 reference sparse-MLA over
 * ~130–160 candidates × 4 heads × 512 dims, their projections and fp8 writes), so a budget of 32 keeps
 * every step — a prefill chunk or a 16-request decode — at a few hundred ms, well under a second
 * in a notebook. Long prompts are prefilled in 32-token chunks, which give the same tokens as one
 * chunk (a correctness link the tests hold).
 */
export const NUMERIC_MAX_NUM_BATCHED_TOKENS = 32;

/** Engine defaults for the tiny model (any of them can be overridden except the page size). */
export function numericEngineConfig(config: PartialEngineConfig = {}, model: Partial<TinyV4Config> = {}): PartialEngineConfig {
  const m = resolveTinyV4Config(model);
  return {
    model: 'tiny-v4',
    blockSize: TINY_V4_PAGE_SIZE,
    numGpuBlocks: 33,
    maxModelLen: 4096,
    // 16 decoding requests leave half the budget to a prefill chunk; a larger maxNumSeqs raises
    // the budget with it (vLLM requires maxNumBatchedTokens >= maxNumSeqs).
    maxNumSeqs: 16,
    maxNumBatchedTokens: Math.max(NUMERIC_MAX_NUM_BATCHED_TOKENS, config.maxNumSeqs ?? 16),
    ...config,
    synthetic: { eosTokenId: null, ...(config.synthetic ?? {}), vocabSize: m.vocabSize },
  };
}

function checkNumeric(c: EngineConfig, o: NumericEngineOptions): void {
  const issues = [];
  if (c.blockSize !== TINY_V4_PAGE_SIZE) issues.push({ path: 'blockSize', message: `must be ${TINY_V4_PAGE_SIZE} for the numeric engine (one block = one V4 page), got ${c.blockSize}` });
  if (c.attention.kind !== 'full') issues.push({ path: 'attention', message: `must be { kind: 'full' } for the numeric engine (compressors read every raw entry), got ${c.attention.kind}` });
  if (c.speculative !== null && c.speculative.method !== 'mtp' && c.speculative.method !== 'ngram') {
    issues.push({ path: 'speculative.method', message: `the numeric engine drafts with its MTP head ('mtp') or n-gram lookup ('ngram'), got ${c.speculative.method}` });
  }
  const t = o.temperature ?? 0;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) issues.push({ path: 'temperature', message: `must be a finite number >= 0, got ${JSON.stringify(t)}` });
  const k = o.keepSteps ?? 8;
  if (!Number.isInteger(k) || k < 0) issues.push({ path: 'keepSteps', message: `must be an integer >= 0, got ${JSON.stringify(k)}` });
  const n = o.numTopLogits ?? 5;
  if (!Number.isInteger(n) || n < 1) issues.push({ path: 'numTopLogits', message: `must be an integer >= 1, got ${JSON.stringify(n)}` });
  const a = o.attention ?? 'reference';
  if (a !== 'reference' && a !== 'fast') issues.push({ path: 'attention', message: `must be 'reference' or 'fast', got ${JSON.stringify(a)}` });
  if (issues.length > 0) throw new ConfigError(issues);
}

/** Engine options whose executor is the numeric one; `onExecutor` sees every executor built. */
export function numericEngineOptions(options: NumericEngineOptions = {}, onExecutor?: (ex: NumericExecutor) => void): EngineOptions {
  const model = resolveTinyV4Config(options.model ?? {});
  return {
    executor: (config) => {
      checkNumeric(config, options);
      const k = config.speculative?.numSpeculativeTokens ?? 0;
      const ex = new NumericExecutor({
        model,
        seed: config.seed,
        numPages: config.numGpuBlocks,
        maxModelLen: config.maxModelLen,
        temperature: options.temperature ?? 0,
        numSpeculativeTokens: k,
        draftMethod: config.speculative?.method === 'ngram' ? 'ngram' : 'mtp',
        returnDrafts: !config.asyncScheduling,
        keepSteps: options.keepSteps ?? 8,
        numTopLogits: options.numTopLogits ?? 5,
        attentionPath: options.attention ?? 'reference',
      });
      onExecutor?.(ex);
      return ex;
    },
  };
}

export interface NumericEngine {
  readonly engine: Engine;
  readonly inspector: ModelInspector;
}

function build(make: (opts: EngineOptions) => Engine, options: NumericEngineOptions): NumericEngine {
  let current: NumericExecutor | null = null;
  const engine = make(numericEngineOptions(options, (ex) => (current = ex)));
  return { engine, inspector: new ModelInspector(() => current!) };
}

/** A tiny-V4 numeric engine; `config` overrides the numeric defaults (see `numericEngineConfig`). */
export function createNumericEngine(config: PartialEngineConfig = {}, options: NumericEngineOptions = {}): NumericEngine {
  const full = numericEngineConfig(config, options.model ?? {});
  resolveConfig(full);
  return build((o) => createEngine(full, o), options);
}

/** A numeric engine continuing from `snapshot` (pass the options of the original engine). */
export function restoreNumericEngine(snapshot: EngineSnapshot, options: NumericEngineOptions = {}): NumericEngine {
  return build((o) => restoreEngine(snapshot, o), options);
}
