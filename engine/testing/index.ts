/**
 * The scheduler-level entry for tests and notebooks that port vLLM's scheduler and KV-manager
 * tests: the `Scheduler`/`AsyncScheduler` with `schedule()` and `updateFromOutput()` as separate
 * calls, the `KVCacheManager`, `BlockPool` and `FreeBlockQueue`, vLLM-shaped views, and fixtures
 * built like vLLM's (`createScheduler`, `createRequests`, hand-made outputs). Reach it as
 * `import { testing } from 'engine'` (or `engine/testing/index` inside the repository).
 */
export { Scheduler, type SchedulerStats } from '../sched/scheduler';
export { AsyncScheduler } from '../sched/async-scheduler';
export type { SchedulerStepOutput, VllmStepDetails } from '../sched/scheduled-batch';
export { toVllmSchedulerOutput } from '../sched/vllm-scheduler-output';
export type { VllmSchedulerOutput, VllmNewRequestData, VllmCachedRequestData } from '../sched/vllm-scheduler-output';
export type { SpecDecodingStepStats } from '../sched/spec-decoding-stats';
export { KVCacheManager, type KVCacheManagerOptions, type ComputedBlocks } from '../kv/kv-cache-manager';
export { BlockPool, NULL_BLOCK_ID } from '../kv/block-pool';
export { FreeBlockQueue, NO_FREE_BLOCKS_MESSAGE } from '../kv/free-block-queue';
export { hashBlockTokens, noneHash, extraKeyOf } from '../kv/block-hash';
export { kvCacheFit, kvCacheFitIssue, maxBlocksPerRequest, estimateMaxModelLen as estimateMaxModelLenInBlocks } from '../config/kv-cache-fit';
export type { KVCacheFit, KVCacheFitInput, GroupFit } from '../config/kv-cache-fit';
export {
  getKvCacheGroups, kvCacheConfigFromGroups, getKvCacheConfigs, getMaxConcurrencyForKvCacheConfig, checkEnoughKvCacheMemory,
  estimateMaxModelLen, neededMemoryBytes,
} from '../kv/kv-cache-config';
export type { KVCacheConfig, KVCacheGroupSpec, KVCacheTensor, KVCacheConfigOptions } from '../kv/kv-cache-config';
export {
  fullAttentionSpec, slidingWindowSpec, specPageSizeBytes, maxMemoryUsageBytes, mergeSpecs, isKvCacheSpecUniform, uniformTypeSpecs,
} from '../kv/kv-cache-spec';
export type { AttentionLayerSpec, UniformTypeSpecs, KVCacheSpec } from '../kv/kv-cache-spec';
export { Request, type SamplingParams } from '../request/request';
export { FINISHED_STATUSES } from '../request/status';
export {
  EOS_TOKEN_ID, createScheduler, schedulerConfig, createRequests, runnerOutput, oneTokenEach, handMadeSchedulerOutput, setRunning,
} from './fixtures';
export type { CreateSchedulerOptions, CreateRequestsOptions } from './fixtures';
