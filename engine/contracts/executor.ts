/**
 * The executor seam: `SchedulerOutput` in, `ModelRunnerOutput` out, plus an optional modelled step
 * time that advances the engine's virtual clock. The engine core only ever talks to an `Executor`;
 * a `StepCostModel` is attached at the composition root (`runner/with-cost-model.ts`), so the
 * synthetic, numeric and any future runner share one clock rule.
 *
 * Batches are executed strictly in `batchId` order, one at a time, exactly as the GPU would run
 * them; in async mode batch N+1 is executed before the scheduler has processed N's output, so a
 * runner that needs the true sequence state keeps it itself (as vLLM's GPU-resident state does).
 */
import type { SchedulerOutput } from './scheduler-output';
import type { ModelRunnerOutput } from './model-runner-output';

/** JSON-compatible value for executor snapshots. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ExecuteResult {
  readonly output: ModelRunnerOutput;
  /** Modelled GPU time of this batch in µs; `null` = the executor does not model time (clock stays). */
  readonly stepTimeUs: number | null;
}

export interface Executor {
  execute(schedulerOutput: SchedulerOutput): ExecuteResult;
  /** Serialisable internal state (device-resident sequence state, proposer state…). */
  snapshotState(): JsonValue;
  restoreState(state: JsonValue): void;
}

/** Step-time model for one batch (`cost/engine-cost-model.ts` and `cost/linear-step-cost.ts` implement it). */
export interface StepCostModel {
  stepTimeUs(schedulerOutput: SchedulerOutput): number;
}
