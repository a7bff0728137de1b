/**
 * The knobs of one simulated serving run that the command lines do not carry: the vLLM era, the
 * GPU (named by `set: { hardware }` / `--hardware`, or chosen by one printed rule), cost constants,
 * acceptance, and the hardware-derived defaults handed to `fromVllmArgs` (the attention backend a
 * GPU picks, KV blocks from device memory). Every choice carries its reason for the facts block.
 */
import { EngineError } from '../base/errors';
import type { VllmArgsOptions } from '../config/vllm-args';
import { DEFAULT_COST_CONSTANTS, type CostConstants } from '../cost/cost-constants';
import { modelShapes, weightBytesPerGpu } from '../cost/model-shapes';
import type { AsyncSpecHostSync } from '../cost/step-timing';
import { hardwarePreset, withHardwareOverrides, type HardwarePreset } from '../presets/hardware-presets';
import type { ModelPreset } from '../presets/model-presets';
import { DEEPSEEK_MTP_ACCEPTANCE_RATES } from '../spec-decode/acceptance-model';
import { asyncDefaultRule, vllmEra, type MaxTokensCapToggle } from './vllm-eras';

export type SettingValue = string | number | boolean | readonly number[];

/** The GPU used when none is named (the rule the facts block prints). */
export const DEFAULT_HARDWARE = 'B200';

/**
 * Default per-request acceptance dispersion for simulated serving. Assumption: no public per-request
 * acceptance distribution for DeepSeek MTP exists (hardware-and-models.md §4.4). With the default
 * DeepSeek rates and k = 3, σ = 0.1 moves a request's mean acceptance length from 2.89 to about
 * 2.57 (−1σ) or 3.29 (+1σ). 0 reproduces vLLM's synthetic sampler, where every request is alike.
 */
export const DEFAULT_ACCEPTANCE_DISPERSION = 0.1;

/** Memory held back from the KV cache besides weights: activations, NCCL, CUDA graphs (assumption, bytes). */
export const NON_KV_RESERVE_BYTES = 12e9;

/** The resolved knobs of one simulation (what `set` changed is visible here). */
export interface SimulationSettings {
  readonly era: string;
  readonly hardware: HardwarePreset;
  /** Why this GPU: named, or the default rule. */
  readonly hardwareReason: string;
  readonly maxTokensCapPolicy: MaxTokensCapToggle;
  readonly asyncSpecHostSync: AsyncSpecHostSync;
  readonly uniformDecodeRequiresExactK: boolean;
  /** The attention backend's uniform query-length split (`cost/query-len-split.ts`); true = vLLM. */
  readonly uniformQueryLenSplit: boolean;
  readonly acceptanceRates: readonly number[];
  /** σ of the per-request log factor on acceptance (`spec-decode/dispersed-acceptance.ts`). */
  readonly acceptanceDispersion: number;
  /** Memory held back from the KV cache besides weights (`set.nonKvReserveBytes`, default `NON_KV_RESERVE_BYTES`). */
  readonly nonKvReserveBytes: number;
  readonly costConstants: CostConstants;
  /** Cost constants `set` changed: name → value (the facts block lists them). */
  readonly costOverrides: Readonly<Record<string, number>>;
  readonly hardwareOverrides: Readonly<Record<string, number>>;
  /** `set.asyncScheduling`, when given (it overrides the line). */
  readonly asyncOverride: boolean | null;
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

const KNOWN = 'era, hardware, hardware.<field>, asyncScheduling, maxTokensCapPolicy, asyncSpecHostSync, uniformDecodeRequiresExactK, uniformQueryLenSplit, acceptanceRates, acceptanceDispersion, nonKvReserveBytes';

export function resolveSettings(set: Readonly<Record<string, SettingValue>>, numSpecTokens: number): SimulationSettings {
  const era = set.era === undefined ? 'current' : String(set.era);
  const toggles = vllmEra(era);
  const named = set.hardware !== undefined;
  let hardware = hardwarePreset(named ? String(set.hardware) : DEFAULT_HARDWARE);
  const hardwareReason = named ? `named (${String(set.hardware)})` : `not named: ${DEFAULT_HARDWARE} by the default rule (pass --hardware NAME or set: { hardware })`;
  const hardwareOverrides: Record<string, number> = {};
  const costOverrides: Record<string, number> = {};
  let maxTokensCapPolicy = toggles.maxTokensCapPolicy;
  let asyncSpecHostSync = toggles.asyncSpecHostSync;
  let uniformDecodeRequiresExactK = true;
  let uniformQueryLenSplit = true;
  let acceptanceDispersion = DEFAULT_ACCEPTANCE_DISPERSION;
  let nonKvReserveBytes = NON_KV_RESERVE_BYTES;
  let acceptanceRates: readonly number[] = DEEPSEEK_MTP_ACCEPTANCE_RATES.slice(0, Math.max(1, numSpecTokens));
  let asyncOverride: boolean | null = null;
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
    } else if (name === 'uniformDecodeRequiresExactK') uniformDecodeRequiresExactK = asBool(name, v);
    else if (name === 'uniformQueryLenSplit') uniformQueryLenSplit = asBool(name, v);
    else if (name === 'acceptanceDispersion') acceptanceDispersion = asNumber(name, v); // range checked by DispersedAcceptance
    else if (name === 'nonKvReserveBytes') nonKvReserveBytes = asNumber(name, v);
    else if (name === 'asyncScheduling') asyncOverride = asBool(name, v);
    else if (name === 'acceptanceRates') acceptanceRates = Array.isArray(v) ? v : String(v).split(',').map(Number);
    else if (name.startsWith('hardware.')) hardwareOverrides[name.slice('hardware.'.length)] = asNumber(name, v);
    else if (name in DEFAULT_COST_CONSTANTS) costOverrides[name] = asNumber(name, v);
    else throw new EngineError(`set: unknown setting '${name}'; known: ${KNOWN}, or a cost constant (${Object.keys(DEFAULT_COST_CONSTANTS).join(', ')})`, name);
  }
  if (Object.keys(hardwareOverrides).length > 0) hardware = withHardwareOverrides(hardware, hardwareOverrides as Partial<HardwarePreset>);
  return {
    era, hardware, hardwareReason, maxTokensCapPolicy, asyncSpecHostSync, uniformDecodeRequiresExactK, uniformQueryLenSplit,
    acceptanceRates, acceptanceDispersion, nonKvReserveBytes, costConstants: { ...DEFAULT_COST_CONSTANTS, ...costOverrides }, costOverrides,
    hardwareOverrides, asyncOverride,
  };
}

/** The backend vLLM picks when none is named: a fact of the model's attention and of the GPU. */
export function defaultBackend(model: ModelPreset, hw: HardwarePreset): { name: string; why: string } {
  if (model.attention.kind === 'gqa') return { name: 'FLASH_ATTN', why: 'the default for grouped-query attention' };
  if (model.attention.indexerTopK !== undefined) return { name: 'FLASHMLA_SPARSE', why: 'the sparse-MLA backend DeepSeek sparse attention needs' };
  return { name: hw.defaultMlaBackend, why: `${hw.name}'s default MLA backend (hardware preset)` };
}

/** KV-cache bytes per token per layer (§6): latent (+ indexer) for MLA, K and V heads per rank for GQA. */
function kvBytesPerTokenLayer(model: ModelPreset, tp: number, kvCacheDtype: string): number {
  const a = model.attention;
  const fp8 = kvCacheDtype.toLowerCase().startsWith('fp8');
  if (a.kind === 'mla') return fp8 || a.indexerTopK !== undefined ? a.kvBytesPerTokenFp8 + (a.indexerBytesPerToken ?? 0) : (a.kvLoraRank + a.qkRopeHeadDim) * 2;
  return 2 * Math.max(1, a.numKvHeads / tp) * a.headDim * (fp8 ? 1 : 2);
}

/** The hardware/era defaults `fromVllmArgs` applies for this model on this GPU. */
export function servingDefaults(model: ModelPreset, s: SimulationSettings, line: { tensorParallelSize: number; kvCacheDtype: string; gpuMemoryUtilization: number }): VllmArgsOptions {
  const hw = s.hardware;
  return {
    defaultAttentionBackend: defaultBackend(model, hw),
    asyncDefault: asyncDefaultRule(s.era),
    modelMaxLen: model.maxPositionEmbeddings,
    numGpuBlocks: ({ blockSize }) => {
      const weights = weightBytesPerGpu(modelShapes(model, line.tensorParallelSize));
      const layers = model.numLayers + model.numMtpLayers;
      const perBlock = kvBytesPerTokenLayer(model, line.tensorParallelSize, line.kvCacheDtype) * layers * blockSize;
      const free = hw.memoryBytes * line.gpuMemoryUtilization - weights - s.nonKvReserveBytes;
      const value = Math.floor(free / perBlock);
      if (value < 2) {
        throw new EngineError(`model: ${model.name} at TP ${line.tensorParallelSize} does not fit on ${hw.name} (${(weights / 1e9).toFixed(1)} GB of weights per GPU)`, 'tensorParallelSize');
      }
      const gb = (x: number) => (x / 1e9).toFixed(1);
      return { value, why: `${hw.name} memory ${gb(hw.memoryBytes)} GB × ${line.gpuMemoryUtilization} − weights ${gb(weights)} GB − reserve ${gb(s.nonKvReserveBytes)} GB, over ${perBlock} B per block` };
    },
  };
}
