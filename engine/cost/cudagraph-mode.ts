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

function hasFullDecodeGraphs(mode: CudagraphMode): boolean {
  return mode === 'FULL' || mode === 'FULL_DECODE_ONLY' || mode === 'FULL_AND_PIECEWISE';
}

/**
 * The mode actually used after the backend check: FULL for mixed batches needs `ALWAYS`; FULL
 * decode graphs need `UNIFORM_BATCH` when speculating (`1 + k > 1`), or at least
 * `UNIFORM_SINGLE_TOKEN_DECODE` without speculation; otherwise the FULL part is dropped.
 */
export function resolveCudagraphMode(requested: CudagraphMode, support: CudagraphSupport, numSpecTokens: number): CudagraphMode {
  if (!CUDAGRAPH_MODES.includes(requested)) {
    throw new EngineError(`cudagraphMode: unknown mode '${requested}'; known: ${CUDAGRAPH_MODES.join(', ')}`, 'cudagraphMode');
  }
  const decodeOk =
    support === 'ALWAYS' || support === 'UNIFORM_BATCH' || (support === 'UNIFORM_SINGLE_TOKEN_DECODE' && numSpecTokens === 0);
  switch (requested) {
    case 'NONE':
    case 'PIECEWISE':
      return requested;
    case 'FULL':
      return support === 'ALWAYS' ? 'FULL' : decodeOk ? 'FULL_AND_PIECEWISE' : 'PIECEWISE';
    case 'FULL_DECODE_ONLY':
      return decodeOk ? 'FULL_DECODE_ONLY' : 'NONE';
    case 'FULL_AND_PIECEWISE':
      return decodeOk ? 'FULL_AND_PIECEWISE' : 'PIECEWISE';
  }
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
