/**
 * The shape of a model preset: attention (MLA or GQA), FFN/MoE dimensions, MTP layers, weight bytes
 * and, for quantized checkpoints, their layout. Data only; the presets live in model-presets.ts.
 */

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
