/**
 * GPU figures as data (hardware-and-models.md §2). Peak FLOP rates are *dense* (no 2:4
 * sparsity); link bandwidth is unidirectional per GPU (NVLink's marketing figure is
 * bidirectional, so it is halved here). Labels in `source` follow that document: [src], [2nd],
 * [derived], [unverified].
 */
import { EngineError } from '../base/errors';

export interface HardwarePreset {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Device memory visible per GPU, bytes. */
  readonly memoryBytes: number;
  /** Peak memory bandwidth per GPU, bytes/s. */
  readonly memoryBandwidth: number;
  /** Dense peak FLOP/s per GPU by operand type. */
  readonly peakFlops: { readonly bf16: number; readonly fp8: number; readonly fp4: number };
  /** Scale-up link bandwidth per GPU, one direction, bytes/s (NVLink; PCIe or Ethernet if none). */
  readonly linkBandwidth: number;
  readonly linkName: string;
  /** Largest tensor-parallel group one box of these GPUs supports. */
  readonly maxTensorParallel: number;
  readonly numSms: number;
  /** The dense-MLA attention backend vLLM picks on this GPU when none is named (its backend priority list). */
  readonly defaultMlaBackend: string;
  readonly source: string;
  /**
   * How the cost model's kernel-class constants apply here: `measured` where the committed
   * calibration ran on this GPU; `derived` where the efficiencies fitted on the H100 are carried
   * over and every roofline time scales by this GPU's datasheet peaks over the H100's.
   */
  readonly calibration: 'measured' | 'derived';
}

const TB = 1e12;
const GB = 1e9;
const PF = 1e15;
const TF = 1e12;

export const HARDWARE_PRESETS: readonly HardwarePreset[] = [
  {
    name: 'B200', calibration: 'derived', aliases: ['b200', 'hgx-b200', 'dgx-b200', 'nvidia-b200'],
    memoryBytes: 180 * GB, memoryBandwidth: 8 * TB,
    peakFlops: { bf16: 2.25 * PF, fp8: 4.5 * PF, fp4: 9 * PF },
    linkBandwidth: 0.9 * TB, linkName: 'NVLink 5 (1.8 TB/s bidirectional)', maxTensorParallel: 8, numSms: 148, defaultMlaBackend: 'CUTLASS_MLA',
    source: 'HGX/DGX B200 1000 W: 180 GB [2nd], 8 TB/s [2nd], dense 2.25/4.5/9 PF, NVLink 5 1.8 TB/s bidir, 148 SMs [src]',
  },
  {
    name: 'H100', calibration: 'measured', aliases: ['h100', 'h100-sxm', 'h100-sxm5', 'nvidia-h100'],
    memoryBytes: 80 * GB, memoryBandwidth: 3.35 * TB,
    peakFlops: { bf16: 989 * TF, fp8: 1979 * TF, fp4: 1979 * TF },
    linkBandwidth: 0.45 * TB, linkName: 'NVLink 4 (900 GB/s bidirectional)', maxTensorParallel: 8, numSms: 132, defaultMlaBackend: 'FLASHMLA',
    source: 'H100 SXM5: 80 GB HBM3, 3.35 TB/s, dense 989 TF BF16 / 1979 TF FP8, NVLink 4 900 GB/s (no FP4: FP8 rate used)',
  },
  {
    name: 'H200', calibration: 'derived', aliases: ['h200', 'h200-sxm', 'nvidia-h200'],
    memoryBytes: 141 * GB, memoryBandwidth: 4.8 * TB,
    peakFlops: { bf16: 989 * TF, fp8: 1979 * TF, fp4: 1979 * TF },
    linkBandwidth: 0.45 * TB, linkName: 'NVLink 4 (900 GB/s bidirectional)', maxTensorParallel: 8, numSms: 132, defaultMlaBackend: 'FLASHMLA',
    source: 'H200 SXM: 141 GB HBM3e, 4.8 TB/s, dense 989 TF BF16 / 1979 TF FP8, NVLink 4 900 GB/s (no FP4: FP8 rate used)',
  },
  {
    name: 'RTX-PRO-6000', calibration: 'derived', aliases: ['rtx pro 6000', 'rtx-pro-6000-blackwell', 'rtx pro 6000 blackwell', 'rtxpro6000', 'sm120'],
    memoryBytes: 96 * GB, memoryBandwidth: 1.792 * TB,
    peakFlops: { bf16: 0.5 * PF, fp8: 1 * PF, fp4: 2 * PF },
    linkBandwidth: 32 * GB, linkName: 'PCIe Gen5 x16 (no NVLink)', maxTensorParallel: 8, numSms: 188, defaultMlaBackend: 'TRITON_MLA',
    source: 'RTX PRO 6000 Blackwell: 96 GB GDDR7, 1,792 GB/s, ~0.5/1/2 PF dense [derived], PCIe Gen5 x16, 188 SMs',
  },
  {
    name: 'GB10', calibration: 'derived', aliases: ['gb10', 'dgx-spark', 'dgx spark', 'spark', 'sm121'],
    memoryBytes: 128 * GB, memoryBandwidth: 273 * GB,
    peakFlops: { bf16: 0.125 * PF, fp8: 0.25 * PF, fp4: 0.5 * PF },
    linkBandwidth: 25 * GB, linkName: '2x 200 GbE ConnectX-7 between boxes', maxTensorParallel: 2, numSms: 48, defaultMlaBackend: 'TRITON_MLA',
    source: 'GB10 / DGX Spark: 128 GB LPDDR5x unified, 273 GB/s, ~0.125/0.25/0.5 PF dense [derived, unverified], 48 SMs [derived]',
  },
];

export function knownHardwareNames(): string[] {
  return [...HARDWARE_PRESETS.map((h) => h.name), ...HARDWARE_PRESETS.flatMap((h) => h.aliases)];
}

/** The preset for a GPU name (case-insensitive; canonical name or alias). */
export function hardwarePreset(name: string): HardwarePreset {
  const known = HARDWARE_PRESETS.map((h) => h.name).join(', ');
  if (typeof name !== 'string' || name.trim() === '') {
    throw new EngineError(`hardware: expected a GPU name; known hardware: ${known}`, 'hardware');
  }
  const want = name.trim().toLowerCase();
  for (const h of HARDWARE_PRESETS) {
    if (h.name.toLowerCase() === want || h.aliases.some((a) => a.toLowerCase() === want)) return h;
  }
  throw new EngineError(`hardware: unknown hardware '${name}'; known hardware: ${known}`, 'hardware');
}

/** A copy of `preset` with some fields replaced; unknown fields are rejected by name. */
export function withHardwareOverrides(preset: HardwarePreset, overrides: Partial<HardwarePreset>): HardwarePreset {
  for (const key of Object.keys(overrides)) {
    if (!(key in preset)) throw new EngineError(`hardware override: unknown field '${key}'`, key);
  }
  return { ...preset, ...overrides };
}
