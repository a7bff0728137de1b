/**
 * Ported from vLLM `tests/v1/core/test_async_scheduler.py` (two batches in flight, outputs fed
 * one step late): stop by max_tokens without extra scheduled tokens, aborts while in flight,
 * prefix-cache de-duplication inside one step and across turns, rescheduling with placeholders;
 * plus the forced reset that drops stale in-flight frames.
 */
import { describe, expect, it } from 'vitest';
import {
  createRequests, createScheduler, oneTokenEach, runnerOutput, toVllmSchedulerOutput, type Scheduler, type SchedulerStepOutput,
} from '../../../engine/testing/index';
import type { Request } from '../../../engine/request/request';

/** vLLM's loop: pop the oldest batch, feed its output, schedule again (keep it if non-empty). */
function drive(s: Scheduler, queue: SchedulerStepOutput[], before: (i: number) => void = () => {}, after: (o: SchedulerStepOutput) => void = () => {}): number {
  let total = 0;
  for (let i = 0; queue.length > 0; i++) {
    before(i);
    const o = queue.shift()!;
    total += o.totalNumScheduledTokens;
    s.updateFromOutput(o, oneTokenEach(o));
    const next = s.schedule();
    if (next.totalNumScheduledTokens > 0) {
      queue.push(next);
      after(next);
    }
    if (i > 10_000) throw new Error('did not finish');
  }
  return total;
}

describe('test_async_scheduler.py', () => {
  it.each([1, 2, 3, 5])('test_stop_by_max_tokens (max_tokens %i): exactly P + M − 1 tokens per request are scheduled', (maxTokens) => {
    const s = createScheduler({ asyncScheduling: true });
    const [r0, r1] = createRequests({ numRequests: 2, maxTokens });
    s.addRequest(r0!);
    const q = [s.schedule()];
    s.addRequest(r1!);
    q.push(s.schedule());
    const total = drive(s, q);
    expect(s.numUnfinished).toBe(0);
    expect([r0!.numOutputTokens, r1!.numOutputTokens]).toEqual([maxTokens, maxTokens]);
    expect(total).toBe(2 * (10 + maxTokens - 1));
  });

  it('test_abort (and test_preempt): each request aborted while in flight keeps the tokens it had', () => {
    const s = createScheduler({ asyncScheduling: true });
    const reqs = createRequests({ numRequests: 10, maxTokens: 20 });
    for (const r of reqs) s.addRequest(r);
    const q = [s.schedule(), s.schedule()];
    const order = [0, 8, 3, 1, 6, 4, 2, 5, 7, 9];
    drive(s, q, (i) => {
      if (i < order.length) s.finishRequests(reqs[order[i]!]!.requestId, 'FINISHED_ABORTED');
    });
    reqs.forEach((r, i) => {
      expect(r.status).toBe('FINISHED_ABORTED');
      expect(r.numOutputTokens).toBe(order.indexOf(i));
    });
    expect(s.kv.pool.numFreeBlocks).toBe(s.kv.pool.numUsableBlocks);
  });

  it('test_prefix_caching_for_prefill_dedup: identical prompts in one step share all full blocks', () => {
    const s = createScheduler({ asyncScheduling: true, maxNumBatchedTokens: 1000, enablePrefixCaching: true, blockSize: 16 });
    const reqs = createRequests({ numRequests: 5, numTokens: 100, maxTokens: 3, samePrompt: true });
    s.addRequest(reqs.shift()!);
    s.addRequest(reqs.shift()!);
    const first = s.schedule();
    const v = toVllmSchedulerOutput(first);
    expect(Object.keys(v.num_scheduled_tokens)).toHaveLength(2);
    expect(v.num_scheduled_tokens['0']).toBe(100);
    expect(v.num_scheduled_tokens['1']).toBe(100 % 16);
    const q = [first, s.schedule()];
    let added: Request | undefined;
    let checked = 0;
    drive(s, q, () => {
      added = reqs.shift();
      if (added) s.addRequest(added);
    }, (o) => {
      if (added) {
        expect(toVllmSchedulerOutput(o).num_scheduled_tokens[added.requestId]).toBe(100 % 16);
        checked++;
      }
    });
    expect(checked).toBe(3);
    expect(s.numUnfinished).toBe(0);
  });

  it('test_prefix_caching_for_multi_turn: next-turn prompts hit every full block of prompt + outputs', () => {
    const s = createScheduler({ asyncScheduling: true, maxNumBatchedTokens: 1000, enablePrefixCaching: true, blockSize: 16 });
    const reqs = createRequests({ numRequests: 5, numTokens: 100, maxTokens: 200 });
    for (const r of reqs) s.addRequest(r);
    drive(s, [s.schedule(), s.schedule()]);
    expect(s.numUnfinished).toBe(0);
    // Next turn: each prompt is the whole previous turn (prompt + its 200 outputs).
    const next = reqs.map((prev, i) => {
      const r = createRequests({ numRequests: 1, numTokens: prev.numTokens, maxTokens: 200, reqIds: [`next-${i}`] })[0]!;
      r.allTokenIds.splice(0, r.allTokenIds.length, ...prev.allTokenIds);
      return r;
    });
    for (const r of next) s.addRequest(r);
    const v = toVllmSchedulerOutput(s.schedule());
    for (const r of next) expect(v.num_scheduled_tokens[r.requestId]).toBe(r.numPromptTokens % 16);
  });

  it('async scheduling lets a request be rescheduled before its output returns (placeholders)', () => {
    const s = createScheduler({ asyncScheduling: true });
    const [r] = createRequests({ numRequests: 1, numTokens: 8 });
    s.addRequest(r!);
    s.schedule();
    expect(r!.numOutputPlaceholders).toBeGreaterThan(0);
    expect(toVllmSchedulerOutput(s.schedule()).num_scheduled_tokens['0']).toBe(1);
  });

  it('async drafts are device placeholders: the vLLM view shows [-1] × k', () => {
    const s = createScheduler({ asyncScheduling: true, numSpeculativeTokens: 2 });
    const [a] = createRequests({ numRequests: 1, maxTokens: 4 });
    s.addRequest(a!);
    s.schedule();
    expect(a!.numSpecTokens).toBe(2);
    const v = toVllmSchedulerOutput(s.schedule());
    expect(v.num_scheduled_tokens['0']).toBe(3);
    expect(v.scheduled_spec_decode_tokens['0']).toEqual([-1, -1]);
  });

  it('reset_prefix_cache(reset_running_requests): stale in-flight frames are dropped, the resumed request continues', () => {
    const s = createScheduler({ asyncScheduling: true, numSpeculativeTokens: 2 });
    const [r] = createRequests({ numRequests: 1, numTokens: 20, maxTokens: 8 });
    s.addRequest(r!);
    const o0 = s.schedule();
    s.updateFromOutput(o0, runnerOutput(o0, [[7]]));
    const o1 = s.schedule();
    const o2 = s.schedule();
    expect(r!.numOutputPlaceholders).toBe(6);
    expect(s.resetPrefixCache({ resetRunningRequests: true })).toBe(true);
    expect([r!.status, r!.numOutputPlaceholders, r!.asyncTokensToDiscard]).toEqual(['PREEMPTED', 0, 6]);
    const o3 = s.schedule();
    expect(o3.scheduled.map((x) => x.kind)).toEqual(['resumed']);
    // Both frames from before the reset carry tokens computed on the dropped KV: discarded.
    s.updateFromOutput(o1, runnerOutput(o1, [[8, 9, 10]]));
    s.updateFromOutput(o2, runnerOutput(o2, [[11]]));
    expect(r!.outputTokenIds()).toEqual([7]);
    expect(r!.asyncTokensToDiscard).toBe(0);
    s.updateFromOutput(o3, runnerOutput(o3, [[12]]));
    expect(r!.outputTokenIds()).toEqual([7, 12]);
    expect(r!.numOutputPlaceholders).toBe(0);
    s.checkInvariants();
  });
});
