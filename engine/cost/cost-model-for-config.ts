/**
 * `costModelForConfig(config, { hardware })`: the roofline cost model for an engine config, so a
 * notebook plugs it in with one line — `createEngine(cfg, { costModel: costModelForConfig(
 * resolveConfig(cfg), { hardware: 'B200' }) })` — and the engine clock advances by modelled time.
 * Model name, TP, k, KV dtype, CUDA-graph settings, budget sizes and the scheduling mode are read
 * from the config; the rest (hardware, §11.7 host-sync toggle, constants) is given here.
 */
import type { EngineConfig } from '../config/engine-config';
import type { HardwarePreset } from '../presets/hardware-presets';
import type { CostConstants } from './cost-constants';
import { EngineCostModel } from './engine-cost-model';
import type { AsyncSpecHostSync } from './step-timing';

export interface CostModelForConfigOptions {
  readonly hardware: HardwarePreset | string;
  readonly asyncSpecHostSync?: AsyncSpecHostSync;
  readonly uniformDecodeRequiresExactK?: boolean;
  readonly constants?: Partial<Record<keyof CostConstants, number>>;
  /** Attention backend when the config names none (none = assume an `UNIFORM_BATCH` backend). */
  readonly attentionBackend?: string;
}

export function costModelForConfig(config: EngineConfig, o: CostModelForConfigOptions): EngineCostModel {
  const k = config.speculative?.numSpeculativeTokens ?? 0;
  return new EngineCostModel({
    model: config.model,
    hardware: o.hardware,
    tensorParallelSize: config.tensorParallelSize,
    numSpecTokens: k,
    kvCacheDtype: config.kvCacheDtype,
    cudagraphMode: config.cudagraphMode,
    attentionBackend: config.attentionBackend ?? o.attentionBackend ?? null,
    maxNumSeqs: config.maxNumSeqs,
    maxNumBatchedTokens: config.maxNumBatchedTokens,
    maxCaptureSize: config.maxCudagraphCaptureSize,
    captureSizes: config.cudagraphCaptureSizes,
    asyncScheduling: config.asyncScheduling,
    ...(o.asyncSpecHostSync ? { asyncSpecHostSync: o.asyncSpecHostSync } : {}),
    ...(o.uniformDecodeRequiresExactK !== undefined ? { uniformDecodeRequiresExactK: o.uniformDecodeRequiresExactK } : {}),
    ...(o.constants ? { constants: o.constants } : {}),
  });
}
