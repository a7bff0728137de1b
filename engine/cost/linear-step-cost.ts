/**
 * A linear step-time model `fixedUs + perTokenUs·tokens + perRequestUs·requests` (the BLIS form):
 * the default clock for notebooks until a calibrated cost model is plugged in through
 * `withCostModel`. Its default coefficients are round illustrative numbers, not measurements.
 */
import { EngineError } from '../base/errors';
import type { SchedulerOutput } from '../contracts/scheduler-output';
import type { StepCostModel } from '../contracts/executor';

export interface LinearStepCost {
  readonly fixedUs: number;
  readonly perTokenUs: number;
  readonly perRequestUs: number;
}

export const DEFAULT_LINEAR_STEP_COST: LinearStepCost = { fixedUs: 5000, perTokenUs: 5, perRequestUs: 20 };

export function linearStepCost(c: LinearStepCost = DEFAULT_LINEAR_STEP_COST): StepCostModel {
  for (const k of ['fixedUs', 'perTokenUs', 'perRequestUs'] as const) {
    if (!(typeof c[k] === 'number' && c[k] >= 0 && Number.isFinite(c[k]))) throw new EngineError(`${k} must be a finite number >= 0`, k);
  }
  return {
    stepTimeUs(so: SchedulerOutput): number {
      if (so.totalNumScheduledTokens === 0) return 0;
      return c.fixedUs + c.perTokenUs * so.totalNumScheduledTokens + c.perRequestUs * so.scheduled.length;
    },
  };
}
