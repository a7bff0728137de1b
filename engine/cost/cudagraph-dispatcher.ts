/**
 * The per-step graph decision (vLLM `v1/cudagraph_dispatcher.py`, engine-semantics.md §10.4).
 * At start-up the dispatcher resolves `cudagraph_mode` against the backend's capability
 * (`resolveCudagraphModeWithReasons`: FULL becomes FULL_AND_PIECEWISE for a non-ALWAYS backend)
 * and registers its keys — the only graphs that exist: the mixed mode's keys for every capture
 * size (PIECEWISE keys leave `numReqs` unset; FULL mixed keys carry `min(size, maxNumSeqs)`), and
 * with a separate decode routine FULL uniform keys for sizes in `[1+k, (1+k)·maxNumSeqs]` with
 * `numReqs = size / (1+k)`. At run time a batch is padded to the next capture size and looked up:
 * FULL (uniform key, then mixed key), else PIECEWISE (relaxed key), else NONE (eager, unpadded),
 * each mode only if the step allows it.
 */
import { EngineError } from '../base/errors';
import type { CudagraphMode } from '../config/engine-config';
import {
  backendCudagraphSupport, computeCaptureSizes, decodeMode, isUniformDecodeBatch, mixedMode, padToCaptureSize,
  requiresPiecewiseCompilation, resolveCudagraphModeWithReasons, separateRoutine,
  type CudagraphModeResolution, type CudagraphSupport, type RuntimeGraphMode,
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
  /** Attention split out by piecewise compilation (vLLM's default `VLLM_COMPILE`); false = no piecewise graphs possible. */
  readonly piecewiseCompilation?: boolean;
  /**
   * §11.7 toggle (true = vLLM): a decode batch is uniform only if every request has exactly 1 + k
   * tokens. false = counterfactual: any batch of decodes with 1..1+k tokens each counts as uniform
   * (padded to (1+k) × numReqs), to measure what partial draft counts cost.
   */
  readonly uniformDecodeRequiresExactK?: boolean;
}

/** vLLM `BatchDescriptor`: a graph key (tokens after padding, requests, uniform decode). */
export interface BatchDescriptor {
  readonly numTokens: number;
  /** `null` for PIECEWISE keys and eager batches (any request count). */
  readonly numReqs: number | null;
  readonly uniform: boolean;
  readonly hasLora: boolean;
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

export interface DispatchOptions {
  readonly uniformDecode?: boolean;
  /** Modes this step may use (vLLM `valid_modes`); default all. */
  readonly validModes?: readonly RuntimeGraphMode[];
  /** Modes this step may not use (vLLM `invalid_modes`, e.g. FULL under cascade attention). */
  readonly invalidModes?: readonly RuntimeGraphMode[];
}

function bd(numTokens: number, numReqs: number | null, uniform: boolean): BatchDescriptor {
  return { numTokens, numReqs, uniform, hasLora: false };
}

function keyOf(d: BatchDescriptor): string {
  return `${d.numTokens}/${d.numReqs ?? '-'}/${d.uniform ? 'u' : 'm'}`;
}

export class CudagraphDispatcher {
  /** Mode after the backend capability check. */
  readonly resolvedMode: CudagraphMode;
  readonly resolution: CudagraphModeResolution;
  readonly captureSizes: readonly number[];
  /** Registered keys per runtime mode, in registration order (vLLM `cudagraph_keys`). */
  readonly cudagraphKeys: { readonly PIECEWISE: readonly BatchDescriptor[]; readonly FULL: readonly BatchDescriptor[] };
  private readonly fullKeys = new Set<string>();
  private readonly piecewiseKeys = new Set<string>();
  private readonly uniformQueryLen: number;
  private readonly maxNumSeqs: number;
  private readonly exactK: boolean;
  /** `dispatchBatch` answers of `dispatch`, by (tokens, uniform decode, FULL allowed): a pure function of them. */
  private readonly dispatchCache = new Map<number, { mode: RuntimeGraphMode; descriptor: BatchDescriptor }>();

  constructor(o: CudagraphDispatcherOptions) {
    const piecewise = o.piecewiseCompilation ?? true;
    if (requiresPiecewiseCompilation(o.cudagraphMode) && !piecewise) {
      throw new EngineError('Compilation level should be CompilationMode.VLLM_COMPILE when cudagraph_mode piecewise cudagraphs is used, '
        + `and attention should be in splitting_ops or inductor splitting should be used. cudagraph_mode=${o.cudagraphMode}`, 'cudagraphMode');
    }
    if (o.captureSizes && o.captureSizes.length > 0 && o.maxCaptureSize != null && o.maxCaptureSize !== Math.max(...o.captureSizes)) {
      throw new EngineError(`customized max_cudagraph_capture_size(=${o.maxCaptureSize}) should be consistent with the max value of `
        + `cudagraph_capture_sizes(=${Math.max(...o.captureSizes)})`, 'maxCaptureSize');
    }
    const support = o.cudagraphSupport ?? (o.attentionBackend ? backendCudagraphSupport(o.attentionBackend) : 'UNIFORM_BATCH');
    this.resolution = resolveCudagraphModeWithReasons(o.cudagraphMode, support, o.numSpecTokens, { piecewiseCompilation: piecewise, backend: o.attentionBackend ?? undefined });
    this.resolvedMode = this.resolution.mode;
    this.captureSizes = computeCaptureSizes({ ...o, cudagraphMode: this.resolvedMode });
    this.uniformQueryLen = 1 + o.numSpecTokens;
    this.maxNumSeqs = o.maxNumSeqs;
    this.exactK = o.uniformDecodeRequiresExactK ?? true;
    const full: BatchDescriptor[] = [];
    const pw: BatchDescriptor[] = [];
    const m = this.resolvedMode;
    // vLLM `initialize_cudagraph_keys`.
    const mixed = mixedMode(m);
    if (mixed === 'PIECEWISE') for (const s of this.captureSizes) pw.push(bd(s, null, false));
    if (mixed === 'FULL') for (const s of this.captureSizes) full.push(bd(s, Math.min(s, o.maxNumSeqs), false));
    if (decodeMode(m) === 'FULL' && separateRoutine(m)) {
      const q = this.uniformQueryLen;
      for (const s of this.captureSizes) if (s >= q && s <= q * o.maxNumSeqs && s % q === 0) full.push(bd(s, s / q, true));
    }
    for (const d of full) this.fullKeys.add(keyOf(d));
    for (const d of pw) this.piecewiseKeys.add(keyOf(d));
    this.cudagraphKeys = { PIECEWISE: pw, FULL: full };
  }

  /** Number of FULL graphs captured (for display). */
  get numFullGraphs(): number {
    return this.cudagraphKeys.FULL.length;
  }

  /**
   * vLLM `dispatch(num_tokens, uniform_decode, …)`: the runtime mode and the graph key a batch of
   * `numTokens` tokens runs with. NONE returns the unpadded descriptor.
   */
  dispatchBatch(numTokens: number, o: DispatchOptions = {}): { mode: RuntimeGraphMode; descriptor: BatchDescriptor } {
    if (!Number.isInteger(numTokens) || numTokens < 1) throw new EngineError(`numTokens must be an integer ≥ 1, got ${numTokens}`, 'numTokens');
    const eager = { mode: 'NONE' as const, descriptor: bd(numTokens, null, false) };
    const allowed = (mode: RuntimeGraphMode): boolean => (o.validModes === undefined || o.validModes.includes(mode)) && !(o.invalidModes ?? []).includes(mode);
    const padded = this.resolvedMode === 'NONE' ? undefined : padToCaptureSize(numTokens, this.captureSizes);
    if (padded === undefined) return eager;
    const q = this.uniformQueryLen;
    const mixedFull = bd(padded, Math.min(padded, this.maxNumSeqs), false);
    if (allowed('FULL')) {
      if (o.uniformDecode && decodeMode(this.resolvedMode) === 'FULL' && padded % q === 0) {
        const uniform = bd(padded, padded / q, true);
        if (this.fullKeys.has(keyOf(uniform))) return { mode: 'FULL', descriptor: uniform };
      }
      if (this.fullKeys.has(keyOf(mixedFull))) return { mode: 'FULL', descriptor: mixedFull };
    }
    const relaxed = bd(padded, null, false);
    if (allowed('PIECEWISE') && this.piecewiseKeys.has(keyOf(relaxed))) return { mode: 'PIECEWISE', descriptor: relaxed };
    return eager;
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
    if (numTokens === 0) return { mode: 'NONE', numTokensPadded: 0, numTokens, numReqs, uniformDecode };
    const tokens = relaxed ? q * numReqs : numTokens;
    const key = tokens * 4 + (uniformDecode ? 2 : 0) + (allowFull ? 1 : 0);
    let r = this.dispatchCache.get(key);
    if (r === undefined) this.dispatchCache.set(key, r = this.dispatchBatch(tokens, { uniformDecode, invalidModes: allowFull ? [] : ['FULL'] }));
    const numTokensPadded = r.mode === 'NONE' ? numTokens : r.descriptor.numTokens;
    return { mode: r.mode, numTokensPadded, numTokens, numReqs, uniformDecode };
  }
}
