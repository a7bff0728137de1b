/**
 * Whole-step terms: a Llama-3.1-8B step on one H100 measured eager and captured in one CUDA graph,
 * priced by the engine's own `RooflineCostModel` (the same code every simulation runs). The graph
 * fit sets the graph replay overhead; the eager fit sets the host issue time per kernel and how far
 * it hides behind GPU time. The kernel-class constants are fixed by then (`gpu-kernel-fits.ts`).
 */
import type { HardwarePreset } from '../../presets/hardware-presets';
import type { CostConstants } from '../cost-constants';
import { eagerStepSeconds } from '../gpu-kernel-terms';
import { RooflineCostModel } from '../step-cost-model';
import type { StepCost } from '../step-cost-types';
import { splitHalves } from './held-back-split';
import type { TermFit } from './gpu-kernel-fits';
import type { CalibrationMeasurements, DenseStepPoint } from './measurements';

/** The measured step as the cost model sees it: decodes of `ctx` keys each, or one prefill. */
export function denseStepCost(p: DenseStepPoint, c: CostConstants, hw: HardwarePreset): StepCost {
  const m = new RooflineCostModel({
    model: 'llama-3.1-8b', hardware: hw, tensorParallelSize: 1, numSpecTokens: 0, cudagraphMode: 'NONE',
    maxNumSeqs: 1024, maxNumBatchedTokens: 16384, constants: c as unknown as Record<keyof CostConstants, number>,
  });
  const requests = p.phase === 'decode'
    ? Array.from({ length: p.batch }, () => ({ numScheduledTokens: 1, numContextTokens: p.ctx - 1, numDrafts: 0 }))
    : [{ numScheduledTokens: p.tokens, numContextTokens: 0, numDrafts: 0 }];
  return m.stepCost({ requests });
}

/** Forward time without sampling (the measured step ends at the logits) in a graph or eager. */
export function predictDenseStep(p: DenseStepPoint, c: CostConstants, hw: HardwarePreset): number {
  const s = denseStepCost(p, c, hw);
  const forward = s.gpu.targetSeconds - s.gpu.launchSeconds - s.gpu.samplerSeconds;
  return p.mode === 'graph' ? forward + c.fullGraphLaunchSeconds : eagerStepSeconds(c, forward, s.gpu.numKernels);
}

export const denseStepLabel = (p: DenseStepPoint) => (p.phase === 'decode' ? `decode B=${p.batch} ctx=${p.ctx} ${p.mode}` : `prefill ${p.tokens} ${p.mode}`);

export function stepFits(m: CalibrationMeasurements, hw: HardwarePreset): TermFit[] {
  const out: TermFit[] = [];
  for (const mode of ['graph', 'eager'] as const) {
    const pts = m.denseStep.filter((p) => p.mode === mode);
    out.push({
      term: `dense step (${mode === 'graph' ? 'one CUDA graph' : 'eager'})`,
      initial: mode === 'graph' ? { fullGraphLaunchSeconds: 10e-6 } : { eagerPerKernelSeconds: 10e-6, eagerLaunchOverlap: 0.9 },
      labels: pts.map(denseStepLabel),
      measuredSeconds: pts.map((p) => p.us * 1e-6),
      halves: splitHalves(pts, (p) => `${p.phase}/${p.ctx}`, (p) => p.tokens),
      predict: (c, i) => predictDenseStep(pts[i]!, c, hw),
    });
  }
  return out;
}
