/**
 * Which kernel path the SM12x Triton fallback takes for a decode batch (sparse-mla.md §8.2,
 * canonical snapshot c61a4d507). Only the matmul path changes numerics (bf16 scores and weights);
 * the others are fp32 and differ from each other only in summation order.
 */
import { EngineError } from '../base/errors';
import { DEFAULT_TOPK_CHUNK_SIZE } from './knobs';

export type DecodePath =
  /** SWA-only layer, one token per request: fused paged SWA + sink, one pass (fp32). */
  | 'swa-fused-paged'
  /** SWA-only layer with speculative tokens: global-slot accumulate, then finish with sink (fp32). */
  | 'swa-global-slots'
  /** Compressed layer, width ≤ chunk, matmul decode on: bf16 scores and weights. */
  | 'matmul-bf16'
  /** Compressed layer, width ≤ chunk, matmul decode off: compressed then SWA in one fused pass (fp32). */
  | 'fused-single-pass'
  /** Otherwise: compressed in chunks → state 0, SWA → state 1, finish two states with sink (fp32). */
  | 'chunked-two-states';

export interface DecodeDispatchInput {
  /** Layer compress ratio: 1 (SWA-only), 4 (C4A) or 128 (C128A). */
  readonly ratio: 1 | 4 | 128;
  readonly numDecodeTokens: number;
  readonly numDecodeRequests: number;
  /** Width of the compressed list: 512 for C4A, the C128A buffer width for C128A. */
  readonly compressedTopk?: number;
  readonly topkChunkSize?: number;
  /** VLLM_TRITON_MLA_SPARSE_MATMUL_DECODE (on by default on SM12x). */
  readonly matmulDecode?: boolean;
}

/** The decode path for a layer and batch; "mtp" = more decode tokens than decode requests. */
export function selectDecodePath(input: DecodeDispatchInput): DecodePath {
  const { ratio, numDecodeTokens, numDecodeRequests } = input;
  if (ratio !== 1 && ratio !== 4 && ratio !== 128) throw new EngineError(`ratio must be 1, 4 or 128, got ${String(ratio)}`, 'ratio');
  if (!Number.isInteger(numDecodeRequests) || numDecodeRequests < 0) throw new EngineError('numDecodeRequests must be a non-negative integer', 'numDecodeRequests');
  if (!Number.isInteger(numDecodeTokens) || numDecodeTokens < numDecodeRequests) {
    throw new EngineError('numDecodeTokens must be an integer ≥ numDecodeRequests', 'numDecodeTokens');
  }
  const mtp = numDecodeTokens > numDecodeRequests;
  if (ratio === 1) return mtp ? 'swa-global-slots' : 'swa-fused-paged';
  const width = input.compressedTopk;
  if (width === undefined || !Number.isInteger(width) || width <= 0) throw new EngineError('compressedTopk must be a positive integer for a compressed layer', 'compressedTopk');
  const chunk = input.topkChunkSize ?? DEFAULT_TOPK_CHUNK_SIZE;
  if (!mtp && width <= chunk) return input.matmulDecode ?? true ? 'matmul-bf16' : 'fused-single-pass';
  return 'chunked-two-states';
}
