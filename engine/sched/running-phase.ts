/**
 * Phase A of `schedule()` (engine-semantics.md §4.2): serve `running` in list order with one
 * token budget. A request that asks for 0 tokens is skipped (`continue`); when KV runs out the
 * policy's victim is preempted (recompute), undoing its place in this batch if it already had
 * one, until the allocation fits — or the request itself was the victim, which ends the phase.
 */
import type { SchedulingPolicy } from '../config/engine-config';
import type { KVCacheManager } from '../kv/kv-cache-manager';
import type { Request } from '../request/request';
import { chooseVictim } from './preemption';
import type { ScheduledBatch } from './scheduled-batch';
import { numRunningTokens, type RunningBudgetRules } from './token-budget';

export interface RunningPhaseContext {
  readonly running: Request[];
  readonly kv: KVCacheManager;
  readonly policy: SchedulingPolicy;
  /** KV slots reserved for the drafter per running request (k for EAGLE/MTP). */
  readonly lookahead: number;
  readonly budgetRules: RunningBudgetRules;
  preempt(req: Request): void;
}

/** Schedules running requests into `batch`; returns the budget left and the preempted requests. */
export function scheduleRunning(ctx: RunningPhaseContext, batch: ScheduledBatch, budget: number): { budget: number; preempted: Request[] } {
  const running = ctx.running;
  const preempted: Request[] = [];
  let i = 0;
  while (i < running.length && budget > 0) {
    const req = running[i]!;
    const n = numRunningTokens(req, budget, ctx.budgetRules);
    if (n === 0) {
      i++;
      continue;
    }
    let blocks: readonly number[] | undefined;
    let gaveUp = false;
    for (;;) {
      blocks = ctx.kv.allocateSlots(req, n, undefined, ctx.lookahead);
      if (blocks !== undefined) break;
      const vi = chooseVictim(running, ctx.policy);
      const victim = running[vi]!;
      running.splice(vi, 1);
      // Undo the victim's place in this batch: its tokens return to the budget.
      budget += batch.remove(victim);
      if (vi < i) i--;
      ctx.preempt(victim);
      preempted.push(victim);
      if (victim === req) {
        gaveUp = true;
        break;
      }
    }
    if (gaveUp) break;
    const perGroup = ctx.kv.lastNewBlockIdsPerGroup;
    let specIds: readonly number[] = [];
    let numSpec = 0;
    if (req.numSpecTokens > 0) {
      // Drafts scheduled = tokens beyond the confirmed sequence and the in-flight outputs.
      const s = n + req.numComputedTokens - req.numTokens - req.numOutputPlaceholders;
      if (s > 0) {
        numSpec = Math.min(s, req.numSpecTokens);
        // `clearSpec` below replaces the request's array, so a whole list needs no copy.
        const ids = req.specTokenIds;
        if (ids.length > 0) specIds = ids.length === numSpec ? ids : ids.slice(0, numSpec);
      }
      req.clearSpec();
    }
    batch.push(req, n, blocks!, perGroup, specIds, numSpec, 'running', 0);
    budget -= n;
    i++;
  }
  return { budget, preempted };
}
