/** Public surface of the engine core: the composition roots, config, requests, KV views, contracts, trace, façade. */
export { createEngine, restoreEngine } from './create-engine';
export type { EngineOptions } from './create-engine';
export { createNumericEngine, restoreNumericEngine, numericEngineOptions, numericEngineConfig } from './numeric-engine';
export type { NumericEngine, NumericEngineOptions } from './numeric-engine';
export { Engine } from './engine';
export type { RunOptions } from './engine';
export type { AddRequestOptions } from './add-request';
export type { UntilPredicate } from './run-until';
export {
  DEFAULT_ENGINE_CONFIG,
  numSpeculativeTokens,
  kvCacheGroups,
  numLookaheadTokens,
  maxNumScheduledTokens,
  effectiveMaxCudagraphCaptureSize,
  defaultMaxCaptureSize,
  CUDAGRAPH_MODES,
} from '../config/engine-config';
export type {
  EngineConfig,
  PartialEngineConfig,
  SpeculativeConfig,
  SpecMethod,
  MaxTokensCapPolicy,
  SchedulingPolicy,
  AttentionSpec,
  SyntheticConfig,
  CudagraphMode,
} from '../config/engine-config';
export { resolveConfig, validateConfig } from '../config/validate';
export { isFinished, finishReasonOf } from '../request/status';
export type { RequestStatus, FinishReason, FinishedStatus } from '../request/status';
export type { RequestView } from '../request/request-view';
export { computeKVCapacity, pageSizeBytes } from '../kv/capacity';
export type { KVLayout, MemoryBudget, KVCapacity } from '../kv/capacity';
export type { SchedulerOutput, ScheduledRequest, ScheduledKind } from '../contracts/scheduler-output';
export type { SpecDecodingSummary } from '../sched/spec-decoding-stats';
export type { ModelRunnerOutput } from '../contracts/model-runner-output';
export type { Executor, ExecuteResult, StepCostModel, JsonValue } from '../contracts/executor';
export type { DraftProposer, DraftContext, AcceptanceModel } from '../contracts/draft-proposer';
export { linearStepCost, DEFAULT_LINEAR_STEP_COST } from '../cost/linear-step-cost';
export type { LinearStepCost } from '../cost/linear-step-cost';
export type { OutputEntry } from '../contracts/engine-core-output';
export type { StepRecord, ScheduleRecord, ScheduledEntry, ProcessedRecord } from '../trace/step-record';
export type { EngineSnapshot, EngineStats, InFlightBatch } from '../trace/snapshot';
export type { BlockView, KVUsageView } from '../kv/block-view';
export { fromVllmArgs } from '../config/vllm-args';
export type { VllmArgsResult } from '../config/vllm-args';
