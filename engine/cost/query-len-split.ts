/**
 * How an MLA attention backend splits a batch into its decode path and its prefill path
 * (vLLM `split_decodes_and_prefills`, `vllm/v1/attention/backends/utils.py`; `QueryLenSupport` on
 * the metadata builders). The model runner first reorders the persistent batch decode → extend →
 * prefill, where "decode" means `numScheduledTokens ≤ decodeThreshold` (1 + k with speculation).
 * A backend whose kernels take only one query length per batch (`UNIFORM`, e.g. FlashInfer-MLA and
 * FlashMLA) then keeps as decodes only the leading run of requests whose query length equals the
 * first request's: the first request with another length *and every request after it* go to the
 * prefill path (PR #25183: "all others are classified as prefills for safety"). For MLA that path
 * is the compute-friendly form, which up-projects the whole cached context of each such request
 * through `kv_b_proj` in every layer, so one partial-draft request can send a large part of a decode
 * batch through it. `VARLEN` backends route by threshold alone.
 */
import { EngineError } from '../base/errors';

export type QueryLenSupport = 'SINGLE_ONLY' | 'UNIFORM' | 'VARLEN';

/**
 * Backends whose `query_len_support` is known from vLLM's metadata builders. Backends not listed
 * are treated as `VARLEN` (route by threshold only), i.e. the uniform split is not modelled for them.
 */
export const BACKEND_QUERY_LEN_SUPPORT: Readonly<Record<string, QueryLenSupport>> = {
  FLASHINFER_MLA: 'UNIFORM',
  FLASHMLA: 'UNIFORM',
};

export function backendQueryLenSupport(backend: string | null | undefined): QueryLenSupport {
  return (backend && BACKEND_QUERY_LEN_SUPPORT[backend.toUpperCase()]) || 'VARLEN';
}

/** The reorder threshold: with `UNIFORM`/`VARLEN` support and speculation, spec-verify rows of 1 + k count as decodes. */
export function decodeThreshold(support: QueryLenSupport, numSpecTokens: number): number {
  return support === 'SINGLE_ONLY' ? 1 : 1 + numSpecTokens;
}

/**
 * Number of leading requests (in batch order, already reordered decode-first) that take the decode
 * path. `queryLens[i]` is request i's scheduled token count (≥ 1; graph padding is not passed).
 */
export function numDecodeRequests(queryLens: ArrayLike<number>, threshold: number, requireUniform: boolean): number {
  if (!Number.isInteger(threshold) || threshold < 1) throw new EngineError(`threshold: expected an integer ≥ 1, got ${threshold}`, 'threshold');
  const n = queryLens.length;
  if (n === 0) return 0;
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, queryLens[i]!);
  if (max <= threshold && (!requireUniform || threshold <= 1)) return n;
  const first = queryLens[0]!;
  if (first > threshold) return 0;
  for (let i = 0; i < n; i++) {
    const q = queryLens[i]!;
    if (requireUniform ? q !== first : q > threshold) return i;
  }
  return n;
}
