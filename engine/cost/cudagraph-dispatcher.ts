/**
 * The per-step graph decision (engine-semantics.md §10.4). At start-up the dispatcher registers
 * keys `(numTokensPadded, numReqs, uniform)`: PIECEWISE keys for every capture size (numReqs
 * unspecified), FULL uniform-decode keys for capture sizes in `[1+k, (1+k)·maxNumSeqs]` with
 * `numReqs = padded / (1+k)`, and (mode FULL with an ALWAYS backend) FULL keys for mixed batches.
 * At run time: FULL if allowed and the key exists, else PIECEWISE if its key exists, else NONE
 * (eager, unpadded).
 */
import { EngineError } from '../base/errors';
import type { CudagraphMode } from '../config/engine-config';
import {
  backendCudagraphSupport, computeCaptureSizes, isUniformDecodeBatch, padToCaptureSize, resolveCudagraphMode,
  type CudagraphSupport, type RuntimeGraphMode,
} from './cudagraph-mode';

export interface CudagraphDispatcherOptions {
  readonly cudagraphMode: CudagraphMode;
  /** Backend name (e.g. `FLASHINFER_MLA`) or its capability directly. */
  readonly attentionBackend?: string | null;
  readonly cudagraphSupport?: CudagraphSupport;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly numSpecTokens: number;
  readonly maxCaptureSize?: number | null;
  readonly captureSizes?: readonly number[] | null;
  readonly performanceMode?: 'balanced' | 'interactivity' | 'throughput';
  /**
   * §11.7 toggle (true = vLLM): a decode batch is uniform only if every request has exactly 1 + k
   * tokens. false = counterfactual: any batch of decodes with 1..1+k tokens each counts as uniform
   * (padded to (1+k) × numReqs), to measure what partial draft counts cost.
   */
  readonly uniformDecodeRequiresExactK?: boolean;
}

/** What one step ran as: recorded on every step. */
export interface GraphDispatch {
  readonly mode: RuntimeGraphMode;
  /** Tokens the forward actually processed (padded for graphs, equal to the batch for NONE). */
  readonly numTokensPadded: number;
  readonly numTokens: number;
  readonly numReqs: number;
  readonly uniformDecode: boolean;
}

export class CudagraphDispatcher {
  /** Mode after the backend capability check. */
  readonly resolvedMode: CudagraphMode;
  readonly captureSizes: readonly number[];
  private readonly fullUniformKeys = new Map<number, number>();
  private readonly fullMixedKeys = new Set<number>();
  private readonly piecewiseKeys = new Set<number>();
  private readonly uniformQueryLen: number;
  private readonly exactK: boolean;

  constructor(o: CudagraphDispatcherOptions) {
    const support = o.cudagraphSupport ?? (o.attentionBackend ? backendCudagraphSupport(o.attentionBackend) : 'UNIFORM_BATCH');
    this.resolvedMode = resolveCudagraphMode(o.cudagraphMode, support, o.numSpecTokens);
    this.captureSizes = computeCaptureSizes({ ...o, cudagraphMode: this.resolvedMode });
    this.uniformQueryLen = 1 + o.numSpecTokens;
    this.exactK = o.uniformDecodeRequiresExactK ?? true;
    const m = this.resolvedMode;
    if (m === 'PIECEWISE' || m === 'FULL_AND_PIECEWISE') for (const s of this.captureSizes) this.piecewiseKeys.add(s);
    if (m === 'FULL') for (const s of this.captureSizes) this.fullMixedKeys.add(s);
    if (m === 'FULL' || m === 'FULL_DECODE_ONLY' || m === 'FULL_AND_PIECEWISE') {
      const q = this.uniformQueryLen;
      for (const s of this.captureSizes) {
        if (s >= q && s <= q * o.maxNumSeqs && s % q === 0) this.fullUniformKeys.set(s, Math.min(s / q, o.maxNumSeqs));
      }
    }
  }

  /** Number of FULL uniform-decode graphs captured (for display). */
  get numFullGraphs(): number {
    return this.fullUniformKeys.size + this.fullMixedKeys.size;
  }

  /**
   * Chooses the graph for a step from its per-request scheduled token counts. `allowFull` is false
   * when cascade attention or encoder outputs are present (FULL is disallowed for that step).
   */
  dispatch(numScheduledTokens: readonly number[], allowFull = true): GraphDispatch {
    const numReqs = numScheduledTokens.length;
    let numTokens = 0;
    for (const n of numScheduledTokens) {
      if (!Number.isInteger(n) || n < 1) throw new EngineError(`numScheduledTokens: every entry must be an integer ≥ 1, got ${n}`, 'numScheduledTokens');
      numTokens += n;
    }
    const q = this.uniformQueryLen;
    const relaxed = !this.exactK && numReqs > 0 && numScheduledTokens.every((n) => n <= q);
    const uniformDecode = relaxed || isUniformDecodeBatch(numScheduledTokens, q - 1);
    const padded = numTokens > 0 ? padToCaptureSize(relaxed ? q * numReqs : numTokens, this.captureSizes) : undefined;
    if (padded !== undefined && allowFull) {
      if (uniformDecode && this.fullUniformKeys.has(padded)) return { mode: 'FULL', numTokensPadded: padded, numTokens, numReqs, uniformDecode };
      if (this.fullMixedKeys.has(padded)) return { mode: 'FULL', numTokensPadded: padded, numTokens, numReqs, uniformDecode };
    }
    if (padded !== undefined && this.piecewiseKeys.has(padded)) {
      return { mode: 'PIECEWISE', numTokensPadded: padded, numTokens, numReqs, uniformDecode };
    }
    return { mode: 'NONE', numTokensPadded: numTokens, numTokens, numReqs, uniformDecode };
  }
}
