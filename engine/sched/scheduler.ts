/**
 * The V1 scheduler (engine-semantics.md §4), sync flavour: Phase A serves `running` in order with
 * one token budget, preempting by recompute when KV runs out; Phase B admits from `waiting` only
 * if nobody was preempted, strictly head-of-line. `updateFromOutput` applies a batch's sampled
 * tokens (rejected drafts roll `numComputedTokens` back, stop checks truncate). `AsyncScheduler`
 * overrides the three `on*` hooks to add output placeholders.
 */
import { assert, EngineError } from '../base/errors';
import {
  kvCacheGroups,
  maxNumScheduledTokens,
  numLookaheadTokens,
  numSpeculativeTokens,
  type EngineConfig,
} from '../config/engine-config';
import { KVCacheManager } from '../kv/kv-cache-manager';
import type { Request } from '../request/request';
import type { FinishedStatus } from '../request/status';
import { finishReasonOf } from '../request/status';
import type { ModelRunnerOutput } from '../contracts/model-runner-output';
import type { OutputEntry } from '../contracts/engine-core-output';
import { chooseVictim } from './preemption';
import { FcfsQueue, PriorityQueue, type RequestQueue } from './request-queue';
import type { ScheduledKind, ScheduledRequest, SchedulerOutput } from '../contracts/scheduler-output';
import { numRunningTokens, type RunningBudgetRules } from './token-budget';
import { SpecDecodingStats } from './spec-decoding-stats';
import { checkSchedulerInvariants } from './scheduler-invariants';

const NO_IDS: readonly number[] = Object.freeze([]);

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
  protected readonly k: number;
  private readonly lookahead: number;
  private readonly budgetRules: RunningBudgetRules;
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

  get numUnfinished(): number {
    return this.requests.size;
  }

  /** vLLM's `has_requests`: unfinished work, or finished ids still to ship to the workers. */
  hasRequests(): boolean {
    return this.requests.size > 0 || this.finishedReqIds.length > 0;
  }

  schedule(): SchedulerOutput {
    const cfg = this.config;
    let budget = maxNumScheduledTokens(cfg);
    const sched: Request[] = [];
    const schedN: number[] = [];
    const schedBlocks: (readonly number[])[] = [];
    const schedSpec: (readonly number[])[] = [];
    const schedNumSpec: number[] = [];
    const schedKind: ScheduledKind[] = [];
    const schedCached: number[] = [];
    const preempted: Request[] = [];
    const running = this.running;

    // Phase A: running requests, in list order.
    let i = 0;
    while (i < running.length && budget > 0) {
      const req = running[i]!;
      const n = numRunningTokens(req, budget, this.budgetRules);
      if (n === 0) {
        i++;
        continue;
      }
      let blocks: readonly number[] | undefined;
      let gaveUp = false;
      for (;;) {
        blocks = this.kv.allocateSlots(req, n, undefined, this.lookahead);
        if (blocks !== undefined) break;
        const vi = chooseVictim(running, cfg.policy);
        const victim = running[vi]!;
        running.splice(vi, 1);
        const at = sched.indexOf(victim);
        if (at >= 0) {
          // Undo the victim's place in this batch: its tokens return to the budget.
          budget += schedN[at]!;
          for (const arr of [sched, schedN, schedBlocks, schedSpec, schedNumSpec, schedKind, schedCached] as unknown[][]) arr.splice(at, 1);
        }
        if (vi < i) i--;
        this.preempt(victim);
        preempted.push(victim);
        if (victim === req) {
          gaveUp = true;
          break;
        }
      }
      if (gaveUp) break;
      const comp = req.numComputedTokens;
      let specIds: readonly number[] = NO_IDS;
      let numSpec = 0;
      if (req.numSpecTokens > 0) {
        const s = n + comp - req.numTokens - req.numOutputPlaceholders;
        if (s > 0) {
          numSpec = Math.min(s, req.numSpecTokens);
          if (req.specTokenIds.length > 0) specIds = req.specTokenIds.slice(0, numSpec);
        }
        req.clearSpec();
      }
      sched.push(req);
      schedN.push(n);
      schedBlocks.push(blocks!);
      schedSpec.push(specIds);
      schedNumSpec.push(numSpec);
      schedKind.push('running');
      schedCached.push(0);
      budget -= n;
      i++;
    }

    // Phase B: admissions, only when nobody was preempted this step.
    if (preempted.length === 0) {
      while (this.waiting.length > 0 && budget > 0) {
        if (running.length >= cfg.maxNumSeqs) break;
        const req = this.waiting.peek()!;
        const hit = this.kv.getComputedBlocks(req);
        const c = hit.numComputedTokens;
        let n = req.numTokens - c;
        const thr = cfg.longPrefillTokenThreshold;
        if (thr > 0 && n > thr) n = thr;
        if (!cfg.enableChunkedPrefill && n > budget) break;
        if (n > budget) n = budget;
        const lookahead = req.numComputedTokens === 0 ? 0 : this.lookahead;
        const blocks = this.kv.allocateSlots(req, n, hit, lookahead, cfg.schedulerReserveFullIsl);
        if (blocks === undefined) break;
        this.waiting.pop();
        running.push(req);
        const kind: ScheduledKind = req.status === 'PREEMPTED' ? 'resumed' : 'new';
        req.status = 'RUNNING';
        req.numComputedTokens = c;
        if (req.numCachedTokens === null) req.numCachedTokens = c;
        sched.push(req);
        schedN.push(n);
        schedBlocks.push(this.kv.blockTable(req.requestId)!.slice());
        schedSpec.push(NO_IDS);
        schedNumSpec.push(0);
        schedKind.push(kind);
        schedCached.push(c);
        budget -= n;
      }
    }

    // _update_after_schedule: advance computed tokens optimistically.
    const scheduled: ScheduledRequest[] = new Array<ScheduledRequest>(sched.length);
    let total = 0;
    const newRequestTokenIds: Record<string, readonly number[]> = {};
    const specDecodeTokens: Record<string, readonly number[]> = {};
    for (let j = 0; j < sched.length; j++) {
      const req = sched[j]!;
      const n = schedN[j]!;
      const before = req.numComputedTokens;
      req.numComputedTokens = before + n;
      req.isPrefillChunk = req.numComputedTokens < req.numTokens + req.numOutputPlaceholders;
      const numTokens = req.numTokens;
      this.onScheduled(req, schedNumSpec[j]!);
      total += n;
      if (schedKind[j] !== 'running') newRequestTokenIds[req.requestId] = req.allTokenIds.slice();
      if (schedSpec[j]!.length > 0) specDecodeTokens[req.requestId] = schedSpec[j]!;
      scheduled[j] = {
        reqId: req.requestId,
        kind: schedKind[j]!,
        numScheduledTokens: n,
        numComputedTokens: before,
        numPromptTokens: req.numPromptTokens,
        numTokens,
        numSpecTokens: schedNumSpec[j]!,
        newBlockIds: schedBlocks[j]!,
        numCachedTokens: schedCached[j]!,
        isPrefillChunk: req.isPrefillChunk,
      };
    }
    const finishedReqIds = this.finishedReqIds;
    this.finishedReqIds = [];
    return {
      batchId: this.nextBatchId++,
      scheduled,
      totalNumScheduledTokens: total,
      newRequestTokenIds,
      scheduledSpecDecodeTokens: specDecodeTokens,
      preemptedReqIds: preempted.map((r) => r.requestId),
      finishedReqIds,
      numCommonPrefixBlocks: running.length > 0 ? this.kv.numCommonPrefixBlocks(running[0]!.requestId, running.length) : 0,
    };
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
   * got tokens or stopped, in batch order.
   */
  updateFromOutput(so: SchedulerOutput, ro: ModelRunnerOutput, nowUs: number): OutputEntry[] {
    assert(ro.batchId === so.batchId, () => `runner output of batch ${ro.batchId} applied to batch ${so.batchId}`);
    const outputs: OutputEntry[] = [];
    const mml = this.config.maxModelLen;
    const scheduled = so.scheduled;
    for (let j = 0; j < scheduled.length; j++) {
      const sr = scheduled[j]!;
      const req = this.requests.get(sr.reqId);
      if (req === undefined || req.isFinished) continue;
      const gen = ro.sampledTokenIds[j]!;
      const numDraft = sr.numSpecTokens;
      let accepted = 0;
      if (numDraft > 0 && gen.length > 0) {
        accepted = gen.length - 1;
        const rejected = numDraft - accepted;
        if (req.numComputedTokens > 0) req.numComputedTokens -= rejected;
        this.onRejected(req, rejected);
        this.specStats.observe(numDraft, accepted);
      }
      const wasRunning = req.status === 'RUNNING';
      let stopped: FinishedStatus | undefined;
      let appended = 0;
      for (let t = 0; t < gen.length; t++) {
        appended++;
        stopped = req.appendOutputToken(gen[t]!, mml);
        if (stopped !== undefined) break;
      }
      if (appended > 0 && req.firstTokenTime === null) req.firstTokenTime = nowUs;
      this.onAppended(req, appended, wasRunning);
      if (stopped !== undefined) this.finish(req, stopped, nowUs);
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
    return outputs;
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
    this.finishedReqIds.push(req.requestId);
  }

  /** Aborts unfinished requests (`finish_requests`); unknown or finished ids are ignored. */
  abortRequests(ids: readonly string[], nowUs: number): string[] {
    const done: string[] = [];
    for (const id of ids) {
      const req = this.requests.get(id);
      if (req === undefined) continue;
      this.finish(req, 'FINISHED_ABORTED', nowUs);
      done.push(id);
    }
    return done;
  }

  /** Scheduler-level invariants plus the KV manager's (throws `InvariantError`). */
  checkInvariants(): void {
    checkSchedulerInvariants(this);
  }
}
