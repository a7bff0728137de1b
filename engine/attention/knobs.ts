/**
 * The SM12x Triton sparse-MLA knobs (sparse-mla.md §8.4) that shape the reference's loops:
 * TOPK_CHUNK_SIZE (candidate chunk, default 512; rounding only), QUERY_CHUNK_SIZE (prefill query
 * blocking, default 256; no numerical effect) and HEAD_BLOCK_SIZE (1, 2 or 4 heads per program, or
 * auto: 1 if decode tokens ≤ 4, 2 if < 16, else 4; reduction order only). Parsing mirrors vLLM's.
 */
import { EngineError } from '../base/errors';

export const DEFAULT_TOPK_CHUNK_SIZE = 512;
export const DEFAULT_QUERY_CHUNK_SIZE = 256;

export type HeadBlockSetting = 1 | 2 | 4 | 'auto';

/** Resolved knobs. */
export interface SparseMlaKnobs {
  readonly topkChunkSize: number;
  readonly queryChunkSize: number;
  readonly headBlockSize: HeadBlockSetting;
}

export const DEFAULT_SPARSE_MLA_KNOBS: SparseMlaKnobs = {
  topkChunkSize: DEFAULT_TOPK_CHUNK_SIZE,
  queryChunkSize: DEFAULT_QUERY_CHUNK_SIZE,
  headBlockSize: 'auto',
};

/** The auto rule: 1 head per program for ≤ 4 decode tokens, 2 for < 16, else 4. */
export function resolveHeadBlockSize(setting: HeadBlockSetting, numDecodeTokens: number): 1 | 2 | 4 {
  if (setting !== 'auto') return setting;
  if (numDecodeTokens <= 4) return 1;
  if (numDecodeTokens < 16) return 2;
  return 4;
}

/** Checks user-given knobs (a caller mistake names the knob). */
export function checkSparseMlaKnobs(k: Partial<SparseMlaKnobs>): SparseMlaKnobs {
  const out = { ...DEFAULT_SPARSE_MLA_KNOBS, ...k };
  if (!Number.isInteger(out.topkChunkSize) || out.topkChunkSize < 1) {
    throw new EngineError(`topkChunkSize must be an integer ≥ 1, got ${out.topkChunkSize}`, 'topkChunkSize');
  }
  if (!Number.isInteger(out.queryChunkSize) || out.queryChunkSize < 1) {
    throw new EngineError(`queryChunkSize must be an integer ≥ 1, got ${out.queryChunkSize}`, 'queryChunkSize');
  }
  if (!(out.headBlockSize === 'auto' || out.headBlockSize === 1 || out.headBlockSize === 2 || out.headBlockSize === 4)) {
    throw new EngineError(`headBlockSize must be 1, 2, 4 or 'auto', got ${String(out.headBlockSize)}`, 'headBlockSize');
  }
  return out;
}

function parseChunk(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const t = raw.trim();
  if (!/^[+-]?\d+$/.test(t)) return fallback; // non-int → default, as vLLM's int() fallback
  return Math.max(1, Number.parseInt(t, 10));
}

/**
 * Parses the environment-variable spelling (values as strings, e.g. from a notebook cell):
 * chunk sizes are ints clamped to ≥ 1 (non-ints fall back to the default); the head block
 * accepts only 1, 2, 4 (anything else means auto).
 */
export function parseSparseMlaKnobs(env: Readonly<Record<string, string | undefined>>): SparseMlaKnobs {
  const hb = env['VLLM_TRITON_MLA_SPARSE_HEAD_BLOCK_SIZE']?.trim();
  return {
    topkChunkSize: parseChunk(env['VLLM_TRITON_MLA_SPARSE_TOPK_CHUNK_SIZE'], DEFAULT_TOPK_CHUNK_SIZE),
    queryChunkSize: parseChunk(env['VLLM_TRITON_MLA_SPARSE_QUERY_CHUNK_SIZE'], DEFAULT_QUERY_CHUNK_SIZE),
    headBlockSize: hb === '1' ? 1 : hb === '2' ? 2 : hb === '4' ? 4 : 'auto',
  };
}
