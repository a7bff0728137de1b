/**
 * What a simulated run assumed, stated instead of silently applied: hardware and GPU count and why,
 * the era, async scheduling on/off and why, KV blocks and where they came from, the checkpoint and
 * its MoE path, cost constants that differ from the defaults, every accepted-but-not-modelled flag
 * and variable, and where request lengths came from. Printed under vLLM's summary block and stored
 * under the result JSON's own `enginelab` key.
 */
import type { EngineConfig } from '../config/engine-config';
import type { VllmArgsResult } from '../config/vllm-args';
import type { ModelPreset } from '../presets/model-presets';
import type { BenchServeConfig } from './bench-flags';
import type { SimulationSettings } from './serve-settings';

export interface SimulationFacts {
  readonly hardware: string;
  readonly hardwareReason: string;
  readonly numGpus: number;
  readonly era: string;
  readonly asyncScheduling: boolean;
  readonly asyncReason: string;
  readonly numGpuBlocks: number;
  readonly kvBlocksSource: string;
  readonly blockSize: number;
  readonly attentionBackend: string;
  readonly modelPreset: string;
  readonly checkpoint: string;
  readonly moePath: string;
  readonly client: string;
  readonly lengthSource: string;
  readonly costConstantsChanged: Readonly<Record<string, number>>;
  readonly hardwareFieldsChanged: Readonly<Record<string, number>>;
  readonly unmodelledServer: readonly string[];
  readonly unmodelledClient: readonly string[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** The MoE kernel path the checkpoint and environment select (reported; its cost is the bytes it reads). */
export function moePath(model: ModelPreset, env: Readonly<Record<string, string>>, notes: string[]): string {
  const ck = model.checkpoint;
  if (model.moe === undefined) return 'none (dense model)';
  const fp4 = ck?.quantization === 'modelopt_fp4';
  const backend = env.VLLM_FLASHINFER_MOE_BACKEND;
  if (!fp4 && env.VLLM_USE_FLASHINFER_MOE_FP4 === '1') notes.push('VLLM_USE_FLASHINFER_MOE_FP4=1 has no effect: the checkpoint\'s experts are not NVFP4');
  if (fp4 && env.VLLM_USE_FLASHINFER_MOE_FP8 === '1') notes.push('VLLM_USE_FLASHINFER_MOE_FP8=1 has no effect: the checkpoint\'s experts are NVFP4');
  if (fp4) {
    return env.VLLM_USE_FLASHINFER_MOE_FP4 === '1'
      ? `FlashInfer NVFP4 MoE${backend ? ` (${backend} kernels)` : ''}`
      : 'CUTLASS NVFP4 MoE (VLLM_USE_FLASHINFER_MOE_FP4 not set)';
  }
  if (env.VLLM_USE_FLASHINFER_MOE_FP8 === '1') return `FlashInfer block-FP8 MoE${backend ? ` (${backend} kernels)` : ''}`;
  return ck?.moePath ?? `fused MoE, experts at ${model.moe.expertWeightBytes} B/weight`;
}

export function simulationFacts(o: {
  config: EngineConfig; args: VllmArgsResult; model: ModelPreset; settings: SimulationSettings; bench: BenchServeConfig;
  lengthSource: string; moe: string; notes: readonly string[];
}): SimulationFacts {
  const c = o.config;
  const ck = o.model.checkpoint;
  const asyncReason = o.settings.asyncOverride !== null ? `set: { asyncScheduling: ${o.settings.asyncOverride} } overrides the line` : o.args.asyncReason;
  return {
    hardware: o.settings.hardware.name,
    hardwareReason: o.settings.hardwareReason,
    numGpus: c.tensorParallelSize * c.pipelineParallelSize * c.dataParallelSize,
    era: o.settings.era,
    asyncScheduling: c.asyncScheduling,
    asyncReason,
    numGpuBlocks: c.numGpuBlocks,
    kvBlocksSource: o.args.kvBlocksSource,
    blockSize: c.blockSize,
    attentionBackend: c.attentionBackend ?? 'none',
    modelPreset: o.model.name,
    checkpoint: ck ? `${ck.quantization}: experts ${ck.experts}; ${ck.attention}` : `weights ${o.model.weightBytes} B/param`,
    moePath: o.moe,
    client: o.bench.dialect === 'benchmark_serving' ? 'benchmark_serving.py (old vLLM script / harness fork rules)' : 'vllm bench serve',
    lengthSource: o.lengthSource,
    costConstantsChanged: o.settings.costOverrides,
    hardwareFieldsChanged: o.settings.hardwareOverrides,
    unmodelledServer: o.args.unmodelled,
    unmodelledClient: o.bench.ignoredFlags,
    notes: [...o.args.notes, ...o.notes],
    warnings: o.args.warnings,
  };
}

const kv = (r: Readonly<Record<string, number>>): string => (Object.keys(r).length === 0 ? 'none' : Object.entries(r).map(([k, v]) => `${k}=${v}`).join(', '));

/** The facts as a text block printed under vLLM's summary. */
export function formatFacts(f: SimulationFacts): string {
  const lines = [
    '=============== enginelab simulation ===============',
    `hardware: ${f.numGpus} × ${f.hardware} (${f.hardwareReason})`,
    `era: ${f.era}; async scheduling ${f.asyncScheduling ? 'on' : 'off'} (${f.asyncReason})`,
    `model: ${f.modelPreset}; checkpoint ${f.checkpoint}`,
    `MoE path: ${f.moePath}`,
    `attention: ${f.attentionBackend}, block size ${f.blockSize}; KV blocks ${f.numGpuBlocks} (${f.kvBlocksSource})`,
    `client: ${f.client}; request lengths: ${f.lengthSource}`,
    `cost constants changed: ${kv(f.costConstantsChanged)}; hardware fields changed: ${kv(f.hardwareFieldsChanged)}`,
    `accepted, not modelled (server): ${f.unmodelledServer.length === 0 ? 'none' : f.unmodelledServer.join('; ')}`,
    `accepted, not modelled (client): ${f.unmodelledClient.length === 0 ? 'none' : f.unmodelledClient.join('; ')}`,
  ];
  for (const n of f.notes) lines.push(`note: ${n}`);
  for (const w of f.warnings) lines.push(`warning: ${w}`);
  lines.push('='.repeat(50));
  return lines.join('\n');
}
