/**
 * Ported from vLLM `tests/v1/core/test_scheduler.py` — the stop rules through
 * `update_from_output` (EOS, stop ids, max tokens, ignore_eos, with drafts), `check_stop` with
 * min_tokens, and the spec-decode scheduler tests: per-step spec-decoding stats, empty outputs,
 * and drafts ignored for prefill chunks.
 */
import { describe, expect, it } from 'vitest';
import {
  EOS_TOKEN_ID, createRequests, createScheduler, handMadeSchedulerOutput, runnerOutput, setRunning, toVllmSchedulerOutput,
} from '../../../engine/testing/index';
import { checkStop } from '../../../engine/request/stop';

describe('test_scheduler.py: test_stop_via_update_from_output', () => {
  it('case 1: EOS stops the first request; the second continues with its accepted draft', () => {
    const s = createScheduler({ numSpeculativeTokens: 1 });
    const reqs = createRequests({ numRequests: 2, maxTokens: 10 });
    setRunning(s, reqs);
    const so = handMadeSchedulerOutput(s, { 0: 1, 1: 2 }, { 0: [], 1: [10] });
    s.updateFromOutput(so, runnerOutput(so, { 0: [EOS_TOKEN_ID], 1: [10, 11] }));
    expect(s.running.map((r) => r.requestId)).toEqual(['1']);
    expect(reqs[0]!.status).toBe('FINISHED_STOPPED');
    expect(s.finishedReqIds).toContain('0');
    expect(reqs[0]!.outputTokenIds()).toEqual([EOS_TOKEN_ID]);
    expect(reqs[1]!.outputTokenIds()).toEqual([10, 11]);
  });

  it('case 2: a stop token stops mid-draft, the rest is discarded and stop_reason is the token', () => {
    const s = createScheduler({ numSpeculativeTokens: 2 });
    const reqs = createRequests({ numRequests: 2, maxTokens: 10, stopTokenIds: [42, 43] });
    setRunning(s, reqs);
    const so = handMadeSchedulerOutput(s, { 0: 3, 1: 2 }, { 0: [10, 42], 1: [13] });
    s.updateFromOutput(so, runnerOutput(so, { 0: [10, 42, 12], 1: [13, 14] }));
    expect(s.running.map((r) => r.requestId)).toEqual(['1']);
    expect(reqs[0]!.status).toBe('FINISHED_STOPPED');
    expect(reqs[0]!.stopReason).toBe(42);
    expect(reqs[0]!.outputTokenIds()).toEqual([10, 42]);
    expect(reqs[1]!.outputTokenIds()).toEqual([13, 14]);
  });

  it('case 3: max_tokens truncates the output to its length', () => {
    const s = createScheduler({ numSpeculativeTokens: 2 });
    const reqs = createRequests({ numRequests: 2, maxTokens: 2 });
    setRunning(s, reqs);
    const so = handMadeSchedulerOutput(s, { 0: 3, 1: 1 }, { 0: [10, 11], 1: [] });
    s.updateFromOutput(so, runnerOutput(so, { 0: [10, 11, 12], 1: [13] }));
    expect(s.running.map((r) => r.requestId)).toEqual(['1']);
    expect(reqs[0]!.status).toBe('FINISHED_LENGTH_CAPPED');
    expect(reqs[0]!.outputTokenIds()).toEqual([10, 11]);
    expect(reqs[1]!.outputTokenIds()).toEqual([13]);
  });

  it('case 4: ignore_eos continues past EOS', () => {
    const s = createScheduler({ numSpeculativeTokens: 2 });
    const [r] = createRequests({ numRequests: 1, maxTokens: 10, ignoreEos: true });
    setRunning(s, [r!]);
    const so = handMadeSchedulerOutput(s, { 0: 3 }, { 0: [EOS_TOKEN_ID, 10] });
    s.updateFromOutput(so, runnerOutput(so, { 0: [EOS_TOKEN_ID, 10, 11] }));
    expect(s.running).toHaveLength(1);
    expect(r!.isFinished).toBe(false);
    expect(r!.outputTokenIds()).toEqual([EOS_TOKEN_ID, 10, 11]);
  });

  it('test_check_stop_min_tokens: no stop (EOS or stop id) below min_tokens; normal rules once met', () => {
    const base = { numTokens: 6, maxTokens: 20, maxModelLen: 100, eosTokenId: EOS_TOKEN_ID, stopTokenIds: [] as number[] };
    expect(checkStop({ ...base, lastTokenId: EOS_TOKEN_ID, numOutputTokens: 3, minTokens: 5 })).toBeUndefined();
    expect(checkStop({ ...base, lastTokenId: EOS_TOKEN_ID, numOutputTokens: 9, minTokens: 5 })?.status).toBe('FINISHED_STOPPED');
    expect(checkStop({ ...base, lastTokenId: EOS_TOKEN_ID, numOutputTokens: 2, minTokens: 0 })?.status).toBe('FINISHED_STOPPED');
    expect(checkStop({ ...base, stopTokenIds: [42], lastTokenId: 42, numOutputTokens: 3, minTokens: 5 })).toBeUndefined();
    expect(checkStop({ ...base, stopTokenIds: [42], lastTokenId: 42, numOutputTokens: 9, minTokens: 5 })).toEqual({ status: 'FINISHED_STOPPED', stopReason: 42 });
    // Through the scheduler: min_tokens holds the request past its EOS.
    const s = createScheduler();
    const [r] = createRequests({ numRequests: 1, maxTokens: 20, minTokens: 2 });
    setRunning(s, [r!]);
    const so = handMadeSchedulerOutput(s, { 0: 1 });
    s.updateFromOutput(so, runnerOutput(so, { 0: [EOS_TOKEN_ID] }));
    expect(r!.isFinished).toBe(false);
    const so2 = handMadeSchedulerOutput(s, { 0: 1 });
    s.updateFromOutput(so2, runnerOutput(so2, { 0: [EOS_TOKEN_ID] }));
    expect(r!.status).toBe('FINISHED_STOPPED');
  });
});

// (spec tokens, output tokens, (num_drafts, num_draft_tokens, num_accepted_tokens, per position)).
const CASES: [number[][], number[][], [number, number, number, number[]]][] = [
  [[[1, 2, 3]], [[1, 2, 3, 4]], [1, 3, 3, [1, 1, 1]]],
  [[[1, 2, 3]], [[1, 5]], [1, 3, 1, [1, 0, 0]]],
  [[[1, 2], [3]], [[1, 2, 5], [3, 4]], [2, 3, 3, [2, 1]]],
  [[[1]], [[1, 2]], [1, 1, 1, [1]]],
  [[[]], [[5]], [0, 0, 0, [0]]],
  [[[1, 2, 3], [4, 5, 6]], [[1, 2, 7], [4, 8]], [2, 6, 3, [2, 1, 0]]],
];

describe('test_scheduler.py: test_schedule_spec_decoding_stats (per step, length k)', () => {
  it.each(CASES)('spec %j, output %j', (spec, outTokens, expected) => {
    const k = Math.max(1, ...spec.map((t) => t.length));
    const s = createScheduler({ numSpeculativeTokens: k });
    const reqs = createRequests({ numRequests: spec.length, numTokens: 1 });
    for (const r of reqs) s.addRequest(r);
    const o = s.schedule();
    const v = toVllmSchedulerOutput(o);
    expect(v.scheduled_new_reqs).toHaveLength(reqs.length);
    expect(v.total_num_scheduled_tokens).toBe(reqs.length);
    for (const r of reqs) {
      expect(v.num_scheduled_tokens[r.requestId]).toBe(1);
      expect(v.scheduled_spec_decode_tokens[r.requestId]).toBeUndefined();
    }
    s.updateFromOutput(o, runnerOutput(o, reqs.map(() => [0])));
    expect(s.lastSchedulerStats!.specDecodingStats).toBeNull();
    s.setDraftTokenIds(reqs.map((r) => r.requestId), spec);
    reqs.forEach((r, i) => {
      expect([r.numComputedTokens, r.numTokens, r.numTokensWithSpec]).toEqual([1, 2, 2 + spec[i]!.length]);
    });
    const o2 = s.schedule();
    const v2 = toVllmSchedulerOutput(o2);
    expect(v2.scheduled_new_reqs).toHaveLength(0);
    expect(v2.total_num_scheduled_tokens).toBe(reqs.length + spec.flat().length);
    reqs.forEach((r, i) => {
      expect(v2.num_scheduled_tokens[r.requestId]).toBe(1 + spec[i]!.length);
      if (spec[i]!.length > 0) expect(v2.scheduled_spec_decode_tokens[r.requestId]).toEqual(spec[i]);
      else expect(v2.scheduled_spec_decode_tokens[r.requestId]).toBeUndefined();
    });
    s.updateFromOutput(o2, runnerOutput(o2, outTokens));
    const st = s.lastSchedulerStats!.specDecodingStats;
    if (expected[0] === 0) expect(st).toBeNull();
    else {
      expect(st).not.toBeNull();
      expect([st!.numDrafts, st!.numDraftTokens, st!.numAcceptedTokens, st!.numAcceptedTokensPerPos]).toEqual(expected);
      // Cumulative counters keep counting beside the per-step ones.
      expect(s.specStats.summary().numDrafts).toBe(expected[0]);
    }
  });

  it('test_spec_decoding_stats_empty_output: an empty output records no draft', () => {
    const s = createScheduler({ numSpeculativeTokens: 3 });
    const [r] = createRequests({ numRequests: 1, numTokens: 1 });
    s.addRequest(r!);
    const o = s.schedule();
    s.updateFromOutput(o, runnerOutput(o, [[0]]));
    s.setDraftTokenIds(['0'], [[1, 2, 3]]);
    const o2 = s.schedule();
    expect(toVllmSchedulerOutput(o2).scheduled_spec_decode_tokens['0']).toEqual([1, 2, 3]);
    s.updateFromOutput(o2, runnerOutput(o2, [[]]));
    expect(s.lastSchedulerStats!.specDecodingStats).toBeNull();
    expect(s.specStats.summary().numDrafts).toBe(0);
  });

  it('test_no_spec_tokens_scheduled_for_prefill_chunks: drafts offered mid-prefill are dropped', () => {
    const s = createScheduler({ numSpeculativeTokens: 3, maxNumBatchedTokens: 50, config: { maxModelLen: 200 } });
    const [r] = createRequests({ numRequests: 1, numTokens: 80 });
    s.addRequest(r!);
    const o = s.schedule();
    expect(toVllmSchedulerOutput(o).num_scheduled_tokens['0']).toBe(50);
    s.updateFromOutput(o, runnerOutput(o, [[]]));
    s.setDraftTokenIds(['0'], [[1, 2, 3]]);
    const o2 = s.schedule();
    // The remaining 30 prompt tokens only, not 30 + 3 drafts.
    expect(toVllmSchedulerOutput(o2).num_scheduled_tokens['0']).toBe(30);
    expect(toVllmSchedulerOutput(o2).scheduled_spec_decode_tokens['0']).toBeUndefined();
    s.updateFromOutput(o2, runnerOutput(o2, [[42]]));
    s.setDraftTokenIds(['0'], [[1, 2, 3]]);
    expect(r!.specTokenIds).toEqual([1, 2, 3]);
    const o3 = s.schedule();
    expect(toVllmSchedulerOutput(o3).num_scheduled_tokens['0']).toBe(4);
    expect(toVllmSchedulerOutput(o3).scheduled_spec_decode_tokens['0']).toHaveLength(3);
  });
});
