/**
 * `Engine`: the notebook-facing facade over `EngineCore`. `step()` returns a plain `StepRecord`,
 * `run({ until })` steps until a predicate holds (or no work is left), and every view
 * (`waiting`, `running`, `request(id)`, `blockTable(id)`, `block(id)`, `kvUsage`, `stats`) is a
 * fresh plain copy — reading never changes the engine.
 */
import { EngineError } from '../base/errors';
import type { EngineConfig } from '../config/engine-config';
import { EngineCore } from '../core/engine-core';
import { snapshotEngineCore } from '../core/engine-snapshot';
import type { BlockView, KVUsageView } from '../kv/block-view';
import { viewRequest, type RequestView } from '../request/request-view';
import type { EngineSnapshot, EngineStats } from '../trace/snapshot';
import type { StepRecord } from '../trace/step-record';
import { buildRequest, type AddRequestOptions } from './add-request';
import { compileUntil, type UntilPredicate } from './run-until';

export interface RunOptions {
  readonly until?: UntilPredicate;
  /** Safety cap on steps (default 1,000,000); reaching it throws `EngineError`. */
  readonly maxSteps?: number;
}

export class Engine {
  /** Replaces the engine's state (used by `restore`). */
  private core: EngineCore;
  private readonly rebuild: (snap: EngineSnapshot) => EngineCore;

  constructor(core: EngineCore, rebuild: (snap: EngineSnapshot) => EngineCore) {
    this.core = core;
    this.rebuild = rebuild;
  }

  get config(): EngineConfig {
    return this.core.config;
  }

  /** Virtual time in µs. */
  get clockUs(): number {
    return this.core.clockUs;
  }

  /** Adds a request; returns its id. */
  addRequest(options: AddRequestOptions): string {
    const c = this.core;
    const req = buildRequest(options, c.config, c.nextSeq, c.clockUs);
    if (c.allRequests.has(req.requestId)) throw new EngineError(`request id ${JSON.stringify(req.requestId)} is already in use`, 'requestId');
    c.addRequest(req);
    return req.requestId;
  }

  /** Aborts requests (`FINISHED_ABORTED`); returns the ids that were still unfinished. */
  abort(ids: string | readonly string[]): string[] {
    return this.core.abort(typeof ids === 'string' ? [ids] : ids);
  }

  hasWork(): boolean {
    return this.core.hasWork();
  }

  step(): StepRecord {
    return this.core.step();
  }

  /** Steps until `until` holds after a step, or until no work is left; returns the records. */
  run(options: RunOptions = {}): StepRecord[] {
    const maxSteps = options.maxSteps ?? 1_000_000;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new EngineError('maxSteps must be an integer >= 1', 'maxSteps');
    const stop = compileUntil(options.until, (id) => this.core.allRequests.get(id)?.isFinished ?? false);
    const records: StepRecord[] = [];
    while (this.core.hasWork()) {
      if (records.length >= maxSteps) throw new EngineError(`run did not meet its condition within maxSteps (${maxSteps}) steps`, 'maxSteps');
      const r = this.core.step();
      records.push(r);
      if (stop(r, records)) break;
    }
    return records;
  }

  get waiting(): RequestView[] {
    return this.core.scheduler.waiting.toArray().map(viewRequest);
  }

  get running(): RequestView[] {
    return this.core.scheduler.running.map(viewRequest);
  }

  /** Requests whose arrival time is still ahead of the clock. */
  get pending(): RequestView[] {
    return this.core.pending.map(viewRequest);
  }

  /** Every request the engine knows, in arrival order. */
  get requests(): RequestView[] {
    return [...this.core.allRequests.values()].map(viewRequest);
  }

  request(id: string): RequestView {
    const r = this.core.allRequests.get(id);
    if (r === undefined) throw new EngineError(`unknown request ${JSON.stringify(id)}`, 'id');
    return viewRequest(r);
  }

  /** Block ids of a request (null-block positions included); `[]` when it holds none. */
  blockTable(id: string): number[] {
    if (!this.core.allRequests.has(id)) throw new EngineError(`unknown request ${JSON.stringify(id)}`, 'id');
    return (this.core.scheduler.kv.blockTable(id) ?? []).slice();
  }

  /** Block tables of every KV-cache group (hybrid models have two). */
  blockTables(id: string): number[][] {
    if (!this.core.allRequests.has(id)) throw new EngineError(`unknown request ${JSON.stringify(id)}`, 'id');
    return (this.core.scheduler.kv.blockTables(id) ?? this.core.scheduler.kv.groups.map(() => [])).map((t) => t.slice());
  }

  block(blockId: number): BlockView {
    return this.core.scheduler.kv.blockView(blockId);
  }

  /** Free-queue order, head (evicted next) first. */
  get freeBlockQueue(): number[] {
    return this.core.scheduler.kv.freeBlockQueue();
  }

  get kvUsage(): KVUsageView {
    return this.core.scheduler.kv.usageView();
  }

  get stats(): EngineStats {
    return this.core.stats();
  }

  /** Checks every engine invariant (KV pool, block tables, queues, budgets); throws `InvariantError`. */
  checkInvariants(): void {
    this.core.scheduler.checkInvariants();
  }

  /**
   * Empties the prefix cache; `false` while any block is in use (vLLM `reset_prefix_cache`).
   * `resetRunningRequests: true` preempts every running request first, so it always succeeds.
   */
  resetPrefixCache(options: { readonly resetRunningRequests?: boolean } = {}): boolean {
    return this.core.scheduler.resetPrefixCache(options);
  }

  /** Serialisable engine state (JSON round-trip safe). */
  snapshot(): EngineSnapshot {
    return snapshotEngineCore(this.core);
  }

  /** Replaces this engine's state with `snapshot`; later steps continue its trace exactly. */
  restore(snapshot: EngineSnapshot): void {
    this.core = this.rebuild(snapshot);
  }

  /** Internal core, for tests and tools that need the scheduler or KV manager directly. */
  get internals(): EngineCore {
    return this.core;
  }
}
