/**
 * `EngineCore`: the engine loop (engine-semantics.md §7). Sync: `step()` = schedule → execute →
 * update. Async: a batch queue of 2 — `step()` schedules and launches batch N+1, and processes
 * batch N's output only once the queue is full (or nothing new ran), exactly like vLLM's
 * `step_with_batch_queue`. Everything is synchronous data movement; the virtual clock advances by
 * the executor's modelled step times (the device runs batches back to back). The composition root
 * hands the core its scheduler (sync or async flavour) and its executor; the core builds neither.
 */
import { assert } from '../base/errors';
import type { EngineConfig } from '../config/engine-config';
import { Request } from '../request/request';
import type { Executor } from '../contracts/executor';
import type { Scheduler } from '../sched/scheduler';
import type { EngineStats, InFlightBatch } from '../trace/snapshot';
import type { OutputEntry } from '../contracts/engine-core-output';
import type { StepRecord } from '../trace/step-record';

export class EngineCore {
  readonly config: EngineConfig;
  readonly scheduler: Scheduler;
  readonly executor: Executor;
  readonly maxConcurrentBatches: number;
  clockUs = 0;
  deviceFreeAtUs = 0;
  stepIndex = 0;
  nextSeq = 0;
  /** Every request ever added, by id, in arrival order (finished ones kept for inspection). */
  readonly allRequests = new Map<string, Request>();
  /** Requests whose arrival time is still in the future, sorted by (arrivalTime, seq). */
  pending: Request[] = [];
  inFlight: InFlightBatch[] = [];
  numBatches = 0;
  numScheduledTokens = 0;
  numRequestSteps = 0;
  numGeneratedTokens = 0;
  numFinished = 0;
  /** Aborted ids since the last step, reported in the next record. */
  abortedSinceStep: string[] = [];

  constructor(config: EngineConfig, scheduler: Scheduler, executor: Executor) {
    assert(scheduler.config === config, 'the scheduler must be built for the core\'s config');
    this.config = config;
    this.scheduler = scheduler;
    this.executor = executor;
    this.maxConcurrentBatches = config.asyncScheduling ? 2 : 1;
  }

  /** Takes a request built with sequence number `nextSeq` (the core advances its own counter). */
  addRequest(req: Request): void {
    assert(!this.allRequests.has(req.requestId), () => `duplicate request ${req.requestId}`);
    this.nextSeq++;
    this.allRequests.set(req.requestId, req);
    if (req.arrivalTime <= this.clockUs) {
      this.scheduler.addRequest(req);
      return;
    }
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.arrivalTime > req.arrivalTime) i--;
    this.pending.splice(i, 0, req);
  }

  abort(ids: readonly string[]): string[] {
    const done = this.scheduler.abortRequests(ids, this.clockUs);
    for (const id of ids) {
      const at = this.pending.findIndex((r) => r.requestId === id);
      if (at >= 0) {
        const r = this.pending[at]!;
        this.pending.splice(at, 1);
        r.status = 'FINISHED_ABORTED';
        r.finishedTime = this.clockUs;
        done.push(id);
      }
    }
    this.numFinished += done.length;
    this.abortedSinceStep.push(...done);
    return done;
  }

  /** Cumulative counters of the core and its scheduler, as a fresh plain copy. */
  stats(): EngineStats {
    const s = this.scheduler;
    return {
      numSteps: this.stepIndex,
      numBatches: this.numBatches,
      numScheduledTokens: this.numScheduledTokens,
      numRequestSteps: this.numRequestSteps,
      numGeneratedTokens: this.numGeneratedTokens,
      numPreemptions: s.numPreemptions,
      numFinished: this.numFinished,
      prefixCacheQueries: s.kv.numQueries,
      prefixCacheHits: s.kv.numHits,
      specDecoding: s.specStats.summary(),
      clockUs: this.clockUs,
    };
  }

  /** True while anything is left to do: arrivals, unfinished requests, batches in flight. */
  hasWork(): boolean {
    return this.pending.length > 0 || this.scheduler.hasRequests() || this.inFlight.length > 0;
  }

  private admitArrivals(): string[] {
    if (this.pending.length === 0) return [];
    if (!this.scheduler.hasRequests() && this.inFlight.length === 0 && this.pending[0]!.arrivalTime > this.clockUs) {
      // Idle: jump the clock to the next arrival.
      this.clockUs = this.pending[0]!.arrivalTime;
    }
    const arrived: string[] = [];
    let i = 0;
    while (i < this.pending.length && this.pending[i]!.arrivalTime <= this.clockUs) {
      const r = this.pending[i]!;
      this.scheduler.addRequest(r);
      arrived.push(r.requestId);
      i++;
    }
    if (i > 0) this.pending.splice(0, i);
    return arrived;
  }

  step(): StepRecord {
    const sched = this.scheduler;
    const kv = sched.kv;
    const q0 = kv.numQueries;
    const h0 = kv.numHits;
    const arrived = this.admitArrivals();
    let scheduleRecord: StepRecord['schedule'] = null;
    let preempted: readonly string[] = [];
    let launched: InFlightBatch | undefined;
    if (sched.hasRequests()) {
      const so = sched.schedule();
      const res = this.executor.execute(so);
      const stepTimeUs = res.stepTimeUs ?? 0;
      const start = Math.max(this.clockUs, this.deviceFreeAtUs);
      launched = { schedulerOutput: so, runnerOutput: res.output, stepTimeUs, endTimeUs: start + stepTimeUs };
      this.deviceFreeAtUs = launched.endTimeUs;
      this.inFlight.push(launched);
      this.numBatches++;
      this.numScheduledTokens += so.totalNumScheduledTokens;
      this.numRequestSteps += so.scheduled.length;
      preempted = so.preemptedReqIds;
      for (const s of so.scheduled) {
        if (s.kind !== 'running') {
          const r = sched.requests.get(s.reqId);
          if (r !== undefined && r.firstScheduledTime === null) r.firstScheduledTime = this.clockUs;
        }
      }
      scheduleRecord = { batchId: so.batchId, requests: so.scheduled, totalNumScheduledTokens: so.totalNumScheduledTokens, stepTimeUs };
    }
    let processed: StepRecord['processed'] = null;
    const finished: string[] = this.abortedSinceStep;
    this.abortedSinceStep = [];
    const modelExecuted = launched !== undefined && launched.schedulerOutput.totalNumScheduledTokens > 0;
    const mustWait = modelExecuted && this.inFlight.length < this.maxConcurrentBatches;
    if (!mustWait && this.inFlight.length > 0) {
      const batch = this.inFlight.shift()!;
      this.clockUs = Math.max(this.clockUs, batch.endTimeUs);
      const outputs: OutputEntry[] = sched.updateFromOutput(batch.schedulerOutput, batch.runnerOutput, this.clockUs);
      if (!this.config.asyncScheduling) sched.updateDraftTokenIds(batch.schedulerOutput, batch.runnerOutput);
      for (const o of outputs) {
        this.numGeneratedTokens += o.newTokenIds.length;
        if (o.finishReason !== null) {
          finished.push(o.reqId);
          this.numFinished++;
        }
      }
      processed = { batchId: batch.schedulerOutput.batchId, outputs };
    }
    const events = kv.pool.drainEvents();
    const record: StepRecord = {
      step: this.stepIndex++,
      timeUs: this.clockUs,
      schedule: scheduleRecord,
      processed,
      arrivedReqIds: arrived,
      preemptedReqIds: preempted,
      finishedReqIds: finished,
      newBlockIds: events.newBlockIds,
      freedBlockIds: events.freedBlockIds,
      numWaiting: sched.waiting.length,
      numRunning: sched.running.length,
      numInFlightBatches: this.inFlight.length,
      numFreeBlocks: kv.pool.numFreeBlocks,
      kvUsage: kv.pool.usage,
      prefixCacheQueries: kv.numQueries - q0,
      prefixCacheHits: kv.numHits - h0,
    };
    return record;
  }
}
