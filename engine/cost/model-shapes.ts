/**
 * Per-GPU weight and work figures derived from a model preset and a TP degree, computed once per
 * cost model. Under TP, vLLM shards attention heads, FFN columns and each expert's intermediate
 * dimension; the MLA down-projections (`q_a`, `kv_a`) are replicated, and so is the latent KV
 * cache (every rank holds the whole cache; hardware-and-models.md §3).
 */
import { EngineError } from '../base/errors';
import type { ModelPreset } from '../presets/model-presets';

export interface ModelShapes {
  readonly tp: number;
  readonly numLayers: number;
  readonly hiddenSize: number;
  /** Attention projection parameters per layer on one GPU. */
  readonly attnParamsPerLayer: number;
  readonly numDenseLayers: number;
  /** Dense FFN parameters per dense layer on one GPU. */
  readonly denseFfnParamsPerLayer: number;
  readonly numMoeLayers: number;
  /** One routed expert's parameters on one GPU. */
  readonly expertParams: number;
  readonly numRoutedExperts: number;
  readonly numSharedExperts: number;
  readonly topK: number;
  readonly expertWeightBytes: number;
  /** LM head parameters on one GPU (bf16). */
  readonly lmHeadParams: number;
  readonly weightBytes: number;
  /** Attention heads on one GPU. */
  readonly headsPerGpu: number;
  /** FLOPs per (query, key) pair per head for decode and prefill (QK + PV, ×2 for multiply-add). */
  readonly decodeFlopsPerPairPerHead: number;
  readonly prefillFlopsPerPairPerHead: number;
  /** MTP layers (0 = no drafter) and the MTP block's extra projection parameters on one GPU. */
  readonly numMtpLayers: number;
  readonly mtpExtraParams: number;
}

export function modelShapes(model: ModelPreset, tp: number): ModelShapes {
  if (!Number.isInteger(tp) || tp < 1) throw new EngineError(`tensorParallelSize: expected an integer ≥ 1, got ${tp}`, 'tensorParallelSize');
  const a = model.attention;
  const h = model.hiddenSize;
  let attnParamsPerLayer: number;
  let headsPerGpu: number;
  let decodeFlops: number;
  let prefillFlops: number;
  if (a.kind === 'mla') {
    if (a.numHeads % tp !== 0) throw new EngineError(`tensorParallelSize: ${tp} does not divide ${a.numHeads} attention heads`, 'tensorParallelSize');
    const qk = a.qkNopeHeadDim + a.qkRopeHeadDim;
    const replicated = h * a.qLoraRank + h * (a.kvLoraRank + a.qkRopeHeadDim);
    const oParams = a.oLoraRank ? a.numHeads * a.vHeadDim * a.oLoraRank / 8 + a.oLoraRank * h : a.numHeads * a.vHeadDim * h;
    const sharded = a.qLoraRank * a.numHeads * qk + a.kvLoraRank * a.numHeads * (a.qkNopeHeadDim + a.vHeadDim) + oParams;
    attnParamsPerLayer = replicated + sharded / tp;
    headsPerGpu = a.numHeads / tp;
    // Decode runs absorbed MLA over the latent (QK over 512+64, PV over 512); prefill the expanded form.
    decodeFlops = 2 * (a.kvLoraRank + a.qkRopeHeadDim + a.kvLoraRank);
    prefillFlops = 2 * (qk + a.vHeadDim);
  } else {
    if (a.numHeads % tp !== 0) throw new EngineError(`tensorParallelSize: ${tp} does not divide ${a.numHeads} attention heads`, 'tensorParallelSize');
    attnParamsPerLayer = ((a.numHeads + 2 * a.numKvHeads) * a.headDim * h + a.numHeads * a.headDim * h) / tp;
    headsPerGpu = a.numHeads / tp;
    decodeFlops = 2 * 2 * a.headDim;
    prefillFlops = decodeFlops;
  }
  const moe = model.moe;
  const expertFull = moe ? 3 * h * moe.expertIntermediateSize : 0;
  return {
    tp,
    numLayers: model.numLayers,
    hiddenSize: h,
    attnParamsPerLayer,
    numDenseLayers: model.numDenseLayers,
    denseFfnParamsPerLayer: (3 * h * model.denseIntermediateSize) / tp,
    numMoeLayers: moe ? model.numLayers - model.numDenseLayers : 0,
    expertParams: expertFull / tp,
    numRoutedExperts: moe?.numRoutedExperts ?? 0,
    numSharedExperts: moe?.numSharedExperts ?? 0,
    topK: moe?.topK ?? 0,
    expertWeightBytes: moe?.expertWeightBytes ?? model.weightBytes,
    lmHeadParams: (model.vocabSize * h) / tp,
    weightBytes: model.weightBytes,
    headsPerGpu,
    decodeFlopsPerPairPerHead: decodeFlops,
    prefillFlopsPerPairPerHead: prefillFlops,
    numMtpLayers: model.numMtpLayers,
    // eh_proj: concat(embedding, hidden) → hidden, replicated (2h × h).
    mtpExtraParams: 2 * h * h,
  };
}

/** Expected distinct routed experts a layer touches for `numTokens` tokens with uniform top-k routing. */
export function expectedExpertsTouched(numTokens: number, numExperts: number, topK: number): number {
  if (numExperts === 0 || numTokens <= 0) return 0;
  return numExperts * (1 - Math.pow(1 - topK / numExperts, numTokens));
}

/**
 * Weight bytes resident on one GPU: attention, dense FFN, every routed and shared expert (sharded
 * over TP), the MTP block, and the embedding + LM head (bf16, vocab-parallel). Used to size the KV
 * cache from device memory (engine-semantics.md §6).
 */
export function weightBytesPerGpu(s: ModelShapes): number {
  const perLayer = (moe: boolean) =>
    s.attnParamsPerLayer * s.weightBytes
    + (moe ? (s.numRoutedExperts * s.expertParams * s.expertWeightBytes + s.numSharedExperts * s.expertParams * s.weightBytes) : s.denseFfnParamsPerLayer * s.weightBytes);
  let bytes = s.numDenseLayers * perLayer(false) + s.numMoeLayers * perLayer(true);
  if (s.numMtpLayers > 0) bytes += s.numMtpLayers * (perLayer(s.numRoutedExperts > 0) + s.mtpExtraParams * s.weightBytes);
  return bytes + 2 * s.lmHeadParams * 2;
}
