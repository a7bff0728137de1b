/**
 * Candidate construction for DeepSeek V4 layers (sparse-mla.md §3, §4): the sliding-window (SWA)
 * subset of the last min(pos+1, 128) raw positions including the current token, the C4A subset
 * (ratio 4, the indexer's request-local top-k turned into global slots) and the C128A subset
 * (ratio 128, every visible compressed entry). Global slot = blockTable[i div E]·E + i mod E.
 * Lists use vLLM's −1 padding because that is the upstream format the kernels consume.
 */
import { EngineError } from '../base/errors';
import { localToGlobalSlot, roundUp } from '../quant/paged-layout';
import { candidateLists, type CandidateLists } from './candidate-list';

export const V4_SLIDING_WINDOW = 128;
/** The SWA cache's own page size (tokens per page). */
export const V4_SWA_PAGE_SIZE = 64;
/** Logical page of the V4 backends, in tokens. */
export const V4_LOGICAL_PAGE = 256;
export const V4_INDEX_TOPK = 512;
export const V4_SOFTMAX_SCALE = 512 ** -0.5;

/** Compressed entries per 256-token page for a ratio (64 for C4A, 2 for C128A). */
export function entriesPerPageForRatio(ratio: number): number {
  if (ratio !== 4 && ratio !== 128) throw new EngineError(`ratio must be 4 or 128, got ${ratio}`, 'ratio');
  return V4_LOGICAL_PAGE / ratio;
}

/** Compressed entries visible to a query at `pos`: ⌊(pos+1)/r⌋. */
export function numVisibleCompressed(pos: number, ratio: number): number {
  checkPos(pos);
  return Math.floor((pos + 1) / ratio);
}

function checkPos(pos: number): void {
  if (!Number.isInteger(pos) || pos < 0) throw new EngineError(`pos must be a non-negative integer, got ${pos}`, 'pos');
}

/** One token's candidate row in upstream form. */
export interface CandidateRow {
  readonly slots: Int32Array;
  readonly len: number;
}

/** Stacks per-token rows into lists (rows padded with −1 to the widest). */
export function stackCandidateRows(rows: readonly CandidateRow[]): CandidateLists {
  return candidateLists(rows.map((r) => Array.from(r.slots)), rows.map((r) => r.len));
}

/**
 * SWA decode slots: swa_len = min(pos+1, W) positions pos−swa_len+1 … pos (oldest first), mapped
 * through the SWA block table (page 64), padded with −1 to width W. A padding token gets len 0.
 */
export function swaDecodeCandidates(opts: {
  pos: number;
  blockTable: ArrayLike<number>;
  window?: number;
  pageSize?: number;
  isValidToken?: boolean;
}): CandidateRow {
  const W = opts.window ?? V4_SLIDING_WINDOW;
  const E = opts.pageSize ?? V4_SWA_PAGE_SIZE;
  checkPos(opts.pos);
  const slots = new Int32Array(W).fill(-1);
  if (opts.isValidToken === false) return { slots, len: 0 };
  const len = Math.min(opts.pos + 1, W);
  const first = opts.pos - len + 1;
  for (let i = 0; i < len; i++) slots[i] = localToGlobalSlot(opts.blockTable, first + i, E);
  return { slots, len };
}

/**
 * C4A decode: the indexer's request-local top-k (−1 padded) converted to global slots (E = 64);
 * len = number of entries ≥ 0 (0 for a padding token).
 */
export function c4aDecodeCandidates(opts: {
  localTopk: ArrayLike<number>;
  blockTable: ArrayLike<number>;
  entriesPerPage?: number;
  isValidToken?: boolean;
}): CandidateRow {
  const E = opts.entriesPerPage ?? entriesPerPageForRatio(4);
  const slots = new Int32Array(opts.localTopk.length);
  let len = 0;
  for (let i = 0; i < slots.length; i++) {
    slots[i] = localToGlobalSlot(opts.blockTable, opts.localTopk[i]!, E);
    if (slots[i]! >= 0) len++;
  }
  return { slots, len: opts.isValidToken === false ? 0 : len };
}

/** C128A decode buffer width: roundup(ceil(maxModelLen/128), 128) (8192 at 1,048,576). */
export function c128aBufferWidth(maxModelLen: number): number {
  if (!Number.isInteger(maxModelLen) || maxModelLen <= 0) throw new EngineError(`maxModelLen must be a positive integer, got ${maxModelLen}`, 'maxModelLen');
  return roundUp(Math.ceil(maxModelLen / 128), 128);
}

/** C128A decode: n = min(⌊(pos+1)/128⌋, width) slots of local 0 … n−1 (E = 2), rest −1; len = n. */
export function c128aDecodeCandidates(opts: {
  pos: number;
  blockTable: ArrayLike<number>;
  width: number;
  entriesPerPage?: number;
  isValidToken?: boolean;
}): CandidateRow {
  const E = opts.entriesPerPage ?? entriesPerPageForRatio(128);
  if (!Number.isInteger(opts.width) || opts.width <= 0) throw new EngineError(`width must be a positive integer, got ${opts.width}`, 'width');
  const n = Math.min(numVisibleCompressed(opts.pos, 128), opts.width);
  const slots = new Int32Array(opts.width).fill(-1);
  if (opts.isValidToken === false) return { slots, len: 0 };
  for (let i = 0; i < n; i++) slots[i] = localToGlobalSlot(opts.blockTable, i, E);
  return { slots, len: n };
}

/**
 * The compressed-cache write of a token at `pos`: it writes iff (pos+1) mod r = 0, to local entry
 * pos div r; returns that global slot, or null when the token writes nothing.
 */
export function compressedWriteSlot(pos: number, ratio: number, blockTable: ArrayLike<number>): number | null {
  checkPos(pos);
  const E = entriesPerPageForRatio(ratio);
  if ((pos + 1) % ratio !== 0) return null;
  return localToGlobalSlot(blockTable, Math.floor(pos / ratio), E);
}

/** Width of a combined prefill row: roundup(TOP_K + W, 128) (640 C4A, 128 SWA-only, 8320 C128A at 1M). */
export function combinedRowWidth(topK: number, window = V4_SLIDING_WINDOW): number {
  return roundUp(topK + window, 128);
}

/** vLLM's per-layer ratios from config.json's compress_ratios (0 → 1; the last entry is the MTP layer, SWA-only). */
export function v4LayerRatios(compressRatios: readonly number[]): number[] {
  return compressRatios.map((r, i) => (i === compressRatios.length - 1 ? 1 : Math.max(1, r)));
}

/** V4-Flash compress_ratios as in its config.json: [0, 0, (4, 128)×20, 4, 0]. */
export const V4_FLASH_COMPRESS_RATIOS: readonly number[] = [0, 0, ...Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 4 : 128)), 4, 0];
