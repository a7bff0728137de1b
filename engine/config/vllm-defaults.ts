/**
 * The defaults vLLM derives when a server line leaves a value out, written once so `fromVllmArgs`,
 * `simulateServe` and `enginelab simulate` agree: the block size an attention backend forces, and
 * the `async_scheduling` auto rule (engine-semantics.md §3: auto → on unless the speculative method
 * lacks async support; on with EAGLE/MTP since PR #31998). Older vLLM eras pass their own rule.
 */
import type { SpeculativeConfig } from './engine-config';

/** Block sizes MLA/sparse backends force (FlashInfer-MLA supports 32/64 → 32; FlashMLA 64; CUTLASS-MLA 128). */
export const BACKEND_BLOCK_SIZE: Readonly<Record<string, number>> = {
  FLASHINFER_MLA: 32,
  FLASHMLA: 64,
  FLASHMLA_SPARSE: 64,
  CUTLASS_MLA: 128,
};

/** Speculative methods whose drafters support async scheduling. */
export const ASYNC_CAPABLE_SPEC_METHODS: readonly string[] = ['mtp', 'eagle', 'eagle3'];

/** What `--async-scheduling` left unset means in one vLLM version. */
export interface AsyncDefaultRule {
  /** Async on by default without speculative decoding. */
  readonly withoutSpec: boolean;
  /** Async on by default with an async-capable drafter (EAGLE/MTP). */
  readonly withSpec: boolean;
  /** Which vLLM this rule is, for the note (e.g. "current vLLM", "era report-2025-11-28"). */
  readonly label: string;
}

/** Current vLLM: auto = on, unless the drafter cannot run async. */
export const CURRENT_ASYNC_DEFAULT: AsyncDefaultRule = { withoutSpec: true, withSpec: true, label: 'current vLLM' };

/** The auto value and the reason, for a line without `--(no-)async-scheduling`. */
export function defaultAsyncScheduling(spec: SpeculativeConfig | null, rule: AsyncDefaultRule): { on: boolean; why: string } {
  if (spec === null) {
    return { on: rule.withoutSpec, why: `not on the line; ${rule.label} defaults it ${rule.withoutSpec ? 'on' : 'off'} without speculative decoding` };
  }
  if (!ASYNC_CAPABLE_SPEC_METHODS.includes(spec.method)) {
    return { on: false, why: `not on the line; off because speculative method ${spec.method} has no async support` };
  }
  return { on: rule.withSpec, why: `not on the line; ${rule.label} defaults it ${rule.withSpec ? 'on' : 'off'} with ${spec.method} drafts (on by default since #31998)` };
}
