/**
 * The V1 scheduler (engine-semantics.md §4), sync flavour. `schedule()` and
 * `updateFromOutput(schedulerOutput, runnerOutput)` are separate public calls, as in vLLM: several
 * batches may be in flight (vLLM's tests schedule twice before feeding outputs, by hand). One
 * step = Phase A (`running-phase.ts`) → Phase B (`waiting-phase.ts`, only if nobody was
 * preempted) → `_update_after_schedule` (`scheduled-batch.ts`); outputs are applied by
 * `update-from-output.ts`. `AsyncScheduler` overrides the three `on*` hooks to add placeholders.
 */
import { EngineError, InvariantError } from '../base/errors';
import {
  kvCacheGroups, maxNumScheduledTokens, numLookaheadTokens, numSpeculativeTokens, type EngineConfig,
} from '../config/engine-config';
import { KVCacheManager } from '../kv/kv-cache-manager';
import type { Request } from '../request/request';
import { isFinished, type FinishedStatus } from '../request/status';
import type { ModelRunnerOutput } from '../contracts/model-runner-output';
import type { OutputEntry } from '../contracts/engine-core-output';
import { FcfsQueue, PriorityQueue, type RequestQueue } from './request-queue';
import { scheduleRunning } from './running-phase';
import { finalizeBatch, ScheduledBatch, type SchedulerStepOutput } from './scheduled-batch';
import type { SchedulerOutput } from '../contracts/scheduler-output';
import { checkSchedulerInvariants } from './scheduler-invariants';
import { SpecDecodingStats, type SpecDecodingStepStats } from './spec-decoding-stats';
import type { RunningBudgetRules } from './token-budget';
import { updateFromOutput, type OutputContext } from './update-from-output';
import { scheduleWaiting } from './waiting-phase';

/** vLLM `SchedulerStats` of the last processed step (the parts the engine models). */
export interface SchedulerStats {
  readonly numRunningReqs: number;
  readonly numWaitingReqs: number;
  readonly kvCacheUsage: number;
  readonly specDecodingStats: SpecDecodingStepStats | null;
}

export class Scheduler {
  readonly config: EngineConfig;
  readonly kv: KVCacheManager;
  waiting: RequestQueue;
  running: Request[] = [];
  /** All unfinished requests by id, in arrival order. */
  readonly requests = new Map<string, Request>();
  finishedReqIds: string[] = [];
  numPreemptions = 0;
  readonly specStats = new SpecDecodingStats();
  /** Stats of the last `updateFromOutput` (per step, not cumulative); `null` before the first. */
  lastSchedulerStats: SchedulerStats | null = null;
  /**
   * The `schedule()` call (counted from 1) that last scheduled each unfinished request: a running
   * request absent from the previous batch resends its tokens (vLLM). Steady-state steps
   * overwrite entries instead of rebuilding a set of the batch's ids.
   */
  private readonly lastScheduledIn = new Map<string, number>();
  private numScheduleCalls = 0;
  /** Ids in the previous batch (`has` only), read by `finalizeBatch`. */
  readonly prevStepScheduledReqIds: { has(reqId: string): boolean } = {
    has: (reqId) => this.lastScheduledIn.get(reqId) === this.numScheduleCalls - 1,
  };
  protected readonly k: number;
  private readonly lookahead: number;
  private readonly budgetRules: RunningBudgetRules;
  private readonly outputCtx: OutputContext;
  private nextBatchId = 0;

  constructor(config: EngineConfig) {
    this.config = config;
    this.k = numSpeculativeTokens(config);
    this.lookahead = numLookaheadTokens(config);
    this.budgetRules = {
      maxModelLen: config.maxModelLen,
      longPrefillTokenThreshold: config.longPrefillTokenThreshold,
      maxTokensCapPolicy: config.maxTokensCapPolicy,
    };
    this.waiting = config.policy === 'priority' ? new PriorityQueue() : new FcfsQueue();
    const spec = config.speculative;
    this.kv = new KVCacheManager({
      numGpuBlocks: config.numGpuBlocks,
      blockSize: config.blockSize,
      maxModelLen: config.maxModelLen,
      maxNumBatchedTokens: config.maxNumBatchedTokens,
      enablePrefixCaching: config.enablePrefixCaching,
      useEagle: spec !== null && (spec.method === 'mtp' || spec.method === 'eagle' || spec.method === 'eagle3'),
      groups: kvCacheGroups(config.attention),
      seed: config.seed,
    });
    this.outputCtx = {
      requests: this.requests,
      maxModelLen: config.maxModelLen,
      numSpecTokens: this.k,
      specStats: this.specStats,
      onRejected: (r, n) => this.onRejected(r, n),
      onAppended: (r, n, w) => this.onAppended(r, n, w),
      finish: (r, s, t) => this.finish(r, s, t),
    };
  }

  get batchIdCounter(): number {
    return this.nextBatchId;
  }

  set batchIdCounter(v: number) {
    this.nextBatchId = v;
  }

  addRequest(req: Request): void {
    if (this.requests.has(req.requestId)) throw new EngineError(`request id ${JSON.stringify(req.requestId)} is already in use`, 'requestId');
    this.requests.set(req.requestId, req);
    this.waiting.add(req);
  }

  /** vLLM `get_num_unfinished_requests`. */
  get numUnfinished(): number {
    return this.requests.size;
  }

  /** vLLM `has_requests`: unfinished work, or finished ids still to ship to the workers. */
  hasRequests(): boolean {
    return this.requests.size > 0 || this.finishedReqIds.length > 0;
  }

  schedule(): SchedulerStepOutput {
    // No step schedules more than maxNumSeqs rows, nor more than the requests there are.
    const batch = new ScheduledBatch(Math.min(this.config.maxNumSeqs, this.running.length + this.waiting.length));
    const ctx = {
      config: this.config, running: this.running, waiting: this.waiting, kv: this.kv, policy: this.config.policy,
      lookahead: this.lookahead, budgetRules: this.budgetRules, preempt: (r: Request) => this.preempt(r),
    };
    const a = scheduleRunning(ctx, batch, maxNumScheduledTokens(this.config));
    if (a.preempted.length === 0) scheduleWaiting(ctx, batch, a.budget);
    const running = this.running;
    const finishedReqIds = this.finishedReqIds;
    this.finishedReqIds = [];
    this.numScheduleCalls++;
    const fin = { prevStepScheduledReqIds: this.prevStepScheduledReqIds, onScheduled: (r: Request, n: number) => this.onScheduled(r, n) };
    const out = finalizeBatch(fin, batch, {
      batchId: this.nextBatchId++,
      preemptedReqIds: a.preempted.map((r) => r.requestId),
      finishedReqIds,
      numCommonPrefixBlocks: running.length > 0 ? this.kv.numCommonPrefixBlocks(running[0]!.requestId, running.length) : 0,
    });
    const last = this.lastScheduledIn;
    for (let j = 0; j < batch.length; j++) last.set(batch.reqs[j]!.requestId, this.numScheduleCalls);
    return out;
  }

  /** `_preempt_request`: recompute preemption, back to the front of `waiting`. */
  protected preempt(req: Request): void {
    this.kv.free(req.requestId);
    req.status = 'PREEMPTED';
    req.numComputedTokens = 0;
    req.clearSpec();
    req.numPreemptions++;
    this.numPreemptions++;
    this.waiting.prepend(req);
  }

  /** Hook after a request is scheduled with `numSpec` drafts (async adds placeholders). */
  protected onScheduled(_req: Request, _numSpec: number): void {}

  /** Hook when `rejected` drafts of `req` were rejected (async trims placeholders). */
  protected onRejected(_req: Request, _rejected: number): void {}

  /** Hook after `appended` tokens joined `req` (async trims placeholders, caches blocks). */
  protected onAppended(_req: Request, _appended: number, _wasRunning: boolean): void {}

  /**
   * `update_from_output`: appends each request's emitted tokens with per-token stop checks,
   * rolling back rejected drafts; finished requests are freed. Returns one entry per request that
   * got tokens or stopped, in batch order; this step's stats land in `lastSchedulerStats`.
   */
  updateFromOutput(so: SchedulerOutput, ro: ModelRunnerOutput, nowUs = 0): OutputEntry[] {
    const r = updateFromOutput(this.outputCtx, so, ro, nowUs);
    this.lastSchedulerStats = {
      numRunningReqs: this.running.length,
      numWaitingReqs: this.waiting.length,
      kvCacheUsage: this.kv.usage,
      specDecodingStats: r.specDecodingStats,
    };
    return r.outputs;
  }

  /** Sync drafts (`update_draft_token_ids`): ignored for prefill chunks and finished requests. */
  updateDraftTokenIds(so: SchedulerOutput, ro: ModelRunnerOutput): void {
    const drafts = ro.draftTokenIds;
    if (drafts === null) return;
    for (let j = 0; j < so.scheduled.length; j++) {
      const req = this.requests.get(so.scheduled[j]!.reqId);
      const d = drafts[j];
      if (req === undefined || req.isFinished || req.isPrefillChunk || d === undefined) continue;
      req.specTokenIds = d.length > 0 ? d.slice() : [];
    }
  }

  /** vLLM's `update_draft_token_ids(DraftTokenIds(req_ids, draft_token_ids))` by id. */
  setDraftTokenIds(reqIds: readonly string[], draftTokenIds: readonly (readonly number[])[]): void {
    reqIds.forEach((id, i) => {
      const req = this.requests.get(id);
      if (req === undefined || req.isFinished) return;
      req.specTokenIds = req.isPrefillChunk ? [] : (draftTokenIds[i] ?? []).slice();
    });
  }

  /** Frees a finished request and removes it from its queue. */
  protected finish(req: Request, status: FinishedStatus, nowUs: number): void {
    if (req.status === 'RUNNING') {
      const at = this.running.indexOf(req);
      if (at >= 0) this.running.splice(at, 1);
    } else {
      this.waiting.remove(req);
    }
    req.status = status;
    req.finishedTime = nowUs;
    this.kv.free(req.requestId);
    this.requests.delete(req.requestId);
    this.lastScheduledIn.delete(req.requestId);
    this.finishedReqIds.push(req.requestId);
  }

  /**
   * vLLM `finish_requests(ids, status)`: finishes unfinished requests with any finished status
   * (`null` = every request); unknown or finished ids are ignored. Returns the ids finished.
   */
  finishRequests(ids: string | readonly string[] | null, status: FinishedStatus, nowUs = 0): string[] {
    if (!isFinished(status)) throw new EngineError(`finishRequests needs a finished status, got ${JSON.stringify(status)}`, 'status');
    const list = ids === null ? [...this.requests.keys()] : typeof ids === 'string' ? [ids] : ids;
    const done: string[] = [];
    for (const id of list) {
      const req = this.requests.get(id);
      if (req === undefined) continue;
      this.finish(req, status, nowUs);
      done.push(id);
    }
    return done;
  }

  /** Aborts unfinished requests (`finish_requests(..., FINISHED_ABORTED)`). */
  abortRequests(ids: readonly string[], nowUs: number): string[] {
    return this.finishRequests(ids, 'FINISHED_ABORTED', nowUs);
  }

  /**
   * vLLM `reset_prefix_cache`: empties the prefix cache when no block is in use. With
   * `resetRunningRequests`, every running request is preempted first (popped from the end, so
   * `waiting` keeps their order) and its in-flight async outputs are marked stale.
   */
  resetPrefixCache(options: { readonly resetRunningRequests?: boolean } = {}): boolean {
    if (options.resetRunningRequests) {
      while (this.running.length > 0) {
        const req = this.running.pop()!;
        this.preempt(req);
        req.asyncTokensToDiscard = req.numOutputPlaceholders;
        req.numOutputPlaceholders = 0;
      }
      // Forced preemption + resumption in one step: act as if none was scheduled before.
      this.lastScheduledIn.clear();
    }
    const ok = this.kv.resetPrefixCache();
    if (options.resetRunningRequests && !ok) {
      throw new InvariantError('Failed to reset KV cache even when all the running requests are preempted and moved to the waiting queue.');
    }
    return ok;
  }

  /** Scheduler-level invariants plus the KV manager's (throws `InvariantError`). */
  checkInvariants(): void {
    checkSchedulerInvariants(this);
  }
}
