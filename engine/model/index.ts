/** Public pieces of engine/model: the tiny DeepSeek-V4-style numeric model, its engine and inspector. */
export { TINY_V4_CONFIG, TINY_V4_PAGE_SIZE, resolveTinyV4Config } from './tiny-v4-config';
export type { TinyV4Config } from './tiny-v4-config';
export { TinyV4Model } from './tiny-v4-model';
export type { ForwardToken, ForwardResult } from './tiny-v4-model';
export { tinyV4Weights } from './weights';
export type { TinyV4Weights, LayerWeights } from './weights';
export type { RowAttentionTrace, AttentionPath } from './attention-layer';
export type { CacheKind } from './model-caches';
export { ModelInspector } from './inspection';
export type { SlotView, TokenView } from './inspection';
export { createNumericEngine, restoreNumericEngine, numericEngineOptions, numericEngineConfig } from './numeric-engine';
export type { NumericEngine, NumericEngineOptions } from './numeric-engine';
export { NumericExecutor } from '../runner/numeric-executor';
export type { NumericExecutorOptions, NumericStepRecord, SampledRecord, StepTokenRecord } from '../runner/numeric-executor';
export type { TopLogit } from './sampler';
export { proposeNgramDrafts } from './ngram-proposer';
