/**
 * Per-layer KV-cache specs (vLLM `kv_cache_interface.py`): full attention and sliding window,
 * standard or MLA, with their page size (bytes of one block of one layer), the most memory one
 * request can hold (`max_memory_usage_bytes`), the type key that decides which layers may share
 * a KV-cache group, merging a group's specs, and the two unifications vLLM applies before
 * grouping: sliding window treated as full attention when the hybrid manager is disabled, and
 * page sizes equalised by scaling block sizes.
 */
import { EngineError } from '../base/errors';

export interface AttentionLayerSpec {
  /** `full` = FullAttentionSpec (a `slidingWindow` there only records a unified window layer). */
  readonly type: 'full' | 'sliding_window';
  readonly blockSize: number;
  readonly numKvHeads: number;
  readonly headSize: number;
  /** Bytes per element of the cache (fp32 4, bf16/fp16 2, fp8 1). */
  readonly dtypeBytes: number;
  readonly slidingWindow: number | null;
  /** MLA stores one latent per token (no separate K and V). */
  readonly useMla?: boolean;
  /** vLLM `page_size_padded`: the page is padded to this many bytes. */
  readonly pageSizePadded?: number | null;
}

/** Several layers of one attention type but different sizes in one group (vLLM `UniformTypeKVCacheSpecs`). */
export interface UniformTypeSpecs {
  readonly type: 'uniform_type';
  readonly blockSize: number;
  readonly specs: Readonly<Record<string, AttentionLayerSpec>>;
}

export type KVCacheSpec = AttentionLayerSpec | UniformTypeSpecs;

/** What `max_memory_usage_bytes` depends on besides the spec. */
export interface SchedulerLimits {
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
}

export function fullAttentionSpec(o: Partial<AttentionLayerSpec> = {}): AttentionLayerSpec {
  return { type: 'full', blockSize: 16, numKvHeads: 2, headSize: 64, dtypeBytes: 4, slidingWindow: null, ...o };
}

export function slidingWindowSpec(o: Partial<AttentionLayerSpec> & { slidingWindow: number }): AttentionLayerSpec {
  return { type: 'sliding_window', blockSize: 16, numKvHeads: 2, headSize: 64, dtypeBytes: 4, ...o };
}

function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** Bytes of one block of one layer (K and V; one latent for MLA), padded when asked. */
export function specPageSizeBytes(s: KVCacheSpec): number {
  if (s.type === 'uniform_type') return Object.values(s.specs).reduce((a, x) => a + specPageSizeBytes(x), 0);
  const real = (s.useMla ? 1 : 2) * s.blockSize * s.numKvHeads * s.headSize * s.dtypeBytes;
  return s.pageSizePadded ?? real;
}

/** The most bytes one request of `maxModelLen` tokens holds in layers of this spec. */
export function maxMemoryUsageBytes(s: KVCacheSpec, lim: SchedulerLimits): number {
  if (s.type === 'uniform_type') return Object.values(s.specs).reduce((a, x) => a + maxMemoryUsageBytes(x, lim), 0);
  const page = specPageSizeBytes(s);
  if (s.type === 'full') return cdiv(lim.maxModelLen, s.blockSize) * page;
  // +1: the window need not start on a block boundary.
  const tokens = Math.min(s.slidingWindow! - 1 + lim.maxNumBatchedTokens, lim.maxModelLen);
  return (cdiv(tokens, s.blockSize) + 1) * page;
}

/** vLLM `type_id`: layers with equal keys can share one KV-cache group. */
export function specTypeId(s: AttentionLayerSpec): string {
  const base = `${s.useMla ? 'mla' : 'attn'}_${s.blockSize}_${specPageSizeBytes(s)}`;
  return s.type === 'full' ? `full_${base}` : `sliding_window_${s.slidingWindow}_${base}`;
}

function sameType(a: AttentionLayerSpec, b: AttentionLayerSpec): boolean {
  return a.type === b.type && (a.useMla ?? false) === (b.useMla ?? false);
}

/**
 * vLLM `KVCacheSpec.merge`: one spec for a group of equal layers. Full-attention layers may carry
 * different unified windows only if all that are set agree; sliding windows must be equal.
 */
export function mergeSpecs(specs: readonly AttentionLayerSpec[]): AttentionLayerSpec {
  const first = specs[0]!;
  for (const s of specs) {
    if (!sameType(s, first) || s.blockSize !== first.blockSize || specPageSizeBytes(s) !== specPageSizeBytes(first)) {
      throw new EngineError('All layers in the same KV cache group must be the same.', 'specs');
    }
  }
  const windows = [...new Set(specs.map((s) => s.slidingWindow).filter((w): w is number => w !== null))];
  if (windows.length > 1) {
    throw new EngineError(first.type === 'full'
      ? 'All attention layers in the same KV cache group must have the same window size.'
      : 'All sliding window layers in the same KV cache group must have the same window size.', 'specs');
  }
  return { ...first, slidingWindow: windows[0] ?? null };
}

/** vLLM `is_kv_cache_spec_uniform`: every layer merges into one spec. */
export function isKvCacheSpecUniform(specs: Readonly<Record<string, AttentionLayerSpec>>): boolean {
  const all = Object.values(specs);
  if (all.length === 0) return true;
  try {
    mergeSpecs(all);
    return true;
  } catch {
    return false;
  }
}

/** `UniformTypeKVCacheSpecs.from_specs`: same attention type and block size, any head sizes; else null. */
export function uniformTypeSpecs(specs: Readonly<Record<string, AttentionLayerSpec>>): UniformTypeSpecs | null {
  const all = Object.values(specs);
  if (all.length === 0) return null;
  const f = all[0]!;
  const ok = all.every((s) => sameType(s, f) && s.blockSize === f.blockSize && s.slidingWindow === f.slidingWindow);
  return ok ? { type: 'uniform_type', blockSize: f.blockSize, specs } : null;
}

/**
 * vLLM `unify_hybrid_kv_cache_specs` (hybrid manager disabled): sliding-window layers become
 * full-attention layers that remember their window. Needs at least one full-attention layer.
 */
export function unifyHybridKvCacheSpecs(specs: Record<string, AttentionLayerSpec>): void {
  const all = Object.values(specs);
  if (all.every((s) => s.type === 'full') || all.every((s) => s.type === 'sliding_window')) return;
  if (!all.some((s) => s.type === 'full')) {
    throw new EngineError('Hybrid KV cache manager is disabled but failed to convert the KV cache specs to one unified type.', 'specs');
  }
  for (const [name, s] of Object.entries(specs)) if (s.type === 'sliding_window') specs[name] = { ...s, type: 'full' };
}

/**
 * vLLM `unify_kv_cache_spec_page_size`: smaller pages grow to the largest by scaling the block
 * size; a page that does not divide the largest cannot be unified.
 */
export function unifyKvCacheSpecPageSize(specs: Record<string, AttentionLayerSpec>): void {
  const max = Math.max(...Object.values(specs).map(specPageSizeBytes));
  for (const [name, s] of Object.entries(specs)) {
    const page = specPageSizeBytes(s);
    if (page === max) continue;
    if (max % page !== 0) {
      throw new EngineError('The page size of the layer is not divisible by the maximum page size. Cannot unify by adjusting block_size.', 'specs');
    }
    specs[name] = { ...s, blockSize: s.blockSize * (max / page) };
  }
}
