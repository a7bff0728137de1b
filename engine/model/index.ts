/** Public pieces of engine/model: the tiny DeepSeek-V4-style numeric model (its runner and engine live in runner/ and api/). */
export { TINY_V4_CONFIG, TINY_V4_PAGE_SIZE, resolveTinyV4Config } from './tiny-v4-config';
export type { TinyV4Config } from './tiny-v4-config';
export { TinyV4Model } from './tiny-v4-model';
export type { ForwardToken, ForwardResult } from './tiny-v4-model';
export { tinyV4Weights } from './weights';
export type { TinyV4Weights, LayerWeights } from './weights';
export type { RowAttentionTrace, AttentionPath } from './attention-layer';
export type { CacheKind } from './model-caches';
export type { TopLogit } from './sampler';
export { proposeNgramDrafts } from './ngram-proposer';
