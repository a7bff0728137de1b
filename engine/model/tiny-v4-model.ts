/**
 * The tiny V4 model: embeddings, the attention layers with their caches, SwiGLU MLPs, the final
 * norm and LM head, and an MTP head that proposes drafts from the last hidden state and the token
 * just sampled (V4's MTP layer, reduced to a projection: it shares the embeddings and LM head).
 */
import { EngineError } from '../base/errors';
import { attentionLayer, type AttentionPath, type RowAttentionTrace, type TokenRow } from './attention-layer';
import { argMax, matVec, rmsNorm, silu } from './linalg';
import { createLayerCaches, type LayerCaches } from './model-caches';
import type { TinyV4Config } from './tiny-v4-config';
import { tinyV4Weights, type TinyV4Weights } from './weights';

/** A token to run: its position, its input id and its request's block table. */
export interface ForwardToken {
  readonly pos: number;
  readonly tokenId: number;
  readonly blockTable: readonly number[];
}

export interface ForwardResult {
  /** Final hidden states after the final norm [T][hidden]. */
  readonly hidden: Float32Array[];
  /** traces[layer][row] */
  readonly traces: RowAttentionTrace[][];
}

export class TinyV4Model {
  readonly config: TinyV4Config;
  readonly weights: TinyV4Weights;
  readonly caches: LayerCaches[];
  readonly maxModelLen: number;
  readonly attentionPath: AttentionPath;

  constructor(config: TinyV4Config, seed: number, numPages: number, maxModelLen: number, attentionPath: AttentionPath = 'reference') {
    this.config = config;
    this.attentionPath = attentionPath;
    this.weights = tinyV4Weights(config, seed);
    this.caches = createLayerCaches(config.compressRatios, numPages);
    this.maxModelLen = maxModelLen;
  }

  embed(tokenId: number): Float32Array {
    const { vocabSize: V, hiddenSize: Hd } = this.config;
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= V) throw new EngineError(`token id ${tokenId} is outside the vocabulary [0, ${V})`, 'tokenId');
    return this.weights.embed.slice(tokenId * Hd, (tokenId + 1) * Hd);
  }

  /** Runs every layer on the batch, writing the caches at the tokens' slots. */
  forward(tokens: readonly ForwardToken[]): ForwardResult {
    const c = this.config;
    const rows: TokenRow[] = tokens.map((t) => ({ pos: t.pos, blockTable: t.blockTable, hidden: this.embed(t.tokenId) }));
    const traces: RowAttentionTrace[][] = [];
    this.weights.layers.forEach((w, l) => {
      traces.push(attentionLayer(rows, this.caches[l]!, w, c, this.maxModelLen, this.attentionPath));
      for (const row of rows) {
        const b = rmsNorm(row.hidden, w.mlpNorm, c.rmsNormEps);
        const g = matVec(w.wGate, b, c.intermediateSize, c.hiddenSize);
        const u = matVec(w.wUp, b, c.intermediateSize, c.hiddenSize);
        for (let i = 0; i < g.length; i++) g[i] = silu(g[i]!) * u[i]!;
        const d = matVec(w.wDown, g, c.hiddenSize, c.intermediateSize);
        for (let i = 0; i < c.hiddenSize; i++) row.hidden[i] = row.hidden[i]! + d[i]!;
      }
    });
    return { hidden: rows.map((r) => rmsNorm(r.hidden, this.weights.finalNorm, c.rmsNormEps)), traces };
  }

  logits(hidden: Float32Array): Float32Array {
    return matVec(this.weights.lmHead, hidden, this.config.vocabSize, this.config.hiddenSize);
  }

  /**
   * MTP drafts: h' = rmsNorm(W·[norm(h); norm(embed(token))]), draft = argmax(lmHead·h'), then
   * chain with (h', draft) for the next one.
   */
  proposeDrafts(hidden: Float32Array, tokenId: number, numDrafts: number): number[] {
    const w = this.weights;
    const c = this.config;
    const out: number[] = [];
    let h = hidden;
    let tok = tokenId;
    for (let i = 0; i < numDrafts; i++) {
      const cat = new Float32Array(2 * c.hiddenSize);
      cat.set(rmsNorm(h, w.mtpHiddenNorm, c.rmsNormEps), 0);
      cat.set(rmsNorm(this.embed(tok), w.mtpEmbedNorm, c.rmsNormEps), c.hiddenSize);
      h = rmsNorm(matVec(w.mtpProj, cat, c.hiddenSize, 2 * c.hiddenSize), w.mtpNorm, c.rmsNormEps);
      tok = argMax(this.logits(h));
      out.push(tok);
    }
    return out;
  }
}
