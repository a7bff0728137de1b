/**
 * Fits the kernel-class constants to a calibration run, term by term, on the fitted half of each
 * sweep, and reports the error on both halves (`fitCalibration`). The committed H100 fit is
 * `H100_FITTED_CONSTANTS` in the generated module; a test re-runs this fit on the committed
 * measurements and requires the same numbers, so the defaults always follow the JSON.
 */
import { hardwarePreset, type HardwarePreset } from '../../presets/hardware-presets';
import { UNMEASURED_COST_CONSTANTS, type CostConstants } from '../cost-constants';
import { errorSummary, type ErrorSummary, type Half } from './held-back-split';
import { kernelFits, type ConstantName } from './gpu-kernel-fits';
import type { CalibrationMeasurements } from './measurements';
import { fitLogSquares, type ParamRange } from './nelder-mead';

/** Efficiencies and overlaps are shares of a peak (below 1); sharpnesses at least 1; the rest positive. */
export function constantRange(name: string): ParamRange {
  if (/Efficiency(Fp8)?$|Overlap$/.test(name)) return 'fraction';
  if (/Sharpness$/.test(name)) return 'atLeastOne';
  return 'positive';
}
import { stepFits } from './step-fits';

/** Starting values of every fitted constant (orders of magnitude; the fit moves them). */
export const FIT_START: Record<string, number> = {
  memoryBandwidthEfficiency: 0.85, gemmComputeEfficiency: 0.7, gemmFixedSeconds: 3e-6, gemmMinRows: 32, gemmSharpness: 3,
  fp8GemmMemoryEfficiency: 0.85, fp8GemmComputeEfficiency: 0.6, fp8GemmFixedSeconds: 3e-6, fp8GemmMinRows: 32, fp8GemmSharpness: 3,
  attentionComputeEfficiency: 0.5, prefillAttentionHalfTokens: 300, prefillAttentionFixedSeconds: 5e-6,
  gqaDecodeFixedSeconds: 5e-6, mlaDecodeFixedSeconds: 5e-6, gqaKvReadEfficiency: 0.8, gqaKvReadEfficiencyFp8: 0.7,
  mlaKvReadEfficiency: 0.8, mlaKvReadEfficiencyFp8: 0.7, gqaDecodeProgramsPerSm: 2, mlaDecodeProgramsPerSm: 2,
  gqaDecodeSecondsPerSplitKey: 50e-9, mlaDecodeSecondsPerSplitKey: 80e-9, gqaDecodeSecondsPerSplitKeyFp8: 50e-9, mlaDecodeSecondsPerSplitKeyFp8: 80e-9, decodeAttentionSharpness: 3, mlaDecodeSharpness: 3, elementwiseFixedSeconds: 2e-6, elementwiseBandwidthEfficiency: 0.8,
  moeFixedSeconds: 20e-6, moeBandwidthEfficiency: 0.7, moeComputeEfficiency: 0.3, moeRoutingSeconds: 30e-6,
  samplerBaseSeconds: 100e-6, samplerPerTokenSeconds: 2e-6, fullGraphLaunchSeconds: 10e-6,
  eagerPerKernelSeconds: 10e-6, eagerLaunchOverlap: 0.9,
};

export interface PointResult {
  readonly term: string;
  readonly label: string;
  readonly half: Half;
  readonly measuredUs: number;
  readonly predictedUs: number;
  /** predicted / measured − 1 */
  readonly error: number;
}

export interface TermResult {
  readonly term: string;
  readonly constants: readonly ConstantName[];
  readonly fitted: ErrorSummary;
  readonly heldBack: ErrorSummary;
}

export interface CalibrationFit {
  readonly constants: Record<string, number>;
  readonly terms: readonly TermResult[];
  readonly points: readonly PointResult[];
}

/** Every constant of the fit, in `FIT_START`'s order. */
export const FITTED_CONSTANT_NAMES = Object.keys(FIT_START) as ConstantName[];

/** Fits every term (or `onlyTerms`) on its fitted half; `hw` is the measured GPU's datasheet preset (default H100). */
export function fitCalibration(m: CalibrationMeasurements, hw: HardwarePreset = hardwarePreset('H100'), onlyTerms?: readonly string[]): CalibrationFit {
  const values: Record<string, number> = { ...FIT_START };
  const full = () => ({ ...values, ...UNMEASURED_COST_CONSTANTS }) as unknown as CostConstants;
  const terms: TermResult[] = [];
  const points: PointResult[] = [];
  const fits = [...kernelFits(m, hw), ...stepFits(m, hw)].filter((f) => !onlyTerms || onlyTerms.includes(f.term));
  for (const f of fits) {
    const names = Object.keys(f.initial) as ConstantName[];
    const idx = f.measuredSeconds.map((_, i) => i).filter((i) => f.halves[i] === 'fitted');
    if (idx.length > 0 && names.length > 0) {
      const start = Object.fromEntries(names.map((k) => [k, values[k] ?? f.initial[k]!])) as Record<ConstantName, number>;
      const got = fitLogSquares(names, start, (p, j) => f.predict({ ...full(), ...p }, idx[j]!), idx.map((i) => f.measuredSeconds[i]!), constantRange);
      Object.assign(values, got);
    }
    const c = full();
    const rel: Record<Half, number[]> = { fitted: [], heldBack: [] };
    f.measuredSeconds.forEach((meas, i) => {
      const pred = f.predict(c, i);
      const err = pred / meas - 1;
      rel[f.halves[i]!].push(err);
      points.push({ term: f.term, label: f.labels[i]!, half: f.halves[i]!, measuredUs: meas * 1e6, predictedUs: pred * 1e6, error: err });
    });
    terms.push({ term: f.term, constants: names, fitted: errorSummary(rel.fitted), heldBack: errorSummary(rel.heldBack) });
  }
  return { constants: values, terms, points };
}
