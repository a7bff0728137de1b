/**
 * Hand-built `SchedulerOutput`s for the cost and spec tests. The cast keeps these fixtures valid
 * while the engine core's contract gains fields the cost model does not read.
 */
import type { SchedulerOutput } from '../../../engine/contracts/scheduler-output';

export interface BatchRow {
  readonly id: string;
  readonly n: number;
  readonly kind?: 'new' | 'running' | 'resumed';
  readonly computed?: number;
  readonly drafts?: number;
  readonly chunk?: boolean;
}

export function makeBatch(batchId: number, rows: readonly BatchRow[]): SchedulerOutput {
  const out = {
    batchId,
    totalNumScheduledTokens: rows.reduce((a, r) => a + r.n, 0),
    newRequestTokenIds: {},
    scheduledSpecDecodeTokens: {},
    preemptedReqIds: [],
    finishedReqIds: [],
    numCommonPrefixBlocks: 0,
    scheduled: rows.map((r) => ({
      reqId: r.id, kind: r.kind ?? 'running', numScheduledTokens: r.n, numComputedTokens: r.computed ?? 1000, numPromptTokens: 1000,
      numTokens: (r.computed ?? 1000) + 1, tokenIds: null, numSpecTokens: r.drafts ?? (r.chunk ? 0 : r.n - 1), specTokenIds: [], newBlockIds: [],
      numCachedTokens: 0, isPrefillChunk: r.chunk ?? false,
    })),
  };
  return out as unknown as SchedulerOutput;
}
