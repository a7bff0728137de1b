/**
 * The tiny DeepSeek-V4-style model's shape: V4's attention structure (one 512-dim latent KV head
 * split 448 NoPE + 64 RoPE, sliding window, C4A/C128A compressed layers, the lightning indexer on
 * C4A layers, a per-head attention sink, an MTP head) at a size where one engine step of a few
 * requests takes milliseconds. Everything that fixes a byte layout (head dim 512, the 584-byte
 * entry, 256-token pages, indexer dim 128) is V4's real value; widths that only cost time
 * (hidden, heads, vocab, top-k) are small.
 */
import { ConfigError, type ConfigIssue } from '../base/errors';

export interface TinyV4Config {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  /** Per-layer compress ratio: 1 = SWA-only, 4 = C4A (with indexer), 128 = C128A. */
  readonly compressRatios: readonly number[];
  /** Attention (query) heads; the KV side is one shared 512-dim latent (MLA). */
  readonly numHeads: number;
  /** Rank of the query low-rank latent (`q_lora_rank`). */
  readonly qLoraRank: number;
  /** Per-head output low rank before the output projection (V4's grouped output). */
  readonly oLoraRank: number;
  readonly intermediateSize: number;
  readonly slidingWindow: number;
  readonly indexNumHeads: number;
  /** C4A top-k of the indexer (V4: 512; small here so selection happens in short sequences). */
  readonly indexTopK: number;
  readonly ropeTheta: number;
  /** RoPE base of every layer whose ratio > 1 (queries, SWA keys and compressed entries). */
  readonly compressRopeTheta: number;
  readonly rmsNormEps: number;
  /** Std of the seeded sink logits (one per layer and head). */
  readonly sinkStd: number;
}

/** 4 layers (SWA-only, C4A, C128A, C4A), hidden 256, 4 heads, vocab 512, window 128 as V4. */
export const TINY_V4_CONFIG: TinyV4Config = {
  vocabSize: 512,
  hiddenSize: 256,
  compressRatios: [1, 4, 128, 4],
  numHeads: 4,
  qLoraRank: 64,
  oLoraRank: 32,
  intermediateSize: 128,
  slidingWindow: 128,
  indexNumHeads: 4,
  indexTopK: 8,
  ropeTheta: 10000,
  compressRopeTheta: 160000,
  rmsNormEps: 1e-6,
  sinkStd: 1,
};

/** The V4 page every cache of the tiny model uses, in tokens (C128A needs r | page). */
export const TINY_V4_PAGE_SIZE = 256;

function posInt(issues: ConfigIssue[], c: TinyV4Config, key: keyof TinyV4Config, max = 1 << 20): void {
  const v = c[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) issues.push({ path: `model.${key}`, message: `must be an integer in [1, ${max}], got ${JSON.stringify(v)}` });
}

/** Fills defaults and checks every field; throws `ConfigError` listing each problem. */
export function resolveTinyV4Config(partial: Partial<TinyV4Config> = {}): TinyV4Config {
  if (partial === null || typeof partial !== 'object') throw new ConfigError([{ path: 'model', message: 'must be an object' }]);
  const c: TinyV4Config = { ...TINY_V4_CONFIG, ...partial };
  const issues: ConfigIssue[] = [];
  for (const k of ['vocabSize', 'hiddenSize', 'numHeads', 'qLoraRank', 'oLoraRank', 'intermediateSize', 'indexNumHeads', 'indexTopK'] as const) posInt(issues, c, k, 4096);
  posInt(issues, c, 'slidingWindow', TINY_V4_PAGE_SIZE);
  if (!Array.isArray(c.compressRatios) || c.compressRatios.length === 0) issues.push({ path: 'model.compressRatios', message: 'must be a non-empty list' });
  else c.compressRatios.forEach((r, i) => {
    if (r !== 1 && r !== 4 && r !== 128) issues.push({ path: `model.compressRatios[${i}]`, message: `must be 1, 4 or 128, got ${JSON.stringify(r)}` });
  });
  for (const k of ['ropeTheta', 'compressRopeTheta', 'rmsNormEps', 'sinkStd'] as const) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) issues.push({ path: `model.${k}`, message: `must be a positive finite number, got ${JSON.stringify(v)}` });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return c;
}
