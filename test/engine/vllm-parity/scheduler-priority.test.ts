/**
 * Ported from vLLM `tests/v1/core/test_scheduler.py` — priority scheduling: admission order by
 * `(priority, arrival_time)`, the heap order of `waiting`, the victim choice under KV pressure,
 * and a preempted request resumed through `scheduled_cached_reqs` with its whole token list.
 */
import { describe, expect, it } from 'vitest';
import { createRequests, createScheduler, runnerOutput, toVllmSchedulerOutput } from '../../../engine/testing/index';

const prio = (o: Parameters<typeof createScheduler>[0] = {}) => createScheduler({ policy: 'priority', enablePrefixCaching: false, ...o });
const newIds = (o: Parameters<typeof toVllmSchedulerOutput>[0]) => toVllmSchedulerOutput(o).scheduled_new_reqs.map((r) => r.req_id);

describe('test_scheduler.py: priority scheduling', () => {
  it.each([
    ['basic ordering', [2, 0, 1], [1, 2, 3], ['1', '2', '0']],
    ['arrival-time tiebreaker', [1, 1, 1], [3, 1, 2], ['1', '2', '0']],
    ['mixed priority and arrival', [2, 1, 1, 0], [1, 3, 2, 4], ['3', '2', '1', '0']],
    ['FCFS fallback at equal priority', [1, 1, 1, 1], [4, 1, 3, 2], ['1', '3', '2', '0']],
  ] as const)('%s', (_name, priorities, arrivalTimes, order) => {
    const s = prio();
    for (const r of createRequests({ numRequests: priorities.length, priorities, arrivalTimes })) s.addRequest(r);
    expect(newIds(s.schedule())).toEqual(order);
  });

  it('test_priority_scheduling_waiting_queue_order / victim selection: waiting reads in priority order', () => {
    const s = prio({ maxNumSeqs: 1 });
    for (const r of createRequests({ numRequests: 4, priorities: [3, 1, 2, 0], arrivalTimes: [1, 2, 3, 4] })) s.addRequest(r);
    expect(newIds(s.schedule())).toEqual(['3']);
    expect(s.waiting.toArray().map((r) => [r.requestId, r.priority])).toEqual([['1', 1], ['2', 2], ['0', 3]]);
  });

  it('test_priority_scheduling_with_limited_slots: max_num_seqs 2 admits the two most urgent', () => {
    const s = prio({ maxNumSeqs: 2, maxNumBatchedTokens: 1000 });
    for (const r of createRequests({ numRequests: 4, priorities: [3, 1, 2, 0], arrivalTimes: [1, 2, 3, 4] })) s.addRequest(r);
    expect(new Set(newIds(s.schedule()))).toEqual(new Set(['3', '1']));
    expect(s.waiting.toArray().map((r) => r.requestId)).toEqual(['2', '0']);
  });

  it('test_priority_scheduling_heap_property: one at a time, in sorted priority order', () => {
    const priorities = [5, 1, 8, 3, 2, 7, 4, 6];
    const s = prio({ maxNumSeqs: 1 });
    const reqs = createRequests({ numRequests: priorities.length, priorities });
    for (const r of reqs) s.addRequest(r);
    const seen: number[] = [];
    while (s.waiting.length > 0) {
      const o = s.schedule();
      const [id] = newIds(o);
      if (id === undefined) continue;
      seen.push(reqs[Number(id)]!.priority);
      s.updateFromOutput(o, runnerOutput(o, { [id]: [100] }));
      s.finishRequests(id, 'FINISHED_STOPPED');
    }
    expect(seen).toEqual([...priorities].sort((a, b) => a - b));
  });

  it('test_priority_scheduling_preemption: under block pressure the low-priority running request is the victim', () => {
    // 6 blocks = 5 usable of 16 tokens.
    const s = prio({ maxNumSeqs: 3, maxNumBatchedTokens: 200, numBlocks: 6 });
    const [lo] = createRequests({ numRequests: 1, priorities: [5], arrivalTimes: [1], numTokens: 32, reqIds: ['lo1'] });
    s.addRequest(lo!);
    let o = s.schedule();
    expect(newIds(o)).toEqual(['lo1']);
    s.updateFromOutput(o, runnerOutput(o, { lo1: [100] }));
    const [hi] = createRequests({ numRequests: 1, priorities: [0], arrivalTimes: [2], numTokens: 32, reqIds: ['hi1'] });
    s.addRequest(hi!);
    o = s.schedule();
    expect(newIds(o)).toContain('hi1');
    expect(s.running).toHaveLength(2);
    expect(s.kv.pool.numFreeBlocks).toBe(0);
    s.updateFromOutput(o, runnerOutput(o, { lo1: [101], hi1: [100] }));
    o = s.schedule();
    expect(lo!.status).toBe('PREEMPTED');
    expect(s.running).toEqual([hi]);
    expect(o.preemptedReqIds).toEqual(['lo1']);
  });

  it('test_priority_scheduling_no_preemption_when_space_available', () => {
    const s = prio({ maxNumSeqs: 3, maxNumBatchedTokens: 200 });
    const low = createRequests({ numRequests: 2, priorities: [5, 5], arrivalTimes: [1, 2], numTokens: 30, reqIds: ['lo1', 'lo2'] });
    for (const r of low) s.addRequest(r);
    let o = s.schedule();
    s.updateFromOutput(o, runnerOutput(o, { lo1: [100], lo2: [100] }));
    s.addRequest(createRequests({ numRequests: 1, priorities: [0], arrivalTimes: [3], numTokens: 30, reqIds: ['hi1'] })[0]!);
    o = s.schedule();
    expect(newIds(o)).toEqual(['hi1']);
    expect([s.running.length, s.waiting.length]).toEqual([3, 0]);
  });

  it('test_priority_scheduling_preemption_and_resumption_when_out_of_kv: the resumed request resends 30 + 2 tokens', () => {
    // 5 blocks = 64 tokens of KV.
    const s = prio({ maxNumSeqs: 2, maxNumBatchedTokens: 200, numBlocks: 5 });
    const [low] = createRequests({ numRequests: 1, priorities: [1], arrivalTimes: [0], numTokens: 30 });
    s.addRequest(low!);
    let o = s.schedule();
    expect([newIds(o).length, s.waiting.length, s.running.length]).toEqual([1, 0, 1]);
    s.updateFromOutput(o, runnerOutput(o, { 0: [100] }));
    const [high] = createRequests({ numRequests: 1, priorities: [0], arrivalTimes: [1], numTokens: 32, startingIdx: 1 });
    s.addRequest(high!);
    o = s.schedule();
    let v = toVllmSchedulerOutput(o);
    expect(s.kv.pool.numFreeBlocks).toBe(0);
    expect([v.scheduled_new_reqs.length, v.scheduled_cached_reqs.num_reqs, s.waiting.length, s.running.length]).toEqual([1, 1, 0, 2]);
    s.updateFromOutput(o, runnerOutput(o, { 0: [100], 1: [100] }));
    // low needs 2 blocks for 32 tokens, high 3 for 33: 5 > 4 usable, so low is preempted.
    o = s.schedule();
    v = toVllmSchedulerOutput(o);
    expect(v.scheduled_new_reqs).toHaveLength(0);
    expect(v.scheduled_cached_reqs.req_ids).toEqual(['1']);
    expect(low!.status).toBe('PREEMPTED');
    expect([s.waiting.length, s.running.length]).toEqual([1, 1]);
    // The runner output lists both requests; only the scheduled one is applied.
    s.updateFromOutput(o, runnerOutput(o, { 0: [], 1: [100] }));
    s.finishRequests('1', 'FINISHED_STOPPED');
    v = toVllmSchedulerOutput(s.schedule());
    expect([s.waiting.length, s.running.length]).toEqual([0, 1]);
    expect(v.scheduled_new_reqs).toHaveLength(0);
    const c = v.scheduled_cached_reqs;
    expect([c.num_reqs, c.resumed_req_ids, c.req_ids]).toEqual([1, ['0'], ['0']]);
    expect(Object.keys(c.all_token_ids)).toEqual(['0']);
    expect(c.all_token_ids['0']).toHaveLength(32);
    expect(c.all_token_ids['0']![31]).toBe(100);
    // A resumed request's block list replaces the worker's: the whole table, per group.
    expect(c.new_block_ids[0]).toEqual(s.kv.blockTables('0'));
  });
});
