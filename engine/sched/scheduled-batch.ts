/**
 * The batch one `schedule()` builds, row by row, and its finalisation (vLLM
 * `_update_after_schedule`): computed tokens advance optimistically, prefill chunks are marked,
 * and the `SchedulerOutput` rows are written. Rows are parallel arrays so an FCFS victim that
 * was already scheduled this step can be taken out again (its tokens return to the budget).
 */
import type { Request } from '../request/request';
import type { ScheduledKind, ScheduledRequest, SchedulerOutput } from '../contracts/scheduler-output';

const NO_IDS: readonly number[] = Object.freeze([]);

/** What the vLLM-shaped view needs beyond our rows (absent from step traces). */
export interface VllmStepDetails {
  /** Per scheduled row, block ids per KV-cache group: the whole tables for new/resumed rows, this step's new blocks for running rows. */
  readonly blockIdsPerGroup: readonly (readonly (readonly number[])[])[];
  /** Running rows absent from the previous batch: their whole token list (vLLM `all_token_ids`). */
  readonly allTokenIds: { readonly [reqId: string]: readonly number[] };
}

/** `SchedulerOutput` as `schedule()` returns it: ours, plus the details the vLLM view reads. */
export interface SchedulerStepOutput extends SchedulerOutput {
  readonly vllm: VllmStepDetails;
}

export class ScheduledBatch {
  /**
   * Rows `[0, length)` are the batch. The arrays are sized up front to the most rows the step can
   * take, so filling 256 rows reallocates none of the eight; slots past `length` are unused.
   */
  readonly reqs: Request[];
  readonly numTokens: number[];
  readonly blocks: (readonly number[])[];
  readonly blocksPerGroup: (readonly (readonly number[])[])[];
  readonly specIds: (readonly number[])[];
  readonly numSpec: number[];
  readonly kinds: ScheduledKind[];
  readonly numCached: number[];
  private count = 0;

  constructor(capacity = 0) {
    this.reqs = new Array<Request>(capacity);
    this.numTokens = new Array<number>(capacity);
    this.blocks = new Array<readonly number[]>(capacity);
    this.blocksPerGroup = new Array<readonly (readonly number[])[]>(capacity);
    this.specIds = new Array<readonly number[]>(capacity);
    this.numSpec = new Array<number>(capacity);
    this.kinds = new Array<ScheduledKind>(capacity);
    this.numCached = new Array<number>(capacity);
  }

  push(req: Request, n: number, blocks: readonly number[], blocksPerGroup: readonly (readonly number[])[], specIds: readonly number[], numSpec: number, kind: ScheduledKind, numCached: number): void {
    const j = this.count++;
    this.reqs[j] = req;
    this.numTokens[j] = n;
    this.blocks[j] = blocks;
    this.blocksPerGroup[j] = blocksPerGroup;
    this.specIds[j] = specIds.length === 0 ? NO_IDS : specIds;
    this.numSpec[j] = numSpec;
    this.kinds[j] = kind;
    this.numCached[j] = numCached;
  }

  /** Takes `req` out of the batch; returns the tokens it had (0 when it was not in it). */
  remove(req: Request): number {
    const at = this.reqs.indexOf(req);
    if (at < 0 || at >= this.count) return 0;
    const n = this.numTokens[at]!;
    for (const arr of [this.reqs, this.numTokens, this.blocks, this.blocksPerGroup, this.specIds, this.numSpec, this.kinds, this.numCached] as unknown[][]) arr.splice(at, 1);
    this.count--;
    return n;
  }

  get length(): number {
    return this.count;
  }
}

/** Scheduler state the finalisation reads. */
export interface FinalizeContext {
  readonly prevStepScheduledReqIds: { has(reqId: string): boolean };
  /** Async adds output placeholders here. */
  onScheduled(req: Request, numSpec: number): void;
}

/** Advances computed tokens and writes the output rows, in batch order. */
export function finalizeBatch(
  ctx: FinalizeContext, b: ScheduledBatch, head: Pick<SchedulerOutput, 'batchId' | 'preemptedReqIds' | 'finishedReqIds' | 'numCommonPrefixBlocks'>,
): SchedulerStepOutput {
  const scheduled: ScheduledRequest[] = new Array<ScheduledRequest>(b.length);
  let total = 0;
  const newRequestTokenIds: Record<string, readonly number[]> = {};
  const allTokenIds: Record<string, readonly number[]> = {};
  for (let j = 0; j < b.length; j++) {
    const req = b.reqs[j]!;
    const n = b.numTokens[j]!;
    const kind = b.kinds[j]!;
    const before = req.numComputedTokens;
    req.numComputedTokens = before + n;
    req.isPrefillChunk = req.numComputedTokens < req.numTokens + req.numOutputPlaceholders;
    const numTokens = req.numTokens;
    ctx.onScheduled(req, b.numSpec[j]!);
    total += n;
    if (kind !== 'running') newRequestTokenIds[req.requestId] = req.allTokenIds.slice();
    else if (!ctx.prevStepScheduledReqIds.has(req.requestId)) allTokenIds[req.requestId] = req.allTokenIds.slice();
    scheduled[j] = {
      reqId: req.requestId,
      kind,
      numScheduledTokens: n,
      numComputedTokens: before,
      numPromptTokens: req.numPromptTokens,
      numTokens,
      numSpecTokens: b.numSpec[j]!,
      newBlockIds: b.blocks[j]!,
      numCachedTokens: b.numCached[j]!,
      isPrefillChunk: req.isPrefillChunk,
    };
  }
  // Built on first read: the synthetic runner never reads it, and a record keyed by 256 fresh ids
  // per step costs more than the rest of the step's rows (the rows' ids and drafts are final here).
  const specIds = b.specIds;
  let specDecodeTokens: Record<string, readonly number[]> | undefined;
  return {
    batchId: head.batchId,
    scheduled,
    totalNumScheduledTokens: total,
    newRequestTokenIds,
    get scheduledSpecDecodeTokens(): Record<string, readonly number[]> {
      if (specDecodeTokens === undefined) {
        specDecodeTokens = {};
        for (let j = 0; j < scheduled.length; j++) if (specIds[j]!.length > 0) specDecodeTokens[scheduled[j]!.reqId] = specIds[j]!;
      }
      return specDecodeTokens;
    },
    preemptedReqIds: head.preemptedReqIds,
    finishedReqIds: head.finishedReqIds,
    numCommonPrefixBlocks: head.numCommonPrefixBlocks,
    vllm: { blockIdsPerGroup: b.blocksPerGroup.slice(0, b.length), allTokenIds },
  };
}
