/**
 * The executor seam: `SchedulerOutput` in, `ModelRunnerOutput` out, plus an optional modelled step
 * time that advances the engine's virtual clock. The engine core only ever talks to an `Executor`;
 * a cost model is attached at the composition root with `withCostModel` (so the synthetic,
 * numeric and any future runner share one clock rule).
 *
 * Batches are executed strictly in `batchId` order, one at a time, exactly as the GPU would run
 * them; in async mode batch N+1 is executed before the scheduler has processed N's output, so a
 * runner that needs the true sequence state keeps it itself (as vLLM's GPU-resident state does).
 */
import type { SchedulerOutput } from '../sched/scheduler-output';
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

/** Step-time model for one batch (helper F's cost model implements this). */
export interface StepCostModel {
  stepTimeUs(schedulerOutput: SchedulerOutput): number;
}

/** An executor whose step times come from `costModel` (overriding the inner executor's own). */
export function withCostModel(inner: Executor, costModel: StepCostModel): Executor {
  return {
    execute(out) {
      const r = inner.execute(out);
      return { output: r.output, stepTimeUs: costModel.stepTimeUs(out) };
    },
    snapshotState: () => inner.snapshotState(),
    restoreState: (s) => inner.restoreState(s),
  };
}
