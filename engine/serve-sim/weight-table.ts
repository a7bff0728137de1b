/**
 * Each model preset's weight bytes by layer kind (whole model, TP 1), from the same shapes the cost
 * model reads (`cost/model-shapes.ts`), so a notebook can see where an FP4 checkpoint saves bytes:
 * attention, dense FFN, routed experts, shared experts, the MTP block, embedding + LM head.
 */
import { modelShapes, weightBytesPerGpu } from '../cost/model-shapes';
import { MODEL_PRESETS, type ModelPreset } from '../presets/model-presets';

export interface WeightRow {
  readonly model: string;
  readonly attentionBytes: number;
  readonly denseFfnBytes: number;
  readonly routedExpertBytes: number;
  readonly sharedExpertBytes: number;
  /** The MTP block (one more decoder layer plus its projection). */
  readonly mtpBytes: number;
  /** Embedding and LM head (bf16). */
  readonly embeddingBytes: number;
  readonly totalBytes: number;
  /** Published checkpoint size, when the preset has one. */
  readonly publishedBytes: number | null;
}

export function weightBytesByLayerKind(model: ModelPreset): WeightRow {
  const s = modelShapes(model, 1);
  const attention = s.numLayers * s.attnParamsPerLayer * s.weightBytes;
  const dense = s.numDenseLayers * s.denseFfnParamsPerLayer * s.weightBytes;
  const routed = s.numMoeLayers * s.numRoutedExperts * s.expertParams * s.expertWeightBytes;
  const shared = s.numMoeLayers * s.numSharedExperts * s.expertParams * s.weightBytes;
  const embedding = 2 * s.lmHeadParams * 2;
  const total = weightBytesPerGpu(s);
  return {
    model: model.name, attentionBytes: attention, denseFfnBytes: dense, routedExpertBytes: routed, sharedExpertBytes: shared,
    mtpBytes: total - attention - dense - routed - shared - embedding, embeddingBytes: embedding, totalBytes: total,
    publishedBytes: model.checkpoint?.publishedBytes ?? null,
  };
}

/** The table for every preset (or the ones given), in GB for display. */
export function weightTable(models: readonly ModelPreset[] = MODEL_PRESETS): Record<string, string | number>[] {
  const gb = (x: number) => +(x / 1e9).toFixed(1);
  return models.map((m) => {
    const r = weightBytesByLayerKind(m);
    return {
      model: r.model, 'attention GB': gb(r.attentionBytes), 'dense FFN GB': gb(r.denseFfnBytes), 'routed experts GB': gb(r.routedExpertBytes),
      'shared experts GB': gb(r.sharedExpertBytes), 'MTP GB': gb(r.mtpBytes), 'embedding + LM head GB': gb(r.embeddingBytes),
      'total GB': gb(r.totalBytes), 'published GB': r.publishedBytes === null ? '' : gb(r.publishedBytes),
    };
  });
}
