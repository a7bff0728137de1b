/**
 * Seeded weights of the tiny V4 model. Every tensor is drawn from its own `Rng` fork (labelled by
 * layer and name), so the same seed gives the same model and adding a tensor never changes the
 * others. Linear weights are N(0, 1/fan_in); norm weights are 1; sinks are N(0, sinkStd²).
 */
import { Rng } from '../base/rng';
import type { TinyV4Config } from './tiny-v4-config';

export const HEAD_DIM = 512;
export const INDEX_HEAD_DIM = 128;

export interface LayerWeights {
  readonly ratio: number;
  readonly attnNorm: Float32Array;
  /** [qLoraRank, hidden] */
  readonly wqA: Float32Array;
  readonly qNorm: Float32Array;
  /** [numHeads·512, qLoraRank] */
  readonly wqB: Float32Array;
  /** [512, hidden] */
  readonly wkv: Float32Array;
  readonly kvNorm: Float32Array;
  /** [numHeads, oLoraRank, 512] per-head output low rank */
  readonly woA: Float32Array;
  /** [hidden, numHeads·oLoraRank] */
  readonly woB: Float32Array;
  readonly sink: Float64Array;
  readonly mlpNorm: Float32Array;
  /** [intermediate, hidden] gate and up; [hidden, intermediate] down */
  readonly wGate: Float32Array;
  readonly wUp: Float32Array;
  readonly wDown: Float32Array;
  /** Compressor (ratio > 1): per-channel score gain and per-offset bias [ratio, 512], norm weight. */
  readonly compGain: Float32Array | null;
  readonly compApe: Float32Array | null;
  readonly compNorm: Float32Array | null;
  /** Indexer (ratio 4): query [indexHeads·128, qLoraRank], key [128, 512], head weights [indexHeads, hidden]. */
  readonly idxWq: Float32Array | null;
  readonly idxWk: Float32Array | null;
  readonly idxWw: Float32Array | null;
}

export interface TinyV4Weights {
  readonly config: TinyV4Config;
  readonly seed: number;
  /** [vocab, hidden] */
  readonly embed: Float32Array;
  readonly layers: readonly LayerWeights[];
  readonly finalNorm: Float32Array;
  /** [vocab, hidden] */
  readonly lmHead: Float32Array;
  /** MTP head: norms of the hidden state and the next token's embedding, then [hidden, 2·hidden]. */
  readonly mtpHiddenNorm: Float32Array;
  readonly mtpEmbedNorm: Float32Array;
  readonly mtpProj: Float32Array;
  readonly mtpNorm: Float32Array;
}

function normal(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

/** Builds the model's weights from `seed`. */
export function tinyV4Weights(config: TinyV4Config, seed: number): TinyV4Weights {
  const root = new Rng(seed >>> 0);
  const lin = (label: string, out: number, inn: number): Float32Array => normal(root.fork(label), out * inn, 1 / Math.sqrt(inn));
  const { hiddenSize: Hd, numHeads: H, qLoraRank: Q, oLoraRank: O, intermediateSize: I, vocabSize: V, indexNumHeads: HI } = config;
  const layers = config.compressRatios.map((ratio, l): LayerWeights => {
    const p = `layer${l}.`;
    return {
      ratio,
      attnNorm: ones(Hd),
      wqA: lin(p + 'wqA', Q, Hd),
      qNorm: ones(Q),
      wqB: lin(p + 'wqB', H * HEAD_DIM, Q),
      wkv: lin(p + 'wkv', HEAD_DIM, Hd),
      kvNorm: ones(HEAD_DIM),
      woA: lin(p + 'woA', H * O, HEAD_DIM),
      woB: lin(p + 'woB', Hd, H * O),
      sink: Float64Array.from(normal(root.fork(p + 'sink'), H, config.sinkStd)),
      mlpNorm: ones(Hd),
      wGate: lin(p + 'wGate', I, Hd),
      wUp: lin(p + 'wUp', I, Hd),
      wDown: lin(p + 'wDown', Hd, I),
      compGain: ratio > 1 ? normal(root.fork(p + 'compGain'), HEAD_DIM, 1) : null,
      compApe: ratio > 1 ? normal(root.fork(p + 'compApe'), ratio * HEAD_DIM, 0.5) : null,
      compNorm: ratio > 1 ? ones(HEAD_DIM) : null,
      idxWq: ratio === 4 ? lin(p + 'idxWq', HI * INDEX_HEAD_DIM, Q) : null,
      idxWk: ratio === 4 ? lin(p + 'idxWk', INDEX_HEAD_DIM, HEAD_DIM) : null,
      idxWw: ratio === 4 ? lin(p + 'idxWw', HI, Hd) : null,
    };
  });
  return {
    config,
    seed,
    embed: normal(root.fork('embed'), V * Hd, 1),
    layers,
    finalNorm: ones(Hd),
    lmHead: lin('lmHead', V, Hd),
    mtpHiddenNorm: ones(Hd),
    mtpEmbedNorm: ones(Hd),
    mtpProj: lin('mtpProj', Hd, 2 * Hd),
    mtpNorm: ones(Hd),
  };
}
