/**
 * `StepRecord`: everything one engine `step()` did, as a plain JSON-serialisable object (the
 * golden-trace format; helper code turns these into Arrow tables). In sync mode a step schedules
 * and processes the same batch; in async mode it schedules batch N+1 and processes batch N, so
 * `schedule.batchId` and `processed.batchId` differ by one in the steady state.
 */
import type { OutputEntry } from '../contracts/engine-core-output';
import type { ScheduledRequest } from '../contracts/scheduler-output';

/** One scheduled request of a step: the `SchedulerOutput` row itself (plain readonly data). */
export type ScheduledEntry = ScheduledRequest;

export interface ScheduleRecord {
  readonly batchId: number;
  readonly requests: readonly ScheduledEntry[];
  readonly totalNumScheduledTokens: number;
  /** Modelled GPU time of the batch (0 when the executor models none). */
  readonly stepTimeUs: number;
}

export interface ProcessedRecord {
  readonly batchId: number;
  readonly outputs: readonly OutputEntry[];
}

export interface StepRecord {
  /** 0-based index of this `step()` call. */
  readonly step: number;
  /** Virtual clock (µs) after the step. */
  readonly timeUs: number;
  /** The batch launched by this step; `null` when nothing was schedulable. */
  readonly schedule: ScheduleRecord | null;
  /** The batch whose output was processed by this step; `null` when none (async warm-up). */
  readonly processed: ProcessedRecord | null;
  readonly arrivedReqIds: readonly string[];
  readonly preemptedReqIds: readonly string[];
  readonly finishedReqIds: readonly string[];
  /** Blocks popped from the free queue this step, in allocation order. */
  readonly newBlockIds: readonly number[];
  /** Blocks whose reference count dropped to 0 this step, in the order they joined the free queue. */
  readonly freedBlockIds: readonly number[];
  readonly numWaiting: number;
  readonly numRunning: number;
  readonly numInFlightBatches: number;
  readonly numFreeBlocks: number;
  /** `1 − free / usable` after the step. */
  readonly kvUsage: number;
  readonly prefixCacheQueries: number;
  readonly prefixCacheHits: number;
}
