/**
 * `update_from_output` (engine-semantics.md §4.7): applies one batch's sampled tokens. Per
 * scheduled row (ids already finished, e.g. aborted in flight, are skipped): rejected drafts roll
 * `numComputedTokens` back, tokens are appended one at a time with the stop check after each
 * (the output is truncated at the stop), finished requests are freed. Rows are matched to the
 * runner output by request id, so hand-made outputs may list requests in any order.
 *
 * A frame that arrives while `asyncTokensToDiscard > 0` was in flight when a forced reset
 * preempted its request: it is dropped whole (no tokens, no rejection roll-back, no stats).
 */
import { assert } from '../base/errors';
import type { Request } from '../request/request';
import type { FinishedStatus } from '../request/status';
import { finishReasonOf } from '../request/status';
import type { ModelRunnerOutput } from '../contracts/model-runner-output';
import type { OutputEntry } from '../contracts/engine-core-output';
import type { SchedulerOutput } from '../contracts/scheduler-output';
import { newSpecDecodingStepStats, observeDraft, type SpecDecodingStats, type SpecDecodingStepStats } from './spec-decoding-stats';

export interface OutputContext {
  readonly requests: ReadonlyMap<string, Request>;
  readonly maxModelLen: number;
  readonly numSpecTokens: number;
  readonly specStats: SpecDecodingStats;
  onRejected(req: Request, rejected: number): void;
  onAppended(req: Request, appended: number, wasRunning: boolean): void;
  finish(req: Request, status: FinishedStatus, nowUs: number): void;
}

export interface UpdateResult {
  readonly outputs: OutputEntry[];
  /** This step's drafts; `null` when no row verified any (vLLM `spec_decoding_stats is None`). */
  readonly specDecodingStats: SpecDecodingStepStats | null;
}

const NO_TOKENS: readonly number[] = Object.freeze([]);

/** Runner-output index by request id; `null` when the runner kept the batch order (identity). */
function rowIndex(so: SchedulerOutput, ro: ModelRunnerOutput): Map<string, number> | null {
  const rows = so.scheduled;
  let aligned = ro.reqIds.length === rows.length;
  for (let j = 0; aligned && j < rows.length; j++) aligned = ro.reqIds[j] === rows[j]!.reqId;
  if (aligned) return null;
  const at = new Map<string, number>();
  ro.reqIds.forEach((id, i) => at.set(id, i));
  return at;
}

export function updateFromOutput(ctx: OutputContext, so: SchedulerOutput, ro: ModelRunnerOutput, nowUs: number): UpdateResult {
  assert(ro.batchId === so.batchId, () => `runner output of batch ${ro.batchId} applied to batch ${so.batchId}`);
  const outputs: OutputEntry[] = [];
  let stats: SpecDecodingStepStats | null = null;
  const index = rowIndex(so, ro);
  const scheduled = so.scheduled;
  for (let j = 0; j < scheduled.length; j++) {
    const sr = scheduled[j]!;
    const req = ctx.requests.get(sr.reqId);
    if (req === undefined || req.isFinished) continue;
    const at = index === null ? j : index.get(sr.reqId);
    const gen = at === undefined ? NO_TOKENS : (ro.sampledTokenIds[at] ?? NO_TOKENS);
    const numDraft = sr.numSpecTokens;
    if (req.asyncTokensToDiscard > 0 && gen.length > 0) {
      req.asyncTokensToDiscard = Math.max(0, req.asyncTokensToDiscard - 1 - numDraft);
      continue;
    }
    let accepted = 0;
    if (numDraft > 0 && gen.length > 0) {
      accepted = gen.length - 1;
      const rejected = numDraft - accepted;
      if (req.numComputedTokens > 0) req.numComputedTokens -= rejected;
      ctx.onRejected(req, rejected);
      ctx.specStats.observe(numDraft, accepted);
      if (stats === null) stats = newSpecDecodingStepStats(ctx.numSpecTokens);
      observeDraft(stats, numDraft, accepted);
    }
    const wasRunning = req.status === 'RUNNING';
    let stopped: FinishedStatus | undefined;
    let appended = 0;
    for (let t = 0; t < gen.length; t++) {
      appended++;
      stopped = req.appendOutputToken(gen[t]!, ctx.maxModelLen);
      if (stopped !== undefined) break;
    }
    if (appended > 0 && req.firstTokenTime === null) req.firstTokenTime = nowUs;
    ctx.onAppended(req, appended, wasRunning);
    if (stopped !== undefined) ctx.finish(req, stopped, nowUs);
    if (appended > 0 || stopped !== undefined) {
      outputs.push({
        reqId: sr.reqId,
        newTokenIds: appended === gen.length ? gen : gen.slice(0, appended),
        numDraftTokens: numDraft,
        numAcceptedTokens: accepted,
        finishReason: stopped === undefined ? null : finishReasonOf(stopped),
      });
    }
  }
  return { outputs, specDecodingStats: stats };
}
