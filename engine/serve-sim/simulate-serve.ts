/**
 * `simulateServe({ serve, bench, env, set })`: a `vllm serve` line and a `vllm bench serve` line run
 * against the engine, whose clock advances by the roofline cost model. The client side follows
 * `vllm bench serve` (engine-semantics.md §12): random dataset, release times, a max-concurrency
 * semaphore (a request's clock starts when it gets a slot), one streamed chunk per engine step that
 * emits tokens for the request, and vLLM's metrics over those timings. `set` applies named
 * toggles: an `era` (vllm-eras.ts), `maxTokensCapPolicy`, `asyncSpecHostSync`,
 * `uniformDecodeRequiresExactK`, `uniformQueryLenSplit`, `asyncScheduling`, `hardware`,
 * `acceptanceRates`, `acceptanceDispersion`, any cost constant, and any hardware field
 * (`hardware.memoryBandwidth`).
 */
import { EngineError } from '../base/errors';
import { EngineCostModel, type StepCostRecord } from '../cost/engine-cost-model';
import { DEFAULT_COST_CONSTANTS, type CostConstants } from '../cost/cost-constants';
import { modelShapes, weightBytesPerGpu } from '../cost/model-shapes';
import type { AsyncSpecHostSync } from '../cost/step-timing';
import { createEngine } from '../create-engine';
import type { ScheduleRecord } from '../trace/step-record';
import { hardwarePreset, withHardwareOverrides, type HardwarePreset } from '../presets/hardware-presets';
import { DEEPSEEK_MTP_ACCEPTANCE_RATES } from '../spec-decode/acceptance-model';
import { DispersedAcceptance } from '../spec-decode/dispersed-acceptance';
import { MtpProposer } from '../spec-decode/mtp-proposer';
import { SpecDecodeCounters } from '../spec-decode/spec-decode-counters';
import { fromBenchArgs, type BenchServeConfig } from './bench-args';
import { computeBenchmarkMetrics, type RequestTiming } from './metrics';
import { sampleRandomRequests } from './random-dataset';
import { benchResultFilename, benchResultJson, type BenchServeResult } from './result-json';
import { parseServeCommand, type ServeDeployment } from './serve-command';
import { formatBenchSummary } from './summary';
import { requestReleaseTimes } from './traffic';
import { vllmEra, type MaxTokensCapToggle } from './vllm-eras';

/**
 * Default per-request acceptance dispersion for simulated serving. Assumption: no public per-request
 * acceptance distribution for DeepSeek MTP exists (hardware-and-models.md §4.4). With the default
 * DeepSeek rates and k = 3, σ = 0.1 moves a request's mean acceptance length from 2.89 to about
 * 2.57 (−1σ) or 3.29 (+1σ). 0 reproduces vLLM's synthetic sampler, where every request is alike.
 */
export const DEFAULT_ACCEPTANCE_DISPERSION = 0.1;

export type SettingValue = string | number | boolean | readonly number[];

export interface SimulateServeOptions {
  readonly serve: string;
  readonly bench: string;
  /** `"VAR=value …"` or a map. */
  readonly env?: string | Readonly<Record<string, string>>;
  readonly set?: Readonly<Record<string, SettingValue>>;
  /** Keep every batch's scheduled requests (`result.batches`) for step-level comparison. */
  readonly keepBatches?: boolean;
  /** Told after each finished request; only observes (the run is the same with or without it). */
  readonly onProgress?: (p: { readonly numCompleted: number; readonly numRequests: number; readonly numSteps: number; readonly simulatedUs: number }) => void;
}

/** The resolved knobs of one simulation (what `set` changed is visible here). */
export interface SimulationSettings {
  readonly era: string;
  readonly hardware: HardwarePreset;
  readonly asyncScheduling: boolean;
  readonly maxTokensCapPolicy: MaxTokensCapToggle;
  readonly asyncSpecHostSync: AsyncSpecHostSync;
  readonly uniformDecodeRequiresExactK: boolean;
  /** The attention backend's uniform query-length split (`cost/query-len-split.ts`); true = vLLM. */
  readonly uniformQueryLenSplit: boolean;
  readonly acceptanceRates: readonly number[];
  /** σ of the per-request log factor on acceptance (`spec/dispersed-acceptance.ts`). */
  readonly acceptanceDispersion: number;
  readonly costConstants: CostConstants;
  readonly attentionBackend: string;
  readonly numGpuBlocks: number;
  readonly blockSize: number;
}

/** One engine batch on the timeline (times in µs of simulated time). */
export interface TimelineRow extends StepCostRecord {
  readonly startUs: number;
  readonly endUs: number;
  /** Tokens this batch emitted to clients (after stop truncation), known once its output is processed. */
  readonly numEmittedTokens: number;
  /** Requests this batch finished. */
  readonly numFinished: number;
}

export interface SimulateServeResult extends BenchServeResult {
  readonly deployment: ServeDeployment;
  readonly settings: SimulationSettings;
  readonly timeline: readonly TimelineRow[];
  /** Simulated seconds (the benchmark duration). */
  readonly simulatedSeconds: number;
  readonly numSteps: number;
  /** With `keepBatches`: each launched batch's schedule, aligned with `timeline`. */
  readonly batches: readonly ScheduleRecord[] | null;
  /** vLLM's summary block. */
  summary(): string;
  /** `--save-result` JSON for a caller-supplied `YYYYMMDD-HHMMSS` date. */
  resultJson(date: string): Record<string, unknown>;
  resultFilename(date: string): string;
}

/** Memory held back from the KV cache besides weights: activations, NCCL, CUDA graphs (assumption, bytes). */
export const NON_KV_RESERVE_BYTES = 12e9;

function defaultBackend(d: ServeDeployment, hw: HardwarePreset): string {
  if (d.model.attention.kind === 'gqa') return 'FLASH_ATTN';
  if (d.model.attention.indexerTopK !== undefined) return 'FLASHMLA_SPARSE';
  return hw.name === 'B200' ? 'CUTLASS_MLA' : 'FLASHMLA';
}

function asBool(name: string, v: SettingValue): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new EngineError(`set.${name}: expected true or false, got ${String(v)}`, name);
}

function asNumber(name: string, v: SettingValue): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (typeof v === 'boolean' || Array.isArray(v) || !Number.isFinite(n)) throw new EngineError(`set.${name}: expected a number, got ${String(v)}`, name);
  return n;
}

function resolveSettings(d: ServeDeployment, set: Readonly<Record<string, SettingValue>>, explicitAsync: boolean | null): SimulationSettings & { hardwareOverrides: Record<string, number> } {
  const eraName = set.era === undefined ? 'current' : String(set.era);
  const era = vllmEra(eraName);
  let hardware = hardwarePreset(set.hardware === undefined ? 'B200' : String(set.hardware));
  const hardwareOverrides: Record<string, number> = {};
  const costOverrides: Record<string, number> = {};
  let maxTokensCapPolicy = era.maxTokensCapPolicy;
  let asyncSpecHostSync = era.asyncSpecHostSync;
  let uniformDecodeRequiresExactK = true;
  let uniformQueryLenSplit = true;
  let acceptanceDispersion = DEFAULT_ACCEPTANCE_DISPERSION;
  let acceptanceRates: readonly number[] = DEEPSEEK_MTP_ACCEPTANCE_RATES.slice(0, Math.max(1, d.numSpeculativeTokens));
  let asyncScheduling = explicitAsync ?? (d.numSpeculativeTokens > 0 && era.asyncByDefaultWithSpec);
  for (const [name, v] of Object.entries(set)) {
    if (name === 'era' || name === 'hardware') continue;
    if (name === 'maxTokensCapPolicy') {
      const p = String(v);
      if (!['none', 'cap_27922', 'cap_29542', 'skip_29759'].includes(p)) throw new EngineError(`set.maxTokensCapPolicy: unknown policy '${p}'; known: none, cap_27922, cap_29542, skip_29759`, name);
      maxTokensCapPolicy = p as MaxTokensCapToggle;
    } else if (name === 'asyncSpecHostSync') {
      const p = String(v);
      if (p !== 'sync_24799' && p !== 'zero_bubble_32951') throw new EngineError(`set.asyncSpecHostSync: unknown value '${p}'; known: sync_24799, zero_bubble_32951`, name);
      asyncSpecHostSync = p;
    } else if (name === 'uniformDecodeRequiresExactK') {
      uniformDecodeRequiresExactK = asBool(name, v);
    } else if (name === 'uniformQueryLenSplit') {
      uniformQueryLenSplit = asBool(name, v);
    } else if (name === 'acceptanceDispersion') {
      acceptanceDispersion = asNumber(name, v); // its range is checked by DispersedAcceptance
    } else if (name === 'asyncScheduling') {
      asyncScheduling = asBool(name, v);
    } else if (name === 'acceptanceRates') {
      acceptanceRates = Array.isArray(v) ? v : String(v).split(',').map(Number);
    } else if (name.startsWith('hardware.')) {
      hardwareOverrides[name.slice('hardware.'.length)] = asNumber(name, v);
    } else if (name in DEFAULT_COST_CONSTANTS) {
      costOverrides[name] = asNumber(name, v);
    } else {
      throw new EngineError(
        `set: unknown setting '${name}'; known: era, hardware, hardware.<field>, asyncScheduling, maxTokensCapPolicy, asyncSpecHostSync, uniformDecodeRequiresExactK, uniformQueryLenSplit, acceptanceRates, acceptanceDispersion, or a cost constant (${Object.keys(DEFAULT_COST_CONSTANTS).join(', ')})`,
        name,
      );
    }
  }
  if (Object.keys(hardwareOverrides).length > 0) hardware = withHardwareOverrides(hardware, hardwareOverrides as Partial<HardwarePreset>);
  const costConstants = { ...DEFAULT_COST_CONSTANTS, ...costOverrides };
  const attentionBackend = d.attentionBackend ?? defaultBackend(d, hardware);
  const blockSize = d.blockSize ?? (attentionBackend === 'FLASHINFER_MLA' ? 32 : attentionBackend === 'FLASHMLA' || attentionBackend === 'FLASHMLA_SPARSE' ? 64 : 16);
  // KV capacity (§6): memory × utilisation − weights − reserve, over every layer's page (MTP included).
  const shapes = modelShapes(d.model, d.tensorParallelSize);
  const a = d.model.attention;
  const fp8 = d.kvCacheDtype.toLowerCase().startsWith('fp8');
  const perTokenLayer = a.kind === 'mla'
    ? (fp8 || a.indexerTopK !== undefined ? a.kvBytesPerTokenFp8 + (a.indexerBytesPerToken ?? 0) : (a.kvLoraRank + a.qkRopeHeadDim) * 2)
    : 2 * Math.max(1, a.numKvHeads / d.tensorParallelSize) * a.headDim * (fp8 ? 1 : 2);
  const numLayers = d.model.numLayers + d.model.numMtpLayers;
  const freeBytes = hardware.memoryBytes * d.gpuMemoryUtilization - weightBytesPerGpu(shapes) - NON_KV_RESERVE_BYTES;
  const numGpuBlocks = Math.floor(freeBytes / (perTokenLayer * numLayers * blockSize));
  if (numGpuBlocks < 2) {
    throw new EngineError(
      `model: ${d.model.name} at TP ${d.tensorParallelSize} does not fit on ${hardware.name} (${(weightBytesPerGpu(shapes) / 1e9).toFixed(1)} GB of weights per GPU)`,
      'tensorParallelSize',
    );
  }
  return {
    era: eraName, hardware, asyncScheduling, maxTokensCapPolicy, asyncSpecHostSync, uniformDecodeRequiresExactK, uniformQueryLenSplit,
    acceptanceRates, acceptanceDispersion,
    costConstants, attentionBackend, numGpuBlocks, blockSize, hardwareOverrides,
  };
}

export function simulateServe(o: SimulateServeOptions): SimulateServeResult {
  if (o === null || typeof o !== 'object' || typeof o.serve !== 'string' || typeof o.bench !== 'string') {
    throw new EngineError('simulateServe expects { serve: "<vllm serve …>", bench: "<vllm bench serve …>" }', 'options');
  }
  const d = parseServeCommand(o.serve, o.env);
  const bench: BenchServeConfig = fromBenchArgs(o.bench);
  const explicitAsync = /--no-async-scheduling\b/.test(o.serve) ? false : /--async-scheduling\b/.test(o.serve) ? true : null;
  const s = resolveSettings(d, o.set ?? {}, explicitAsync);
  const k = d.numSpeculativeTokens;
  const cost = new EngineCostModel({
    model: d.model, hardware: s.hardware, tensorParallelSize: d.tensorParallelSize, numSpecTokens: k, kvCacheDtype: d.kvCacheDtype,
    cudagraphMode: d.cudagraphMode, attentionBackend: s.attentionBackend, maxNumSeqs: d.maxNumSeqs, maxNumBatchedTokens: d.maxNumBatchedTokens,
    maxCaptureSize: d.maxCudagraphCaptureSize, captureSizes: d.cudagraphCaptureSizes, constants: s.costConstants,
    asyncScheduling: s.asyncScheduling, asyncSpecHostSync: s.asyncSpecHostSync, uniformDecodeRequiresExactK: s.uniformDecodeRequiresExactK,
    uniformQueryLenSplit: s.uniformQueryLenSplit,
  });
  const acceptance = new DispersedAcceptance(s.acceptanceRates, s.acceptanceDispersion);
  const engine = createEngine(
    {
      seed: bench.seed, model: d.model.name, blockSize: s.blockSize, numGpuBlocks: s.numGpuBlocks, maxModelLen: d.maxModelLen,
      maxNumSeqs: d.maxNumSeqs, maxNumBatchedTokens: d.maxNumBatchedTokens, enableChunkedPrefill: d.enableChunkedPrefill,
      enablePrefixCaching: d.enablePrefixCaching, asyncScheduling: s.asyncScheduling,
      speculative: k > 0 ? { method: 'mtp', numSpeculativeTokens: k } : null, maxTokensCapPolicy: s.maxTokensCapPolicy,
      tensorParallelSize: d.tensorParallelSize, kvCacheDtype: d.kvCacheDtype, gpuMemoryUtilization: d.gpuMemoryUtilization,
      cudagraphMode: d.cudagraphMode, maxCudagraphCaptureSize: d.maxCudagraphCaptureSize, attentionBackend: s.attentionBackend,
      synthetic: { vocabSize: d.model.vocabSize, eosTokenId: null, acceptanceRates: [...s.acceptanceRates] },
    },
    { costModel: cost, acceptance: () => acceptance, proposer: () => (k > 0 ? new MtpProposer(k) : null) },
  );

  const reqs = sampleRandomRequests({
    numPrompts: bench.numPrompts, inputLen: bench.randomInputLen, outputLen: bench.randomOutputLen, rangeRatio: bench.randomRangeRatio,
    prefixLen: bench.randomPrefixLen, seed: bench.seed, vocabSize: d.model.vocabSize,
  });
  const release = requestReleaseTimes({ numRequests: reqs.length, requestRate: bench.requestRate, burstiness: bench.burstiness, seed: bench.seed });
  const n = reqs.length;
  const limit = bench.maxConcurrency ?? Infinity;
  const startUs = new Float64Array(n);
  const chunkTimes: number[][] = reqs.map(() => []);
  const numOut = new Int32Array(n);
  const doneAt = new Float64Array(n).fill(-1);
  const idOf = (i: number) => `bench-${i}`;
  const indexOf = new Map<string, number>();
  const counters = k > 0 ? new SpecDecodeCounters(k) : null;
  const timeline: { -readonly [K in keyof TimelineRow]: TimelineRow[K] }[] = [];
  const rowOfBatch = new Map<number, number>();
  const batches: ScheduleRecord[] | null = o.keepBatches ? [] : null;
  let next = 0;
  let active = 0;
  let completed = 0;
  let steps = 0;
  let deviceFreeAt = 0;
  let costSeen = 0;
  while (completed < n) {
    while (next < n && active < limit) {
      // The slot is free now; the request is sent at its release time or now, whichever is later.
      const at = Math.max(release[next]! * 1e6, engine.clockUs);
      const id = idOf(next);
      indexOf.set(id, next);
      startUs[next] = at;
      engine.addRequest({ requestId: id, promptLen: Math.min(reqs[next]!.promptLen, d.maxModelLen - 1), maxTokens: Math.max(1, Math.min(reqs[next]!.expectedOutputLen, d.maxModelLen - reqs[next]!.promptLen)), ignoreEos: bench.ignoreEos, arrivalTime: at });
      next++;
      active++;
    }
    const before = engine.clockUs;
    const rec = engine.step();
    steps++;
    if (rec.schedule !== null) {
      const c = cost.records[costSeen++];
      if (c !== undefined) {
        const start = Math.max(before, deviceFreeAt);
        deviceFreeAt = start + c.stepUs;
        rowOfBatch.set(c.batchId, timeline.length);
        timeline.push({ ...c, startUs: start, endUs: deviceFreeAt, numEmittedTokens: 0, numFinished: 0 });
        if (batches !== null) batches.push(rec.schedule);
      }
    }
    if (rec.processed !== null) {
      const row = timeline[rowOfBatch.get(rec.processed.batchId) ?? -1];
      for (const out of rec.processed.outputs) {
        if (row !== undefined) {
          row.numEmittedTokens += out.newTokenIds.length;
          if (out.finishReason !== null) row.numFinished++;
        }
        const i = indexOf.get(out.reqId);
        if (i === undefined) continue;
        if (out.newTokenIds.length > 0) {
          chunkTimes[i]!.push(rec.timeUs);
          numOut[i]! += out.newTokenIds.length;
        }
        if (counters !== null && out.numDraftTokens > 0) counters.observe(out.numDraftTokens, out.numAcceptedTokens);
        if (out.finishReason !== null && doneAt[i]! < 0) {
          doneAt[i] = rec.timeUs;
          completed++;
          active--;
          o.onProgress?.({ numCompleted: completed, numRequests: n, numSteps: steps, simulatedUs: rec.timeUs });
        }
      }
    }
    if (steps > 50_000_000) throw new EngineError('simulateServe: step limit reached without finishing the benchmark', 'bench');
  }
  const timings: RequestTiming[] = reqs.map((r, i) => {
    const ch = chunkTimes[i]!;
    const s0 = startUs[i]!;
    const itl: number[] = [];
    for (let j = 1; j < ch.length; j++) itl.push((ch[j]! - ch[j - 1]!) / 1e6);
    return {
      success: ch.length > 0, promptLen: r.promptLen, outputTokens: numOut[i]!, startTime: s0 / 1e6,
      ttft: ch.length > 0 ? (ch[0]! - s0) / 1e6 : 0, itl, latency: ch.length > 0 ? (ch[ch.length - 1]! - s0) / 1e6 : 0,
    };
  });
  let end = 0;
  for (let i = 0; i < n; i++) end = Math.max(end, doneAt[i]!);
  const duration = end / 1e6;
  const metrics = computeBenchmarkMetrics(timings, duration, { percentiles: bench.metricPercentiles, goodput: bench.goodput ?? undefined });
  const modelId = bench.model ?? d.modelName;
  const base: BenchServeResult = {
    config: bench, modelId, tokenizerId: bench.tokenizer ?? modelId, duration, metrics,
    specDecode: counters !== null ? counters.metrics() : null, outputs: timings,
  };
  const { hardwareOverrides: _unused, ...settings } = s;
  return {
    ...base,
    deployment: d,
    settings,
    timeline,
    simulatedSeconds: duration,
    numSteps: steps,
    batches,
    summary: () => formatBenchSummary(base),
    resultJson: (date: string) => benchResultJson(base, date),
    resultFilename: (date: string) => benchResultFilename(base, date),
  };
}
