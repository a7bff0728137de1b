/**
 * Phase B of `schedule()` (engine-semantics.md §4.3), run only when Phase A preempted nobody:
 * admit from `waiting` strictly head-of-line while seats (`max_num_seqs`) and budget last. The
 * prefix-cache hit sets where computation starts; a fresh or preempted request allocates with no
 * lookahead and, under `scheduler_reserve_full_isl`, only if its whole token list fits. The first
 * request that does not fit (or, without chunked prefill, does not fit the budget) stops admission.
 */
import type { EngineConfig } from '../config/engine-config';
import type { KVCacheManager } from '../kv/kv-cache-manager';
import type { Request } from '../request/request';
import type { RequestQueue } from './request-queue';
import type { ScheduledBatch } from './scheduled-batch';
import type { ScheduledKind } from '../contracts/scheduler-output';

export interface WaitingPhaseContext {
  readonly config: EngineConfig;
  readonly running: Request[];
  readonly waiting: RequestQueue;
  readonly kv: KVCacheManager;
  readonly lookahead: number;
}

/** Admits waiting requests into `batch`; returns the budget left. */
export function scheduleWaiting(ctx: WaitingPhaseContext, batch: ScheduledBatch, budget: number): number {
  const cfg = ctx.config;
  const kv = ctx.kv;
  while (ctx.waiting.length > 0 && budget > 0) {
    if (ctx.running.length >= cfg.maxNumSeqs) break;
    const req = ctx.waiting.peek()!;
    const hit = kv.getComputedBlocks(req);
    const c = hit.numComputedTokens;
    let n = req.numTokens - c;
    const thr = cfg.longPrefillTokenThreshold;
    if (thr > 0 && n > thr) n = thr;
    if (!cfg.enableChunkedPrefill && n > budget) break;
    if (n > budget) n = budget;
    const lookahead = req.numComputedTokens === 0 ? 0 : ctx.lookahead;
    const blocks = kv.allocateSlots(req, n, hit, lookahead, cfg.schedulerReserveFullIsl);
    if (blocks === undefined) break;
    ctx.waiting.pop();
    ctx.running.push(req);
    const kind: ScheduledKind = req.status === 'PREEMPTED' ? 'resumed' : 'new';
    req.status = 'RUNNING';
    req.numComputedTokens = c;
    if (req.numCachedTokens === null) req.numCachedTokens = c;
    // New and resumed rows carry their whole block lists (the worker replaces its copy).
    const tables = kv.blockTables(req.requestId)!;
    batch.push(req, n, tables[0]!.slice(), tables.map((t) => t.slice()), [], 0, kind, c);
    budget -= n;
  }
  return budget;
}
