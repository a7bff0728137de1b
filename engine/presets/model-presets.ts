/**
 * Model shapes as data, for the step-cost model. Dimensions come from the public configs
 * summarised in hardware-and-models.md §3 (DeepSeek-V3/R1 `config.json`, V3.2 FlashMLA sparse
 * layouts, the V4 model cards, Llama-3.1 `config.json`). Parameter counts are derived from the
 * dimensions here, so a notebook can change one dimension and see the cost move.
 */
import { EngineError } from '../base/errors';
import { DEEPSEEK_R1_CHECKPOINTS } from './deepseek-r1-checkpoints';

/** Multi-head latent attention (DeepSeek). Under TP the heads split; the latent KV is replicated. */
export interface MlaAttention {
  readonly kind: 'mla';
  readonly numHeads: number;
  readonly qLoraRank: number;
  readonly kvLoraRank: number;
  readonly qkNopeHeadDim: number;
  readonly qkRopeHeadDim: number;
  readonly vHeadDim: number;
  /** KV-cache bytes per token per layer (fp8 unless the format is fixed, e.g. `fp8_ds_mla`). */
  readonly kvBytesPerTokenFp8: number;
  /** DeepSeek Sparse Attention: indexer top-k (entries each query attends to); absent = dense. */
  readonly indexerTopK?: number;
  /** Indexer K-cache bytes per token per layer (V3.2: 132 B). */
  readonly indexerBytesPerToken?: number;
  /** V4 hybrid: sliding window every layer attends to in addition to the compressed KV. */
  readonly slidingWindow?: number;
  /** V4 hybrid: KV compression ratio of the CSA layers (4x) and HCA layers (128x). */
  readonly csaCompressRatio?: number;
  readonly hcaCompressRatio?: number;
  /** V4 hybrid: fraction of layers that are CSA (the rest HCA) [unverified: assumed 1/2]. */
  readonly csaLayerFraction?: number;
  /** V4: grouped low-rank output projection rank (o_lora); absent = plain o_proj. */
  readonly oLoraRank?: number;
}

/** Grouped-query attention (Llama-style). KV heads split over TP (at least one per rank). */
export interface GqaAttention {
  readonly kind: 'gqa';
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
}

export interface MoeFfn {
  readonly numRoutedExperts: number;
  readonly numSharedExperts: number;
  readonly topK: number;
  readonly expertIntermediateSize: number;
  /** Bytes per expert weight (FP8 1, FP4 0.5 plus scales ≈ 0.5625). */
  readonly expertWeightBytes: number;
}

/** A quantized checkpoint's layout, as its model card states it. */
export interface CheckpointFacts {
  /** vLLM's quantization method for it (`fp8`, `modelopt_fp4`, …). */
  readonly quantization: string;
  /** What the routed experts, attention and the rest are stored in. */
  readonly experts: string;
  readonly attention: string;
  /** The MoE kernel family vLLM runs for these experts on Blackwell. */
  readonly moePath: string;
  /** Published checkpoint size on disk, bytes (a sanity check for the derived weight bytes). */
  readonly publishedBytes?: number;
  readonly source: string;
}

export interface ModelPreset {
  readonly name: string;
  /** Hugging Face ids and short names that resolve to this preset (case-insensitive). */
  readonly aliases: readonly string[];
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly attention: MlaAttention | GqaAttention;
  /** Leading dense-FFN layers (DeepSeek-V3: 3) and their intermediate size. */
  readonly numDenseLayers: number;
  readonly denseIntermediateSize: number;
  readonly moe?: MoeFfn;
  /** MTP modules in the checkpoint (DeepSeek: 1, reused autoregressively for k > 1). */
  readonly numMtpLayers: number;
  /** Bytes per non-expert weight (FP8 checkpoints 1, BF16 2). */
  readonly weightBytes: number;
  readonly maxPositionEmbeddings: number;
  /** How the checkpoint stores its weights (absent: uniform `weightBytes`, experts `moe.expertWeightBytes`). */
  readonly checkpoint?: CheckpointFacts;
  /** Tokens the chat template adds around one user turn (estimate used without a tokenizer). */
  readonly chatTemplateTokens?: number;
  /** Published totals, for display and sanity checks only (the cost model derives its own). */
  readonly publishedTotalParams: number;
  readonly publishedActiveParams: number;
  readonly source: string;
}

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
