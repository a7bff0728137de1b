/**
 * Ported from vLLM `tests/v1/core/test_scheduler.py` (facts and assertions, not code): queue
 * bookkeeping, the first schedule, concurrent partial prefills under the long-prefill threshold,
 * two batches in flight in sync mode, schedule order without chunked prefill, preemption during
 * execution, reset of the prefix cache with running requests, and the leak check.
 */
import { describe, expect, it } from 'vitest';
import {
  createRequests, createScheduler, runnerOutput, toVllmSchedulerOutput, type Scheduler, type SchedulerStepOutput,
} from '../../../engine/testing/index';
import { FINISHED_STATUSES } from '../../../engine/request/status';

const view = toVllmSchedulerOutput;

describe('test_scheduler.py: queues and finish_requests', () => {
  it('test_add_requests / test_finish_request / test_get_num_unfinished_requests', () => {
    const s = createScheduler();
    const reqs = createRequests({ numRequests: 10 });
    reqs.forEach((r, i) => {
      s.addRequest(r);
      expect(s.requests.has(r.requestId)).toBe(true);
      expect(s.waiting.length).toBe(i + 1);
    });
    reqs.forEach((r, i) => {
      s.finishRequests(r.requestId, 'FINISHED_ABORTED');
      expect(s.requests.has(r.requestId)).toBe(false);
      expect(s.waiting.length).toBe(9 - i);
      expect(s.numUnfinished).toBe(9 - i);
      expect(r.status).toBe('FINISHED_ABORTED');
    });
  });

  it('finish_requests accepts every finished status, ignores unknown/finished ids, rejects an unfinished status', () => {
    for (const status of FINISHED_STATUSES) {
      const s = createScheduler();
      const [a, b] = createRequests({ numRequests: 2 });
      s.addRequest(a!);
      s.addRequest(b!);
      s.schedule();
      expect(s.finishRequests(['0', 'nope', '0'], status)).toEqual(['0']);
      expect(a!.status).toBe(status);
      expect(s.running.map((r) => r.requestId)).toEqual(['1']);
      expect(s.kv.blockTable('0')).toBeUndefined();
      // Finished ids ship to the workers with the next batch.
      expect(s.schedule().finishedReqIds).toEqual(['0']);
    }
    const s = createScheduler();
    expect(() => s.finishRequests(['0'], 'RUNNING' as never)).toThrowError(/finished status/);
    s.addRequest(createRequests({ numRequests: 1 })[0]!);
    expect(s.finishRequests(null, 'FINISHED_STOPPED')).toEqual(['0']);
  });
});

describe('test_scheduler.py: test_schedule', () => {
  for (const [enablePrefixCaching, promptLogprobs] of [[false, null], [true, 5]] as const) {
    it(`prefix caching ${enablePrefixCaching}, prompt_logprobs ${promptLogprobs}: all ten requests admitted whole, in order`, () => {
      const s = createScheduler({ enablePrefixCaching });
      const reqs = createRequests({ numRequests: 10, promptLogprobs });
      for (const r of reqs) s.addRequest(r);
      const v = view(s.schedule());
      expect(v.scheduled_new_reqs).toHaveLength(10);
      expect(v.scheduled_cached_reqs.num_reqs).toBe(0);
      expect(v.finished_req_ids).toHaveLength(0);
      for (const [id, n] of Object.entries(v.num_scheduled_tokens)) expect(n).toBe(reqs[Number(id)]!.numPromptTokens);
      expect(s.waiting.length).toBe(0);
      expect(s.running).toEqual(reqs);
    });
  }
});

describe('test_scheduler.py: test_schedule_concurrent_partial_requests', () => {
  for (const enablePrefixCaching of [true, false]) {
    it(`threshold 400, budget 1024, three 800-token prompts (prefix caching ${enablePrefixCaching})`, () => {
      const s = createScheduler({ maxNumBatchedTokens: 1024, longPrefillTokenThreshold: 400, enablePrefixCaching });
      const reqs = createRequests({ numRequests: 3, numTokens: 800 });
      for (const r of reqs) s.addRequest(r);
      const o0 = s.schedule();
      const v0 = view(o0);
      expect([v0.scheduled_new_reqs.length, v0.scheduled_cached_reqs.num_reqs, v0.finished_req_ids.length]).toEqual([3, 0, 0]);
      expect(reqs.map((r) => v0.num_scheduled_tokens[r.requestId])).toEqual([400, 400, 224]);
      s.updateFromOutput(o0, runnerOutput(o0, [[], [], []]));
      const o1 = s.schedule();
      const v1 = view(o1);
      expect(s.running).toHaveLength(3);
      expect([v1.scheduled_new_reqs.length, v1.scheduled_cached_reqs.num_reqs]).toEqual([0, 3]);
      expect(reqs.map((r) => v1.num_scheduled_tokens[r.requestId])).toEqual([400, 400, 224]);
      s.updateFromOutput(o1, runnerOutput(o1, [[0], [0], []]));
      const v2 = view(s.schedule());
      expect(v2.scheduled_cached_reqs.num_reqs).toBe(3);
      expect(reqs.map((r) => v2.num_scheduled_tokens[r.requestId])).toEqual([1, 1, 800 - 224 - 224]);
    });
  }
});

describe('test_scheduler.py: two batches in flight in sync mode', () => {
  for (const [enablePrefixCaching, promptLogprobs] of [[false, null], [true, 5]] as const) {
    it(`test_schedule_concurrent_batches (prefix caching ${enablePrefixCaching}, prompt_logprobs ${promptLogprobs})`, () => {
      const s = createScheduler({ maxNumBatchedTokens: 1024, maxNumSeqs: 2, enablePrefixCaching });
      const [r0, r1] = createRequests({ numRequests: 2, numTokens: 512, promptLogprobs });
      s.addRequest(r0!);
      const o0 = s.schedule();
      expect(view(o0).scheduled_new_reqs).toHaveLength(1);
      expect(view(o0).num_scheduled_tokens['0']).toBe(512);
      // The first request is still running (its output is not back): only the second is scheduled.
      s.addRequest(r1!);
      const o1 = s.schedule();
      expect(view(o1).scheduled_new_reqs.map((n) => n.req_id)).toEqual(['1']);
      expect(view(o1).num_scheduled_tokens['1']).toBe(512);
      s.updateFromOutput(o0, runnerOutput(o0, { 0: [0] }));
      const o2 = s.schedule();
      expect(view(o2).num_scheduled_tokens['0']).toBe(1);
      s.updateFromOutput(o1, runnerOutput(o1, { 1: [0] }));
      expect(r1!.outputTokenIds()).toEqual([0]);
      s.checkInvariants();
    });
  }

  for (const enableChunkedPrefill of [true, false]) {
    it(`test_schedule_order (chunked prefill ${enableChunkedPrefill}): no skipping ahead to short requests without chunking`, () => {
      const s = createScheduler({ maxNumBatchedTokens: 1024, maxNumSeqs: 3, enableChunkedPrefill, config: { maxModelLen: 1024 } });
      const reqs = [...createRequests({ numRequests: 2, numTokens: 800, reqIds: ['1', '2'] }), ...createRequests({ numRequests: 2, numTokens: 10, reqIds: ['3', '4'] })];
      for (const r of reqs) s.addRequest(r);
      expect(view(s.schedule()).scheduled_new_reqs).toHaveLength(enableChunkedPrefill ? 2 : 1);
    });
  }

  it('test_preempt_during_execution: the preempted request still receives its in-flight token', () => {
    // 11 blocks = 10 usable: block 0 is the null block.
    const s = createScheduler({ maxNumBatchedTokens: 100, blockSize: 16, numBlocks: 11, enablePrefixCaching: false });
    const [r0, r1] = createRequests({ numRequests: 2, numTokens: 80 });
    s.addRequest(r0!);
    const o0 = s.schedule();
    expect(Object.keys(view(o0).num_scheduled_tokens)).toHaveLength(1);
    expect(view(o0).scheduled_new_reqs[0]!.block_ids[0]).toHaveLength(5);
    s.addRequest(r1!);
    const o1 = s.schedule();
    expect(Object.keys(view(o1).num_scheduled_tokens)).toHaveLength(1);
    expect(view(o1).scheduled_new_reqs[0]!.block_ids[0]).toHaveLength(5);
    s.updateFromOutput(o0, runnerOutput(o0, { 0: [0] }));
    // Request 0 needs a sixth block: the KV cache is full, request 1 is preempted.
    const o2 = s.schedule();
    expect(s.running).toEqual([r0]);
    expect(r1!.status).toBe('PREEMPTED');
    expect(o2.preemptedReqIds).toEqual(['1']);
    s.updateFromOutput(o1, runnerOutput(o1, { 1: [42] }));
    expect(r1!.outputTokenIds()).toEqual([42]);
    s.checkInvariants();
  });
});

function drainSync(s: Scheduler, first: SchedulerStepOutput | null = null): number {
  let steps = 0;
  let o = first ?? s.schedule();
  while (s.running.length > 0 || o.totalNumScheduledTokens > 0) {
    s.updateFromOutput(o, runnerOutput(o, o.scheduled.map((r) => (r.isPrefillChunk ? [] : [1000]))));
    o = s.schedule();
    if (++steps > 1000) throw new Error('did not drain');
  }
  return steps;
}

describe('test_scheduler.py: reset_prefix_cache and memory leaks', () => {
  it('test_scheduler_reset_prefix_cache: refused while running; with resetRunningRequests all go back to waiting in order', () => {
    const s = createScheduler({ enablePrefixCaching: true });
    const reqs = createRequests({ numRequests: 10 });
    for (const r of reqs) s.addRequest(r);
    s.schedule();
    expect(s.waiting.length).toBe(0);
    expect(s.running).toEqual(reqs);
    expect(s.resetPrefixCache()).toBe(false);
    expect(s.resetPrefixCache({ resetRunningRequests: true })).toBe(true);
    expect(s.running).toHaveLength(0);
    expect(s.waiting.toArray()).toEqual(reqs);
    expect(reqs.every((r) => r.status === 'PREEMPTED' && r.numComputedTokens === 0)).toBe(true);
    expect(s.kv.pool.numCachedBlocks).toBe(0);
    expect(s.kv.pool.numFreeBlocks).toBe(s.kv.pool.numUsableBlocks);
    s.checkInvariants();
    // Resumed requests resend their whole token lists (the workers dropped them).
    const v = view(s.schedule());
    expect(v.scheduled_cached_reqs.resumed_req_ids).toEqual(reqs.map((r) => r.requestId));
    expect(Object.keys(v.scheduled_cached_reqs.all_token_ids)).toHaveLength(10);
  });

  it('test_memory_leak: after every request finishes nothing is held', () => {
    const s = createScheduler({ enablePrefixCaching: true });
    for (const r of createRequests({ numRequests: 5, numTokens: 10, maxTokens: 10 })) {
      s.addRequest(r);
      const o = s.schedule();
      s.updateFromOutput(o, runnerOutput(o, o.scheduled.map(() => [1000])));
    }
    drainSync(s);
    expect([s.requests.size, s.waiting.length, s.running.length]).toEqual([0, 0, 0]);
    s.schedule();
    expect(s.finishedReqIds).toHaveLength(0);
    expect([...s.kv.requestIds()]).toHaveLength(0);
    expect(s.kv.pool.numFreeBlocks).toBe(s.kv.pool.numGpuBlocks - 1);
    for (let id = 0; id < s.kv.pool.numGpuBlocks; id++) expect(s.kv.pool.refCount(id)).toBe(0);
  });
});
