/**
 * `simulateServe({ serve, bench, env, set })`: a pasted `vllm serve` line (any spelling, with its
 * export lines) and a client line (`vllm bench serve` or `benchmark_serving.py`) run against the
 * engine, whose clock advances by the roofline cost model. The server line is read by the one
 * parser, `fromVllmArgs`, given the hardware- and era-dependent defaults (serve-settings.ts), so
 * `result.engineConfig` is what `fromVllmArgs` returns for the same line and defaults. `set` applies named
 * toggles: an `era` (vllm-eras.ts), `hardware`, `asyncScheduling`, `maxTokensCapPolicy`,
 * `asyncSpecHostSync`, `uniformDecodeRequiresExactK`, `uniformQueryLenSplit`, `acceptanceRates`,
 * `acceptanceDispersion`, any cost constant and any hardware field (`hardware.memoryBandwidth`).
 * `workload` replays given requests (e.g. a measured result's lengths and start times).
 */
import { EngineError } from '../base/errors';
import { numSpeculativeTokens, type EngineConfig } from '../config/engine-config';
import { fromVllmArgs, type VllmArgsResult } from '../config/vllm-args';
import { EngineCostModel } from '../cost/engine-cost-model';
import { createEngine } from '../api/create-engine';
import { modelPreset, type ModelPreset } from '../presets/model-presets';
import { DispersedAcceptance } from '../spec-decode/dispersed-acceptance';
import { MtpProposer } from '../spec-decode/mtp-proposer';
import type { ScheduleRecord } from '../trace/step-record';
import { fromBenchArgs } from './bench-args';
import type { BenchServeConfig } from './bench-flags';
import { runClient, type TimelineRow } from './client-loop';
import type { WorkloadRequest } from './datasets';
import { computeBenchmarkMetrics } from './metrics';
import { benchResultFilename, benchResultJson, type BenchServeResult } from './result-json';
import { formatFacts, moePath, simulationFacts, type SimulationFacts } from './serve-facts';
import { resolveSettings, servingDefaults, type SettingValue, type SimulationSettings } from './serve-settings';
import { formatBenchSummary } from './summary';
import { buildWorkload } from './workload';

export type { TimelineRow, ServeProgress } from './client-loop';
import type { ServeProgress } from './client-loop';

export interface SimulateServeOptions {
  /** The server line, optionally with its `export …` lines (a whole pasted report works). */
  readonly serve: string;
  /** The client line (`vllm bench serve …` or `python3 …/benchmark_serving.py …`). */
  readonly bench: string;
  /** `"VAR=value …"` or a map, added to the line's own environment. */
  readonly env?: string | Readonly<Record<string, string>>;
  readonly set?: Readonly<Record<string, SettingValue>>;
  /** Keep every batch's scheduled requests (`result.batches`) for step-level comparison. */
  readonly keepBatches?: boolean;
  /** The text of the client's `--dataset-path` file (sharegpt JSON, custom JSONL). */
  readonly datasetText?: string;
  /** Requests to send instead of sampling the dataset (request rows, or a measured file's workload). */
  readonly workload?: readonly WorkloadRequest[];
  /** Where `workload` came from, for the facts block. */
  readonly workloadSource?: string;
  /** Told after each finished request; only observes (the run is the same with or without it). */
  readonly onProgress?: (p: ServeProgress) => void;
}

export interface SimulateServeResult extends BenchServeResult {
  /** The engine config the run used: `fromVllmArgs(serve, env, servingDefaults(…))`. (`config` is the client's.) */
  readonly engineConfig: EngineConfig;
  /** The parse of the server line (unmodelled flags with values, notes, explicit keys). */
  readonly serveArgs: VllmArgsResult;
  readonly model: ModelPreset;
  readonly settings: SimulationSettings;
  readonly facts: SimulationFacts;
  readonly timeline: readonly TimelineRow[];
  /** Simulated seconds (the benchmark duration). */
  readonly simulatedSeconds: number;
  readonly numSteps: number;
  /** With `keepBatches`: each launched batch's schedule, aligned with `timeline`. */
  readonly batches: readonly ScheduleRecord[] | null;
  /** vLLM's summary block followed by the enginelab facts block. */
  summary(): string;
  /** vLLM's summary block alone, exactly as `vllm bench serve` prints it. */
  vllmSummary(): string;
  /** `--save-result` JSON for a caller-supplied `YYYYMMDD-HHMMSS` date, facts under `enginelab`. */
  resultJson(date: string): Record<string, unknown>;
  resultFilename(date: string): string;
}

function envMap(env: SimulateServeOptions['env']): Record<string, string> {
  if (env === undefined) return {};
  if (typeof env !== 'string') return { ...env };
  const out: Record<string, string> = {};
  for (const tok of env.split(/\s+/).filter(Boolean)) {
    const i = tok.indexOf('=');
    if (i <= 0) throw new EngineError(`env: expected VAR=value, got '${tok}'`, 'env');
    out[tok.slice(0, i)] = tok.slice(i + 1);
  }
  return out;
}

export function simulateServe(o: SimulateServeOptions): SimulateServeResult {
  if (o === null || typeof o !== 'object' || typeof o.serve !== 'string' || typeof o.bench !== 'string') {
    throw new EngineError('simulateServe expects { serve: "<vllm serve …>", bench: "<vllm bench serve …>" }', 'options');
  }
  const env = envMap(o.env);
  const line = fromVllmArgs(o.serve, env).config; // the model, TP and memory knobs the defaults depend on
  const model = modelPreset(line.model);
  const settings = resolveSettings(o.set ?? {}, numSpeculativeTokens(line));
  const args = fromVllmArgs(o.serve, env, servingDefaults(model, settings, line));
  const config: EngineConfig = settings.asyncOverride === null ? args.config : { ...args.config, asyncScheduling: settings.asyncOverride };
  const bench: BenchServeConfig = fromBenchArgs(o.bench);
  const k = numSpeculativeTokens(config);
  const cost = new EngineCostModel({
    model, hardware: settings.hardware, tensorParallelSize: config.tensorParallelSize, numSpecTokens: k, kvCacheDtype: config.kvCacheDtype,
    cudagraphMode: config.cudagraphMode, attentionBackend: config.attentionBackend ?? undefined, maxNumSeqs: config.maxNumSeqs,
    maxNumBatchedTokens: config.maxNumBatchedTokens, maxCaptureSize: config.maxCudagraphCaptureSize, captureSizes: config.cudagraphCaptureSizes,
    constants: settings.costConstants, asyncScheduling: config.asyncScheduling, asyncSpecHostSync: settings.asyncSpecHostSync,
    uniformDecodeRequiresExactK: settings.uniformDecodeRequiresExactK, uniformQueryLenSplit: settings.uniformQueryLenSplit,
  });
  const acceptance = new DispersedAcceptance(settings.acceptanceRates, settings.acceptanceDispersion);
  // The client's --seed seeds the engine (synthetic tokens, acceptance), as before the parser merge.
  const engineConfig: EngineConfig = {
    ...config, seed: bench.seed, maxTokensCapPolicy: settings.maxTokensCapPolicy,
    synthetic: { vocabSize: model.vocabSize, eosTokenId: null, acceptanceRates: [...settings.acceptanceRates] },
  };
  const engine = createEngine(engineConfig, { costModel: cost, acceptance: () => acceptance, proposer: () => (k > 0 ? new MtpProposer(k) : null) });
  const work = buildWorkload(bench, model, o);
  const run = runClient({
    engine, cost, requests: work.requests, release: work.release, maxConcurrency: bench.maxConcurrency, ignoreEos: bench.ignoreEos,
    maxModelLen: config.maxModelLen, numSpecTokens: k, keepBatches: o.keepBatches === true,
    onProgress: o.onProgress,
  });
  const metrics = computeBenchmarkMetrics(run.timings, run.duration, { percentiles: bench.metricPercentiles, goodput: bench.goodput ?? undefined });
  const modelId = bench.model ?? config.model;
  const base: BenchServeResult = {
    config: bench, modelId, tokenizerId: bench.tokenizer ?? modelId, duration: run.duration, metrics,
    specDecode: run.counters !== null ? run.counters.metrics() : null, outputs: run.timings,
  };
  const notes: string[] = [];
  const moe = moePath(model, args.env, notes);
  const facts = simulationFacts({ config, args, model, settings, bench, lengthSource: work.lengthSource, moe, notes });
  return {
    ...base,
    engineConfig: config, serveArgs: args, model, settings, facts,
    timeline: run.timeline,
    simulatedSeconds: run.duration,
    numSteps: run.numSteps,
    batches: run.batches,
    summary: () => `${formatBenchSummary(base)}\n${formatFacts(facts)}`,
    vllmSummary: () => formatBenchSummary(base),
    resultJson: (date: string) => ({ ...benchResultJson(base, date), enginelab: { ...facts, engineConfig: config } }),
    resultFilename: (date: string) => benchResultFilename(base, date),
  };
}
