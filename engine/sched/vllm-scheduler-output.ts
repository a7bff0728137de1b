/**
 * A step's `SchedulerOutput` in vLLM's own shape (`v1/core/sched/output.py`, V1 model runner), so
 * vLLM's scheduler tests port line by line. Field names are vLLM's snake_case on purpose. Beside
 * our rows: new requests carry their prompt and every group's whole block list; running and
 * resumed requests share `scheduled_cached_reqs` — resumed ones in `resumed_req_ids` with their
 * whole block lists (the worker replaces its copy), running ones with this step's new blocks
 * (`null` when none), and `all_token_ids` for every cached request the previous batch lacked.
 * In async mode the drafts are device-resident placeholders, shown as `-1` like vLLM's.
 */
import type { SchedulerStepOutput } from './scheduled-batch';

export interface VllmNewRequestData {
  readonly req_id: string;
  readonly prompt_token_ids: readonly number[];
  /** One list per KV-cache group. */
  readonly block_ids: readonly (readonly number[])[];
  readonly num_computed_tokens: number;
}

export interface VllmCachedRequestData {
  readonly req_ids: readonly string[];
  readonly resumed_req_ids: readonly string[];
  /** Pipeline parallelism without async only; always empty here. */
  readonly new_token_ids: readonly (readonly number[])[];
  readonly all_token_ids: { readonly [reqId: string]: readonly number[] };
  readonly new_block_ids: readonly ((readonly (readonly number[])[]) | null)[];
  readonly num_computed_tokens: readonly number[];
  readonly num_output_tokens: readonly number[];
  readonly num_reqs: number;
}

export interface VllmSchedulerOutput {
  readonly scheduled_new_reqs: readonly VllmNewRequestData[];
  readonly scheduled_cached_reqs: VllmCachedRequestData;
  readonly num_scheduled_tokens: { readonly [reqId: string]: number };
  readonly total_num_scheduled_tokens: number;
  readonly scheduled_spec_decode_tokens: { readonly [reqId: string]: readonly number[] };
  readonly scheduled_encoder_inputs: { readonly [reqId: string]: readonly number[] };
  /** Per KV-cache group (cascade attention only uses full-attention group 0). */
  readonly num_common_prefix_blocks: readonly number[];
  readonly finished_req_ids: readonly string[];
  readonly preempted_req_ids: readonly string[];
  readonly free_encoder_mm_hashes: readonly string[];
}

/** The vLLM view of `out` (a fresh plain copy; `out` is not changed). */
export function toVllmSchedulerOutput(out: SchedulerStepOutput): VllmSchedulerOutput {
  const newReqs: VllmNewRequestData[] = [];
  const cached = {
    req_ids: [] as string[], resumed_req_ids: [] as string[], all_token_ids: {} as Record<string, readonly number[]>,
    new_block_ids: [] as ((readonly (readonly number[])[]) | null)[], num_computed_tokens: [] as number[], num_output_tokens: [] as number[],
  };
  const numScheduled: Record<string, number> = {};
  const spec: Record<string, readonly number[]> = {};
  const numGroups = out.vllm.blockIdsPerGroup[0]?.length ?? 1;
  out.scheduled.forEach((r, j) => {
    numScheduled[r.reqId] = r.numScheduledTokens;
    const ids = out.scheduledSpecDecodeTokens[r.reqId];
    if (ids !== undefined) spec[r.reqId] = ids.slice();
    else if (r.numSpecTokens > 0) spec[r.reqId] = new Array<number>(r.numSpecTokens).fill(-1);
    const blocks = out.vllm.blockIdsPerGroup[j]!.map((g) => g.slice());
    if (r.kind === 'new') {
      newReqs.push({ req_id: r.reqId, prompt_token_ids: out.newRequestTokenIds[r.reqId]!.slice(), block_ids: blocks, num_computed_tokens: r.numComputedTokens });
      return;
    }
    cached.req_ids.push(r.reqId);
    if (r.kind === 'resumed') cached.resumed_req_ids.push(r.reqId);
    const all = r.kind === 'resumed' ? out.newRequestTokenIds[r.reqId] : out.vllm.allTokenIds[r.reqId];
    if (all !== undefined) cached.all_token_ids[r.reqId] = all.slice();
    cached.new_block_ids.push(blocks.every((g) => g.length === 0) ? null : blocks);
    cached.num_computed_tokens.push(r.numComputedTokens);
    cached.num_output_tokens.push(r.numTokens - r.numPromptTokens);
  });
  return {
    scheduled_new_reqs: newReqs,
    scheduled_cached_reqs: { ...cached, new_token_ids: [], num_reqs: cached.req_ids.length },
    num_scheduled_tokens: numScheduled,
    total_num_scheduled_tokens: out.totalNumScheduledTokens,
    scheduled_spec_decode_tokens: spec,
    scheduled_encoder_inputs: {},
    num_common_prefix_blocks: [out.numCommonPrefixBlocks, ...new Array<number>(Math.max(0, numGroups - 1)).fill(0)],
    finished_req_ids: out.finishedReqIds.slice(),
    preempted_req_ids: out.preemptedReqIds.slice(),
    free_encoder_mm_hashes: [],
  };
}
