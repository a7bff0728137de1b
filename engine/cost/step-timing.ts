/**
 * How a step's host time combines with its GPU time (engine-semantics.md §7, §8.2, §11.5, §13.5).
 * Sync scheduling is strictly serial: schedule → prepare → GPU → update. Async scheduling overlaps
 * host work for step N+1 with step N on the GPU, so a step costs the longer of the two. Under the
 * #24799 behaviour with speculative decoding, the worker waits for step N's accepted counts before
 * preparing N+1, so input preparation hides only behind N's drafter passes, while schedule and
 * output processing still hide behind the target forward; #32951 ("zero bubble") removes the wait.
 */
import type { StepCost } from './step-cost-model';

/** The §11.7 toggle: host sync on accepted counts (#24799) or optimistic preparation (#32951). */
export type AsyncSpecHostSync = 'sync_24799' | 'zero_bubble_32951';

export interface StepTimingOptions {
  readonly asyncScheduling: boolean;
  readonly asyncSpecHostSync: AsyncSpecHostSync;
}

export interface StepTiming {
  readonly gpuSeconds: number;
  readonly hostSeconds: number;
  /** Host time the GPU waited for (the bubble). */
  readonly exposedHostSeconds: number;
  /** Wall time the step adds to the engine clock. */
  readonly stepSeconds: number;
}

export function stepTiming(cost: StepCost, o: StepTimingOptions): StepTiming {
  const gpu = cost.gpu.totalSeconds;
  const h = cost.host;
  const host = h.totalSeconds;
  let exposed: number;
  if (!o.asyncScheduling) {
    exposed = host;
  } else if (o.asyncSpecHostSync === 'sync_24799' && cost.gpu.drafterSeconds > 0) {
    const prep = h.prepareSeconds + h.readdSeconds + h.hostSyncSeconds;
    exposed = Math.max(0, prep - cost.gpu.drafterSeconds) + Math.max(0, h.scheduleSeconds + h.updateSeconds - cost.gpu.targetSeconds);
  } else {
    exposed = Math.max(0, host - gpu);
  }
  return { gpuSeconds: gpu, hostSeconds: host, exposedHostSeconds: exposed, stepSeconds: gpu + exposed };
}
