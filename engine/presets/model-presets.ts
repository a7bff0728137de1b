/**
 * Model shapes as data, for the step-cost model. Dimensions come from the public configs
 * summarised in hardware-and-models.md §3 (DeepSeek-V3/R1 `config.json`, V3.2 FlashMLA sparse
 * layouts, the V4 model cards, Llama-3.1 `config.json`). Parameter counts are derived from the
 * dimensions here, so a notebook can change one dimension and see the cost move.
 */
import { EngineError } from '../base/errors';
import { DEEPSEEK_R1_CHECKPOINTS } from './deepseek-r1-checkpoints';
import type { MlaAttention, ModelPreset, MoeFfn } from './model-types';

export type { MlaAttention, GqaAttention, MoeFfn, CheckpointFacts, ModelPreset } from './model-types';

const DEEPSEEK_V3_MLA: MlaAttention = {
  kind: 'mla', numHeads: 128, qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128,
  qkRopeHeadDim: 64, vHeadDim: 128, kvBytesPerTokenFp8: 576,
};

const DEEPSEEK_V3_MOE: MoeFfn = {
  numRoutedExperts: 256, numSharedExperts: 1, topK: 8, expertIntermediateSize: 2048, expertWeightBytes: 1,
};

const deepseekV3Base = {
  numLayers: 61, hiddenSize: 7168, vocabSize: 129_280, attention: DEEPSEEK_V3_MLA,
  numDenseLayers: 3, denseIntermediateSize: 18_432, moe: DEEPSEEK_V3_MOE, numMtpLayers: 1,
  weightBytes: 1, maxPositionEmbeddings: 163_840, publishedTotalParams: 671e9, publishedActiveParams: 37e9,
  source: 'DeepSeek-V3 config.json; hardware-and-models.md §3',
  // "<｜User｜>…<｜Assistant｜><think>\n" around one user turn, BOS already counted by the prompt:
  // 4 tokens [derived from tokenizer_config.json's chat_template; an estimate, no tokenizer here].
  chatTemplateTokens: 4,
} as const;

export const MODEL_PRESETS: readonly ModelPreset[] = [
  ...DEEPSEEK_R1_CHECKPOINTS(deepseekV3Base),
  { ...deepseekV3Base, name: 'deepseek-v3', aliases: ['deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-V3-0324', 'deepseek-ai/DeepSeek-V3.1'] },
  {
    ...deepseekV3Base, name: 'deepseek-v3.2',
    aliases: ['deepseek-ai/DeepSeek-V3.2', 'deepseek-ai/DeepSeek-V3.2-Exp'],
    // fp8_ds_mla: 656 B/token/layer, indexer K cache 132 B/token/layer (FlashMLA sparse backend).
    attention: { ...DEEPSEEK_V3_MLA, kvBytesPerTokenFp8: 656, indexerTopK: 2048, indexerBytesPerToken: 132 },
    source: 'DeepSeek-V3.2 (DSA: indexer 64x128, top-2048); hardware-and-models.md §3',
  },
  {
    name: 'deepseek-v4-flash', aliases: ['deepseek-ai/DeepSeek-V4-Flash'],
    numLayers: 43, hiddenSize: 4096, vocabSize: 129_280,
    attention: {
      kind: 'mla', numHeads: 64, qLoraRank: 1024, kvLoraRank: 512, qkNopeHeadDim: 448, qkRopeHeadDim: 64,
      vHeadDim: 512, kvBytesPerTokenFp8: 584, indexerTopK: 512, indexerBytesPerToken: 132,
      slidingWindow: 128, csaCompressRatio: 4, hcaCompressRatio: 128, csaLayerFraction: 0.5, oLoraRank: 1024,
    },
    numDenseLayers: 0, denseIntermediateSize: 0,
    moe: { numRoutedExperts: 256, numSharedExperts: 1, topK: 6, expertIntermediateSize: 2048, expertWeightBytes: 0.5625 },
    numMtpLayers: 1, weightBytes: 1, maxPositionEmbeddings: 1_048_576,
    publishedTotalParams: 284e9, publishedActiveParams: 13e9,
    source: 'DeepSeek-V4-Flash model card / NeMo config; hardware-and-models.md §3 (head 512 = 448 nope + 64 rope)',
  },
  {
    name: 'deepseek-v4-pro', aliases: ['deepseek-ai/DeepSeek-V4-Pro'],
    numLayers: 61, hiddenSize: 7168, vocabSize: 129_280,
    attention: {
      kind: 'mla', numHeads: 128, qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 448, qkRopeHeadDim: 64,
      vHeadDim: 512, kvBytesPerTokenFp8: 584, indexerTopK: 1024, indexerBytesPerToken: 132,
      slidingWindow: 128, csaCompressRatio: 4, hcaCompressRatio: 128, csaLayerFraction: 0.5, oLoraRank: 1024,
    },
    numDenseLayers: 0, denseIntermediateSize: 0,
    moe: { numRoutedExperts: 384, numSharedExperts: 1, topK: 6, expertIntermediateSize: 3072, expertWeightBytes: 0.5625 },
    numMtpLayers: 1, weightBytes: 1, maxPositionEmbeddings: 1_048_576,
    publishedTotalParams: 1.6e12, publishedActiveParams: 49e9,
    source: 'DeepSeek-V4-Pro model card; hardware-and-models.md §3',
  },
  {
    name: 'llama-3.1-8b', aliases: ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B', 'meta-llama/Meta-Llama-3.1-8B-Instruct'],
    numLayers: 32, hiddenSize: 4096, vocabSize: 128_256,
    attention: { kind: 'gqa', numHeads: 32, numKvHeads: 8, headDim: 128 },
    numDenseLayers: 32, denseIntermediateSize: 14_336, numMtpLayers: 0, weightBytes: 2,
    maxPositionEmbeddings: 131_072, publishedTotalParams: 8.03e9, publishedActiveParams: 8.03e9,
    source: 'Llama-3.1-8B config.json',
  },
  {
    name: 'llama-3.1-70b', aliases: ['meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-70B', 'meta-llama/Llama-3.3-70B-Instruct'],
    numLayers: 80, hiddenSize: 8192, vocabSize: 128_256,
    attention: { kind: 'gqa', numHeads: 64, numKvHeads: 8, headDim: 128 },
    numDenseLayers: 80, denseIntermediateSize: 28_672, numMtpLayers: 0, weightBytes: 2,
    maxPositionEmbeddings: 131_072, publishedTotalParams: 70.6e9, publishedActiveParams: 70.6e9,
    source: 'Llama-3.1-70B config.json',
  },
];

/** Names accepted by `modelPreset` (canonical names first, then aliases). */
export function knownModelNames(): string[] {
  return [...MODEL_PRESETS.map((m) => m.name), ...MODEL_PRESETS.flatMap((m) => m.aliases)];
}

/**
 * The preset for a model name, a Hugging Face id or an alias (case-insensitive). A local path
 * ending in a known id (`/models/DeepSeek-R1-0528`) also resolves by its last component.
 */
export function modelPreset(name: string): ModelPreset {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new EngineError(`model: expected a model name; known models: ${MODEL_PRESETS.map((m) => m.name).join(', ')}`, 'model');
  }
  const want = name.trim().toLowerCase();
  const base = want.split('/').pop() ?? want;
  for (const m of MODEL_PRESETS) {
    const names = [m.name, ...m.aliases].map((s) => s.toLowerCase());
    if (names.includes(want) || names.some((n) => (n.split('/').pop() ?? n) === base)) return m;
  }
  throw new EngineError(
    `model: unknown model '${name}'; known models: ${MODEL_PRESETS.map((m) => `${m.name} (${m.aliases.join(', ')})`).join('; ')}`,
    'model',
  );
}

/** A copy of `preset` with some fields replaced (nested objects merged one level deep). */
export function withModelOverrides(preset: ModelPreset, overrides: Partial<ModelPreset>): ModelPreset {
  for (const key of Object.keys(overrides)) {
    if (!(key in preset) && key !== 'moe') throw new EngineError(`model override: unknown field '${key}'`, key);
  }
  return { ...preset, ...overrides } as ModelPreset;
}
