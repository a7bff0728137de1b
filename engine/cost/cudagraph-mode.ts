/**
 * CUDA-graph dispatch as vLLM computes it (engine-semantics.md §10): the capture-size list, the
 * resolution of `cudagraph_mode` against the attention backend's capability, the uniform-decode
 * test, padding to the smallest capture size ≥ the batch, and the per-step choice of FULL,
 * PIECEWISE or NONE. One non-uniform request demotes the whole step from FULL.
 */
import { EngineError } from '../base/errors';
import { CUDAGRAPH_MODES, defaultMaxCaptureSize, type CudagraphMode } from '../config/engine-config';
import type { SchedulerOutput } from '../contracts/scheduler-output';

export type RuntimeGraphMode = 'NONE' | 'PIECEWISE' | 'FULL';
/** Attention backend capability, strongest first. */
export type CudagraphSupport = 'ALWAYS' | 'UNIFORM_BATCH' | 'UNIFORM_SINGLE_TOKEN_DECODE' | 'NEVER';

/** Capability of the attention backends named in §10.1 (vLLM's `--attention-backend` spellings). */
export const BACKEND_CUDAGRAPH_SUPPORT: Readonly<Record<string, CudagraphSupport>> = {
  FLASH_ATTN: 'UNIFORM_BATCH',
  FLASHMLA: 'UNIFORM_BATCH',
  FLASHMLA_SPARSE: 'UNIFORM_BATCH',
  FLASHINFER_MLA: 'UNIFORM_BATCH',
  CUTLASS_MLA: 'UNIFORM_BATCH',
  FLASHINFER: 'UNIFORM_SINGLE_TOKEN_DECODE',
  FLASH_ATTN_3: 'ALWAYS',
  TRITON_ATTN: 'ALWAYS',
  TRITON_MLA: 'ALWAYS',
};

export function backendCudagraphSupport(backend: string): CudagraphSupport {
  const s = BACKEND_CUDAGRAPH_SUPPORT[backend.toUpperCase()];
  if (!s) {
    throw new EngineError(`attentionBackend: unknown backend '${backend}'; known: ${Object.keys(BACKEND_CUDAGRAPH_SUPPORT).join(', ')}`, 'attentionBackend');
  }
  return s;
}

/** vLLM `AttentionCGSupport` order: a backend supports every capability below its own. */
export const CUDAGRAPH_SUPPORT_LEVEL: Readonly<Record<CudagraphSupport, number>> = {
  NEVER: 0, UNIFORM_SINGLE_TOKEN_DECODE: 1, UNIFORM_BATCH: 2, ALWAYS: 3,
};

/** vLLM `CUDAGraphMode.mixed_mode()`: the graph a mixed (prefill + decode) batch runs. */
export function mixedMode(mode: CudagraphMode): RuntimeGraphMode {
  return mode === 'FULL' ? 'FULL' : mode === 'FULL_AND_PIECEWISE' || mode === 'PIECEWISE' ? 'PIECEWISE' : 'NONE';
}

/** vLLM `CUDAGraphMode.decode_mode()`: the graph a uniform decode batch runs. */
export function decodeMode(mode: CudagraphMode): RuntimeGraphMode {
  return mode === 'PIECEWISE' ? 'PIECEWISE' : mode === 'NONE' ? 'NONE' : 'FULL';
}

/** vLLM `separate_routine()`: decode and mixed batches are captured separately. */
export function separateRoutine(mode: CudagraphMode): boolean {
  return mode === 'FULL_AND_PIECEWISE' || mode === 'FULL_DECODE_ONLY';
}

/** vLLM `requires_piecewise_compilation()`: some graph is piecewise. */
export function requiresPiecewiseCompilation(mode: CudagraphMode): boolean {
  return mode === 'PIECEWISE' || mode === 'FULL_AND_PIECEWISE';
}

function hasFullDecodeGraphs(mode: CudagraphMode): boolean {
  return mode === 'FULL' || mode === 'FULL_DECODE_ONLY' || mode === 'FULL_AND_PIECEWISE';
}

/** The mode after the backend check and why each downgrade happened (vLLM's warnings). */
export interface CudagraphModeResolution {
  readonly requested: CudagraphMode;
  readonly mode: CudagraphMode;
  readonly support: CudagraphSupport;
  readonly reasons: readonly string[];
}

export interface ResolveOptions {
  /** Attention is split out of the compiled graph (vLLM: `VLLM_COMPILE` with attention in `splitting_ops`, the default). */
  readonly piecewiseCompilation?: boolean;
  /** For messages: the backend name. */
  readonly backend?: string;
}

/**
 * vLLM's capability rules (`GPUModelRunner` at CUDA-graph init), in order:
 * 1. FULL for mixed batches needs an ALWAYS backend; otherwise FULL becomes FULL_AND_PIECEWISE
 *    (attention split out by piecewise compilation) or FULL_DECODE_ONLY (no piecewise), and a
 *    NEVER backend is an error.
 * 2. Separate FULL decode graphs with drafts (`1 + k > 1`) need UNIFORM_BATCH; otherwise the mode
 *    drops to PIECEWISE (or NONE without piecewise compilation).
 * 3. Any FULL graph left with a NEVER backend is an error.
 */
export function resolveCudagraphModeWithReasons(requested: CudagraphMode, support: CudagraphSupport, numSpecTokens: number, o: ResolveOptions = {}): CudagraphModeResolution {
  if (!CUDAGRAPH_MODES.includes(requested)) {
    throw new EngineError(`cudagraphMode: unknown mode '${requested}'; known: ${CUDAGRAPH_MODES.join(', ')}`, 'cudagraphMode');
  }
  const piecewise = o.piecewiseCompilation ?? true;
  const backend = o.backend ?? 'the attention';
  const reasons: string[] = [];
  let mode = requested;
  const level = CUDAGRAPH_SUPPORT_LEVEL[support];
  if (mixedMode(mode) === 'FULL' && support !== 'ALWAYS') {
    const msg = `CUDAGraphMode.${mode} is not supported with ${backend} backend (support: ${support})`;
    if (support === 'NEVER') throw new EngineError(`${msg}; please try cudagraph_mode=PIECEWISE, and make sure compilation mode is VLLM_COMPILE`, 'cudagraphMode');
    mode = piecewise ? 'FULL_AND_PIECEWISE' : 'FULL_DECODE_ONLY';
    reasons.push(`${msg}; setting cudagraph_mode=${mode}`);
  }
  if (decodeMode(mode) === 'FULL' && separateRoutine(mode) && 1 + numSpecTokens > 1 && level < CUDAGRAPH_SUPPORT_LEVEL.UNIFORM_BATCH) {
    const to: CudagraphMode = piecewise ? 'PIECEWISE' : 'NONE';
    reasons.push(`CUDAGraphMode.${mode} is not supported with spec-decode for attention backend ${backend} (support: ${support}); setting cudagraph_mode=${to}`);
    mode = to;
  }
  if (hasFullDecodeGraphs(mode) && support === 'NEVER') {
    throw new EngineError(`CUDAGraphMode.${mode} is not supported with ${backend} backend (support:${support}) ; please try cudagraph_mode=PIECEWISE, and make sure compilation level is piecewise`, 'cudagraphMode');
  }
  return { requested, mode, support, reasons };
}

/** The mode actually used after the backend check (`resolveCudagraphModeWithReasons(...).mode`). */
export function resolveCudagraphMode(requested: CudagraphMode, support: CudagraphSupport, numSpecTokens: number, o: ResolveOptions = {}): CudagraphMode {
  return resolveCudagraphModeWithReasons(requested, support, numSpecTokens, o).mode;
}

export interface CaptureSizeOptions {
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  /** `k`; 0 without speculation. */
  readonly numSpecTokens: number;
  /** The mode after `resolveCudagraphMode`; FULL decode graphs round sizes to multiples of 1+k. */
  readonly cudagraphMode: CudagraphMode;
  /** User's `max_cudagraph_capture_size`; default `min(maxNumSeqs × (1+k) × 2, 512, maxNumBatchedTokens)`. */
  readonly maxCaptureSize?: number | null;
  /** User's explicit `cudagraph_capture_sizes` (still rounded for FULL decode graphs). */
  readonly captureSizes?: readonly number[] | null;
  /** `interactivity`: every size 1..32 before the usual tail. */
  readonly performanceMode?: 'balanced' | 'interactivity' | 'throughput';
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new EngineError(`${name}: expected an integer ≥ 1, got ${v}`, name);
}

/** The sorted capture sizes (tokens). Empty for mode NONE. */
export function computeCaptureSizes(o: CaptureSizeOptions): number[] {
  positiveInt('maxNumSeqs', o.maxNumSeqs);
  positiveInt('maxNumBatchedTokens', o.maxNumBatchedTokens);
  if (!Number.isInteger(o.numSpecTokens) || o.numSpecTokens < 0) {
    throw new EngineError(`numSpecTokens: expected an integer ≥ 0, got ${o.numSpecTokens}`, 'numSpecTokens');
  }
  if (o.cudagraphMode === 'NONE') return [];
  const max = o.maxCaptureSize ?? defaultMaxCaptureSize(o.maxNumSeqs, o.numSpecTokens, o.maxNumBatchedTokens);
  positiveInt('maxCaptureSize', max);
  let sizes: number[];
  if (o.captureSizes && o.captureSizes.length > 0) {
    o.captureSizes.forEach((s, i) => positiveInt(`captureSizes[${i}]`, s));
    sizes = o.captureSizes.filter((s) => s <= max);
  } else {
    sizes = [];
    const head = o.performanceMode === 'interactivity' ? Math.min(max, 32) : 0;
    for (let s = 1; s <= head; s++) sizes.push(s);
    for (const s of [1, 2, 4]) if (s <= max && s > head) sizes.push(s);
    for (let s = 8; s <= Math.min(max, 248); s += 8) if (s > head) sizes.push(s);
    for (let s = 256; s <= max; s += 16) sizes.push(s);
    if (o.maxNumBatchedTokens <= max) sizes.push(o.maxNumBatchedTokens);
  }
  const q = 1 + o.numSpecTokens;
  if (hasFullDecodeGraphs(o.cudagraphMode) && q > 1) {
    sizes = sizes.map((s) => Math.ceil(s / q) * q).filter((s) => s <= max);
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** Smallest capture size ≥ `numTokens` (binary search), or undefined when the batch is too big. */
export function padToCaptureSize(numTokens: number, captureSizes: readonly number[]): number | undefined {
  let lo = 0;
  let hi = captureSizes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (captureSizes[mid]! < numTokens) lo = mid + 1;
    else hi = mid;
  }
  return lo < captureSizes.length ? captureSizes[lo] : undefined;
}

/**
 * Uniform decode (§10.2): every request has exactly `1 + k` tokens, i.e. the largest per-request
 * count is `1 + k` and the total is `(1 + k) × numReqs`. An empty batch is not uniform.
 */
export function isUniformDecodeBatch(numScheduledTokens: readonly number[], numSpecTokens: number): boolean {
  if (numScheduledTokens.length === 0) return false;
  const q = 1 + numSpecTokens;
  let max = 0;
  let total = 0;
  for (const n of numScheduledTokens) {
    if (n > max) max = n;
    total += n;
  }
  return max === q && total === q * numScheduledTokens.length;
}

/** `isUniformDecodeBatch` over a scheduler output's rows (`max(n) == 1+k && total == (1+k)·numReqs`). */
export function isUniformDecode(out: SchedulerOutput, numSpeculativeTokens: number): boolean {
  return isUniformDecodeBatch(out.scheduled.map((r) => r.numScheduledTokens), numSpeculativeTokens);
}
