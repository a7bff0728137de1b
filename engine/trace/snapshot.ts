/**
 * `EngineSnapshot` and the engine's counters (`EngineStats`): plain JSON values (a `JSON.parse(JSON.stringify(s))`
 * round trip restores the same engine). A snapshot holds every mutable piece of engine state:
 * requests, queues, KV blocks and tables, in-flight batches and the executor's device state.
 */
import type { EngineConfig } from '../config/engine-config';
import type { KVCacheManagerState } from '../kv/kv-cache-manager';
import type { RequestState } from '../request/request-state';
import type { JsonValue } from '../contracts/executor';
import type { ModelRunnerOutput } from '../contracts/model-runner-output';
import type { SpecDecodingSummary } from '../sched/spec-decoding-stats';
import type { SchedulerOutput } from '../contracts/scheduler-output';

export const SNAPSHOT_VERSION = 1;

/** A batch launched but not yet processed (async mode keeps up to two). */
export interface InFlightBatch {
  readonly schedulerOutput: SchedulerOutput;
  readonly runnerOutput: ModelRunnerOutput;
  readonly stepTimeUs: number;
  /** Virtual time at which the device finishes this batch. */
  readonly endTimeUs: number;
}

/** Cumulative counters of an engine. */
export interface EngineStats {
  readonly numSteps: number;
  readonly numBatches: number;
  readonly numScheduledTokens: number;
  readonly numRequestSteps: number;
  readonly numGeneratedTokens: number;
  readonly numPreemptions: number;
  readonly numFinished: number;
  readonly prefixCacheQueries: number;
  readonly prefixCacheHits: number;
  readonly specDecoding: SpecDecodingSummary;
  readonly clockUs: number;
}

export interface EngineSnapshot {
  readonly version: number;
  readonly config: EngineConfig;
  readonly clockUs: number;
  readonly deviceFreeAtUs: number;
  readonly stepIndex: number;
  readonly nextSeq: number;
  readonly nextBatchId: number;
  /** Every request the engine knows (pending, unfinished and finished), in arrival order. */
  readonly requests: RequestState[];
  /** Request ids not yet arrived (arrivalTime in the future), in arrival order. */
  readonly pending: string[];
  readonly waiting: string[];
  readonly running: string[];
  readonly finishedReqIdsToShip: string[];
  /** Requests aborted since the last step (reported in the next step record). */
  readonly abortedSinceStep: string[];
  readonly kv: KVCacheManagerState;
  readonly inFlight: InFlightBatch[];
  readonly executor: JsonValue;
  readonly counters: Omit<EngineStats, 'specDecoding' | 'clockUs' | 'numPreemptions' | 'prefixCacheQueries' | 'prefixCacheHits'>;
  readonly numPreemptions: number;
  readonly specDecoding: SpecDecodingSummary;
}
